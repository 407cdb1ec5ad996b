//! Looking at a document inside the window, without leaving a copy behind.
//!
//! Viewing fetches the document inside Treezor's 30-second URL window, as a download does (a new
//! URL when one expires), but into memory only: the bytes go from the file host to the window
//! and nowhere else, and the desk keeps none of them once handed over. Before the window gets
//! anything, the bytes must be what they claim and what the window can show (see [`format`]);
//! anything else is refused with the reason. Each view is audited ("viewed document N", its
//! format and size, never its content); keeping a copy is the separate, audited download.
//!
//! [`identity`] sets the identity the customer declared beside what the provider read.

pub mod format;
pub mod identity;
mod refusal;

pub use refusal::{Claimant, ViewRefusal};

use cache::Outcome;
use kyc::{Action, DocumentId, Permission, UserId};

use crate::clock::now;
use crate::desk::Desk;
use crate::error::{Error, Result};
use format::{Claims, DocumentFormat};
use identity::IdentityCheck;

/// The largest document the window shows, in bytes: larger ones are saved, not viewed.
pub const VIEW_LIMIT: u64 = 40 * 1024 * 1024;

/// The audit log's name for a view.
const VIEW: &str = "view_document";

/// A document fetched for the window, in memory.
pub struct ViewedDocument {
    pub document_id: DocumentId,
    pub format: DocumentFormat,
    bytes: Vec<u8>,
}

impl ViewedDocument {
    /// The bytes, handed over: the desk keeps no copy.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// Shows what was viewed, never the bytes: they are a customer's identity document.
impl std::fmt::Debug for ViewedDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ViewedDocument")
            .field("document_id", &self.document_id)
            .field("format", &self.format)
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .finish()
    }
}

impl Desk {
    /// Fetches `document` of `user` into memory for the window, checks what it is, and audits the
    /// view (or why it was refused or failed).
    pub async fn view_document(
        &self,
        user: UserId,
        document: DocumentId,
    ) -> Result<ViewedDocument> {
        let when = now();
        let detail = self
            .store()
            .read(move |reader| reader.case_detail(user, when))
            .await?;
        // The documents can be viewed exactly when they can be downloaded.
        if let Permission::NotAllowed(refusal) = detail.view.permission(
            Action::DownloadDocument,
            &crate::standing::standing(&detail),
        ) {
            return self
                .refuse_view(user, document, ViewRefusal::Case { refusal })
                .await;
        }
        let Some(stored) = detail
            .documents
            .iter()
            .find(|d| d.document.document_id == document)
        else {
            return self
                .refuse_view(user, document, ViewRefusal::NotTheUsersDocument)
                .await;
        };
        let file_name = stored.document.file_name.clone();
        let client = self.treezor()?;
        let fetched = match client.fetch_in_memory(document, VIEW_LIMIT).await {
            Ok(fetched) => fetched,
            Err(treezor::Error::TooLarge { size, limit, .. }) => {
                let reason = ViewRefusal::TooLarge {
                    size_mb: size / (1024 * 1024),
                    limit_mb: limit / (1024 * 1024),
                };
                return self.refuse_view(user, document, reason).await;
            }
            // A rule of every fetch of a document (its URL, a redirect off its host) refused it.
            Err(treezor::Error::DownloadRefused { reason, .. }) => {
                let reason = ViewRefusal::DownloadRefused { reason };
                return self.refuse_view(user, document, reason).await;
            }
            Err(error) => {
                let error = Error::from(error);
                self.audit_named(
                    VIEW,
                    Some(user),
                    Some(document),
                    Outcome::Failed,
                    error.to_string(),
                )
                .await?;
                return Err(error);
            }
        };
        let claims = Claims {
            file_name: file_name.as_deref(),
            media_type: fetched.media_type.as_deref(),
        };
        let format = match format::inspect(&fetched.bytes, claims) {
            Ok(format) => format,
            Err(reason) => return self.refuse_view(user, document, reason).await,
        };
        let urls = match fetched.urls_asked {
            1 => "1 download URL".to_owned(),
            n => format!("{n} download URLs"),
        };
        self.audit_named(
            VIEW,
            Some(user),
            Some(document),
            Outcome::Succeeded,
            format!(
                "viewed document {document}: {}, {} bytes, fetched into memory with {urls}; no copy kept",
                format.words(),
                fetched.bytes.len()
            ),
        )
        .await?;
        Ok(ViewedDocument {
            document_id: document,
            format,
            bytes: fetched.bytes,
        })
    }

    async fn refuse_view<T>(
        &self,
        user: UserId,
        document: DocumentId,
        reason: ViewRefusal,
    ) -> Result<T> {
        self.audit_named(
            VIEW,
            Some(user),
            Some(document),
            Outcome::Refused,
            reason.to_string(),
        )
        .await?;
        Err(Error::NotViewable { document, reason })
    }

    /// The identity `user` declared beside what the provider read on their document.
    pub async fn identity_check(&self, user: UserId) -> Result<IdentityCheck> {
        let when = now();
        self.store()
            .read(move |reader| {
                let detail = reader.case_detail(user, when)?;
                let current = detail
                    .view
                    .current_attempt()
                    .and_then(|a| a.identification.clone());
                let mut read = None;
                // Newest first: the latest word of the current verification on what it read.
                for entry in detail.timeline.iter().rev() {
                    if !entry.event.starts_with("kycliveness.") {
                        continue;
                    }
                    let Some(payload) = reader.webhook_payload(&entry.webhook_id)? else {
                        continue;
                    };
                    read = identity::read_identity(&payload, current.as_ref());
                    if read.is_some() {
                        break;
                    }
                }
                Ok(identity::compare(detail.profile.as_ref(), read))
            })
            .await
    }
}

//! What the officer copies to send to someone else, built here from what the desk holds: the
//! window names what it wants copied, never the text itself.
//!
//! The customer text is the one that matters: it is built from the case by
//! [`kyc::customer::CustomerText`], which cannot hold an AML-sensitive reason, so nothing the page
//! does (a bug, injected script) can put other words under "the customer text" on the clipboard.
//! Copying the customer text is audited with the language it was copied in.
//! A verification link is one the cache recorded for that user; the sandbox's address exists only
//! in demo mode.

use cache::Outcome;
use kyc::{IdentificationId, Language, UserId};

use crate::desk::{Desk, Mode};
use crate::error::{Barrier, Deed, DeskRefusal, Error, Result};
use crate::faults::Fault;

/// The audit log's name for copying the customer text.
pub const COPY_CUSTOMER_TEXT: &str = "copy_customer_text";

/// What can be copied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Copyable {
    /// What the customer may be told about their current verification, in their language.
    CustomerText { user: UserId, language: Language },
    /// The link of one of the user's verifications, to send the customer.
    VerificationLink {
        user: UserId,
        identification: IdentificationId,
    },
    /// The demo sandbox's page where a tester plays the customer (demo mode only).
    DemoSandboxPage,
}

impl Desk {
    /// The text to put on the clipboard for `what`.
    pub async fn text_to_copy(&self, what: Copyable) -> Result<String> {
        match what {
            Copyable::CustomerText { user, language } => {
                let text = self
                    .case_file(user)
                    .await?
                    .customer_text(language)
                    .map(kyc::CustomerText::to_plain_text)
                    .ok_or(Error::NotAllowed {
                        action: Deed::CopyCustomerText,
                        user,
                        reason: Barrier::Desk(DeskRefusal::NoOutcomeYet),
                    })?;
                // What was about to be sent to the customer, and in which language: the
                // language by its ISO code, a machine name whatever the window speaks.
                self.audit_named(
                    COPY_CUSTOMER_TEXT,
                    Some(user),
                    None,
                    Outcome::Succeeded,
                    format!("language={}", language.code()),
                )
                .await?;
                Ok(text)
            }
            Copyable::VerificationLink {
                user,
                identification,
            } => self
                .case_file(user)
                .await?
                .detail
                .view
                .attempts
                .into_iter()
                .find(|a| a.identification.as_ref() == Some(&identification))
                .and_then(|a| a.url)
                .ok_or(Error::NotAllowed {
                    action: Deed::CopyVerificationLink,
                    user,
                    reason: Barrier::Desk(DeskRefusal::NoSuchLink),
                }),
            Copyable::DemoSandboxPage => match self.mode() {
                Mode::Demo { sandbox_url, .. } => Ok(format!("{sandbox_url}/sandbox/")),
                Mode::Live => Err(Error::Internal(Fault::NoDemoSandbox)),
            },
        }
    }
}

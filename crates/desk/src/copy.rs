//! What the officer copies to send to someone else, built here from what the desk holds: the
//! window names what it wants copied, never the text itself.
//!
//! The customer text is the one that matters: it is built from the case by
//! [`kyc::customer::CustomerText`], which cannot hold an AML-sensitive reason, so nothing the page
//! does (a bug, injected script) can put other words under "the customer text" on the clipboard.
//! A verification link is one the cache recorded for that user; the sandbox's address exists only
//! in demo mode.

use kyc::{IdentificationId, UserId};

use crate::desk::{Desk, Mode};
use crate::error::{Error, Result};

/// What can be copied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Copyable {
    /// What the customer may be told about their current verification.
    CustomerText(UserId),
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
            Copyable::CustomerText(user) => self
                .case_file(user)
                .await?
                .customer_text_plain
                .ok_or(Error::NotAllowed {
                    action: "Copying the customer text",
                    user,
                    reason: "the verification has no outcome yet, so there is nothing to tell the customer",
                }),
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
                    action: "Copying a verification link",
                    user,
                    reason: "this case has no such verification link; reopen the case and copy it from its timeline",
                }),
            Copyable::DemoSandboxPage => match self.mode() {
                Mode::Demo { sandbox_url, .. } => Ok(format!("{sandbox_url}/sandbox/")),
                Mode::Live => Err(Error::Internal(
                    "there is no demo sandbox outside demo mode".to_owned(),
                )),
            },
        }
    }
}

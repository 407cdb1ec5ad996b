//! Have Treezor pull the verification's documents from its provider.

use kyc::{Action, CaseEvent, UserId};
use treezor::AccessTag;

use super::Confirmation;
use crate::desk::Desk;
use crate::error::Result;

impl Desk {
    /// Asks Treezor to store the documents of `user`'s last verification (processed, score 1).
    /// One `document.create` webhook follows per document.
    pub async fn retrieve_documents(&self, user: UserId) -> Result<()> {
        let action = Action::RetrieveDocuments;
        let detail = self.case_detail(user).await?;
        self.check(action, &detail, Confirmation::Unconfirmed)
            .await?;
        let view = detail.view;
        let client = self.treezor()?;
        let tag = AccessTag::random();
        let outcome = client
            .retrieve_liveness_documents(user, Some(&tag))
            .await
            .map_err(Into::into);
        let identification = view
            .current_attempt()
            .and_then(|a| a.identification.as_ref())
            .map_or_else(
                || "the last verification".to_owned(),
                |i| format!("identification {i}"),
            );
        self.audited(action, Some(user), None, outcome, |()| {
            format!("documents of {identification} requested")
        })
        .await?;
        self.record(user, CaseEvent::DocumentsRequested { at: self.now() })
            .await
    }
}

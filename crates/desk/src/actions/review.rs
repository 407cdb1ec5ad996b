//! Ask Treezor to review the user's KYC.
//!
//! The review covers the user and its children; the guide says it goes "in most cases" on the
//! parent, once the children have their documents. A parent whose children lack documents, or a
//! child, therefore needs the officer's confirmation (see `kyc::hierarchy`), and the audit entry
//! names what was confirmed.

use kyc::{Action, CaseEvent, Caution, KycReview, UserId};
use serde::Serialize;
use treezor::AccessTag;

use super::{Confirmation, confirmed_words};
use crate::desk::Desk;
use crate::error::{ChildWithoutDocuments, Error, Result};
use crate::standing::children_without_documents;

/// The review was requested.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReviewRequested {
    pub user_id: UserId,
    /// Children the officer confirmed the request despite.
    pub children_without_documents: Vec<ChildWithoutDocuments>,
}

impl Desk {
    /// Requests the KYC review of `user` (which covers its children). A parent with children
    /// that lack documents, or a child, needs `Confirmed`.
    pub async fn request_review(
        &self,
        user: UserId,
        confirmation: Confirmation,
    ) -> Result<ReviewRequested> {
        let action = Action::RequestReview;
        let detail = self.case_detail(user).await?;
        let confirmed = self.check(action, &detail, confirmation).await?;
        let children = if confirmed.contains(&Caution::ChildrenWithoutDocuments) {
            children_without_documents(&detail)
        } else {
            Vec::new()
        };
        let mut note = confirmed_words(&confirmed, &detail.view);
        if !children.is_empty() {
            let ids: Vec<String> = children.iter().map(|c| c.user_id.to_string()).collect();
            note.push_str(&format!(
                " (children without documents: {})",
                ids.join(", ")
            ));
        }
        let client = self.treezor()?;
        let tag = AccessTag::random();
        let outcome = client
            .request_kyc_review(user, Some(&tag))
            .await
            .map_err(Error::from);
        let answered = self
            .audited(action, Some(user), None, outcome, |_| {
                format!("KYC review requested{note}")
            })
            .await?;
        let review = answered
            .kyc_review
            .filter(|r| r.is_pending() || r.is_decision())
            .unwrap_or(KycReview::Pending);
        self.record(
            user,
            CaseEvent::Review {
                at: self.now(),
                review,
                comment: None,
            },
        )
        .await?;
        Ok(ReviewRequested {
            user_id: user,
            children_without_documents: children,
        })
    }
}

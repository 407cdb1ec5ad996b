//! Ask Treezor to review the user's KYC.

use kyc::{Action, CaseEvent, KycReview, UserId};
use serde::Serialize;
use treezor::AccessTag;

use super::{Confirmation, action_words};
use crate::clock::now;
use crate::desk::Desk;
use crate::error::{ChildWithoutDocuments, Error, Result};

/// The review was requested.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReviewRequested {
    pub user_id: UserId,
    /// Children the officer confirmed the request despite.
    pub children_without_documents: Vec<ChildWithoutDocuments>,
}

impl Desk {
    /// Requests the KYC review of `user` (which covers its children). When children have no
    /// documents in Treezor yet, the request needs `Confirmed` and names them.
    pub async fn request_review(
        &self,
        user: UserId,
        confirmation: Confirmation,
    ) -> Result<ReviewRequested> {
        let action = Action::RequestReview;
        let when = now();
        let detail = self
            .store()
            .read(move |reader| reader.case_detail(user, when))
            .await?;
        self.check(action, user, &detail.view, confirmation).await?;
        let children: Vec<ChildWithoutDocuments> = detail
            .children
            .iter()
            .filter(|child| child.documents.is_empty())
            .map(|child| ChildWithoutDocuments {
                user_id: child.user_id,
                display_name: child.display_name.clone(),
            })
            .collect();
        if !children.is_empty() && confirmation == Confirmation::Unconfirmed {
            let names: Vec<String> = children
                .iter()
                .map(|c| format!("{} ({})", c.display_name, c.user_id))
                .collect();
            return Err(Error::NeedsConfirmation {
                action: action_words(action),
                user,
                reason: format!(
                    "the review covers the children too, and these have no document in Treezor yet: {}. Treezor's compliance team may refuse the review.",
                    names.join(", ")
                ),
                children,
            });
        }
        let client = self.treezor()?;
        let tag = AccessTag::random();
        let outcome = client
            .request_kyc_review(user, Some(&tag))
            .await
            .map_err(Error::from);
        let note = if children.is_empty() {
            String::new()
        } else {
            let ids: Vec<String> = children.iter().map(|c| c.user_id.to_string()).collect();
            format!(
                "; confirmed despite children without documents: {}",
                ids.join(", ")
            )
        };
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
                at: now(),
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

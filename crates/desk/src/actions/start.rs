//! Start a live verification and get the link to send the customer.

use cache::Outcome;
use kyc::case::LINK_LIFETIME_SECONDS;
use kyc::{Action, CaseEvent, IdentificationId, LivenessType, Timestamp, UserId};
use serde::Serialize;

use super::{Confirmation, action_name, confirmed_words};
use crate::desk::Desk;
use crate::error::{Error, RedirectProblem, Result};

/// A started verification: the link to send the customer, valid 15 minutes once they open it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StartedVerification {
    pub user_id: UserId,
    pub identification: IdentificationId,
    pub url: String,
    pub issued_at: Timestamp,
    /// The earliest the link can expire: it is valid 15 minutes from when the customer opens it,
    /// which the desk does not see.
    pub expires_at: Timestamp,
    pub liveness_type: Option<LivenessType>,
}

impl Desk {
    /// Starts a live verification for `user`. Replacing one in progress, or starting one for a
    /// person with an AML flag, needs `Confirmed` (the audit entry says what was confirmed).
    ///
    /// The start is sent once: Treezor does not declare an `accessTag` on it, so a repeat could
    /// start a second verification. When its answer is lost after it left, the case records that
    /// Treezor may have started one ([`CaseEvent::StartUnanswered`]) and the officer decides.
    pub async fn start_verification(
        &self,
        user: UserId,
        redirect_url: Option<String>,
        confirmation: Confirmation,
    ) -> Result<StartedVerification> {
        let action = Action::StartVerification;
        let redirect_url = redirect_url
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty())
            .map(|u| check_redirect_url(&u).map(|()| u))
            .transpose()?;
        let detail = self.case_detail(user).await?;
        let confirmed = self.check(action, &detail, confirmation).await?;
        let confirmed = confirmed_words(&confirmed, &detail.view);
        // The guide's required attributes, before Treezor is called: its 428 says the same, less
        // clearly, and is still read when Treezor knows better than the cache.
        let missing: Vec<String> = detail
            .profile
            .as_ref()
            .map(|p| p.missing_for_liveness())
            .unwrap_or_default()
            .into_iter()
            .map(str::to_owned)
            .collect();
        if !missing.is_empty() {
            let error = Error::MissingAttributes { user, missing };
            return self.refuse(action_name(action), user, error).await;
        }
        let client = self.treezor()?;
        let sent_at = self.now();
        let started = match client.start_liveness(user, redirect_url.as_deref()).await {
            Ok(started) => Ok(started),
            Err(error) => match error.lost_answer() {
                Some(lost) => {
                    return Err(self.start_unanswered(user, sent_at, lost, &confirmed).await);
                }
                None => Err(missing_attributes(user, error)),
            },
        };
        let issued_at = self.now();
        let started = self
            .audited(action, Some(user), None, started, |s| {
                format!("identification {} issued{confirmed}", s.identification)
            })
            .await?;
        let expires_at = issued_at.plus_seconds(LINK_LIFETIME_SECONDS);
        let event = CaseEvent::LinkIssued {
            at: issued_at,
            identification: started.identification.clone(),
            url: started.url.clone(),
            expires_at,
            liveness_type: started.liveness_type,
        };
        self.record(user, event).await?;
        Ok(StartedVerification {
            user_id: user,
            identification: started.identification,
            url: started.url,
            issued_at,
            expires_at,
            liveness_type: started.liveness_type,
        })
    }

    /// A start whose answer was lost: recorded in the case and the audit trail as such, and
    /// not sent again.
    async fn start_unanswered(
        &self,
        user: UserId,
        sent_at: Timestamp,
        lost: treezor::LostAnswer,
        confirmed: &str,
    ) -> Error {
        let recorded = self
            .record(user, CaseEvent::StartUnanswered { at: sent_at })
            .await;
        let audited = self
            .audit(
                Action::StartVerification,
                Some(user),
                None,
                Outcome::Failed,
                format!(
                    "answer lost ({lost}): Treezor may have started a verification; not sent again{confirmed}"
                ),
            )
            .await;
        match recorded.and(audited) {
            Ok(()) => Error::StartAnswerLost { user, lost },
            Err(e) => e,
        }
    }
}

/// Treezor's 428 becomes the list of attributes the officer must fill in.
fn missing_attributes(user: UserId, error: treezor::Error) -> Error {
    if let Some(treezor::Problem::MissingAttributes(missing)) = error.treezor().map(|t| &t.problem)
    {
        return Error::MissingAttributes {
            user,
            missing: missing.clone(),
        };
    }
    Error::Treezor(error)
}

fn check_redirect_url(url: &str) -> Result<()> {
    match reqwest::Url::parse(url) {
        Ok(parsed) if parsed.scheme() == "https" && parsed.host().is_some() => Ok(()),
        Ok(parsed)
            if parsed.scheme() == "http"
                && matches!(parsed.host_str(), Some("localhost" | "127.0.0.1")) =>
        {
            Ok(())
        }
        Ok(_) => Err(Error::InvalidRedirectUrl(RedirectProblem::NotHttps)),
        Err(e) => Err(Error::InvalidRedirectUrl(RedirectProblem::NotUrl(
            e.to_string(),
        ))),
    }
}

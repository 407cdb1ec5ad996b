//! Start a live verification and get the link to send the customer.

use kyc::case::LINK_LIFETIME_SECONDS;
use kyc::{Action, CaseEvent, IdentificationId, LivenessType, Timestamp, UserId};
use serde::Serialize;
use treezor::AccessTag;

use super::Confirmation;
use crate::clock::now;
use crate::desk::Desk;
use crate::error::{Error, Result};

/// A started verification: the link to send the customer, valid 15 minutes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StartedVerification {
    pub user_id: UserId,
    pub identification: IdentificationId,
    pub url: String,
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    pub liveness_type: Option<LivenessType>,
}

impl Desk {
    /// Starts a live verification for `user`. Replacing one in progress needs `Confirmed`.
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
        let view = self.case_view(user).await?;
        self.check(action, user, &view, confirmation).await?;
        let client = self.treezor()?;
        let tag = AccessTag::random();
        let started = client
            .start_liveness(user, redirect_url.as_deref(), Some(&tag))
            .await
            .map_err(|e| missing_attributes(user, e));
        let issued_at = now();
        let started = self
            .audited(action, Some(user), None, started, |s| {
                format!("identification {} issued", s.identification)
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
        Ok(_) => Err(Error::InvalidRedirectUrl(
            "it must start with https://".to_owned(),
        )),
        Err(e) => Err(Error::InvalidRedirectUrl(e.to_string())),
    }
}

//! Reading the relay's feed (`GET /v1/events?after&limit&wait`), asking it who the credential
//! belongs to (`GET /v1/me`), and adding the officer's team records to it (`POST /v1/team`), with
//! the feed token or the officer's own credential; and the team's trail at the hub (`POST
//! /v1/trail`, `GET /v1/trail/verify`).

use std::time::Duration;

use kyc::claim::ClaimRefusal;
use kyc::deadline::DeadlinePolicy;
use kyc::feed::FeedPage;
use kyc::officer::Me;
use kyc::team::{TeamWrite, TeamWritten};
use kyc::trail::{TrailCheck, TrailWrite, TrailWritten};
use thiserror::Error;
use treezor::Transport;

use super::refusal::{HubRefusal, declined, refusal};
use crate::secrets::Secret;

/// Why a page of the feed could not be read. Messages never hold the token.
#[derive(Debug, Error)]
pub enum FeedError {
    #[error(
        "the relay at {url} cannot be reached ({transport}). Check the relay URL in Settings and that the relay is running."
    )]
    Unreachable { url: String, transport: Transport },
    /// A four-eyes run the hub recorded that did not come back in its feed.
    #[error(
        "the run of approval {proposal} did not come back in the feed of the relay at {url}; a retry sends it again under the same id"
    )]
    RunNotSeen { url: String, proposal: u64 },
    #[error(
        "the relay refused the credential (HTTP 401): it is neither the relay's feed token nor an officer credential the hub knows. Enter your officer credential, or the current feed token, in Settings."
    )]
    Unauthorized,
    /// The hub said why it refused the credential (e.g. `credential_revoked`), typed from its
    /// code; its English message is for the logs.
    #[error("the relay refused the credential: {message}")]
    Refused {
        refusal: HubRefusal,
        message: String,
    },
    /// The hub refused the request itself (a role, a limit, a proposal answered before), typed
    /// from its code.
    #[error("the relay answered HTTP {status}: {message}")]
    Declined {
        status: u16,
        refusal: HubRefusal,
        message: String,
    },
    /// The hub refused a claim, a release or a reassignment: the log says why.
    #[error("{0}")]
    Claim(ClaimRefusal),
    /// An answer that is not the hub's JSON; `detail` is the first of its body, quoted.
    #[error("the relay answered HTTP {status}: {detail}")]
    Status { status: u16, detail: String },
    /// A relay older than the request (404 on its path).
    #[error("the relay does not serve {answer} (HTTP 404); upgrade it to a hub that does")]
    Outdated { answer: HubAnswer },
    /// `detail` is the JSON parser's own description (what, at which line and column).
    #[error(
        "the relay's {answer} is not what a KYC Desk relay answers ({detail}). Check that the relay URL points to a KYC Desk relay."
    )]
    Malformed { answer: HubAnswer, detail: String },
}

/// Which of the relay's answers, as an error names it: the window words it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum HubAnswer {
    FeedPage,
    WhoAmI,
    Deadlines,
    TeamRecord,
    TrailEntry,
    TrailCheck,
}

impl std::fmt::Display for HubAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            HubAnswer::FeedPage => "feed page",
            HubAnswer::WhoAmI => "answer naming the credential's officer",
            HubAnswer::Deadlines => "team's deadlines",
            HubAnswer::TeamRecord => "answer to a team record",
            HubAnswer::TrailEntry => "answer to a trail entry",
            HubAnswer::TrailCheck => "check of the team's trail",
        })
    }
}

/// The JSON of `answer`, or the parser's own description of why it is not.
fn read_json<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    answer: HubAnswer,
) -> Result<T, FeedError> {
    serde_json::from_slice(bytes).map_err(|e| FeedError::Malformed {
        answer,
        detail: e.to_string(),
    })
}

impl FeedError {
    /// Whether the hub refused the credential (rather than being away or failing): then it names
    /// no one any more.
    pub fn is_refusal(&self) -> bool {
        matches!(self, FeedError::Unauthorized | FeedError::Refused { .. })
    }
}

/// The relay's feed endpoint.
#[derive(Clone)]
pub struct Feed {
    base_url: String,
    token: Secret,
    http: reqwest::Client,
}

impl Feed {
    pub fn new(base_url: &str, token: Secret) -> Feed {
        Feed {
            base_url: base_url.trim_end_matches('/').to_owned(),
            token,
            // No overall timeout here: a long poll holds for `wait` seconds; each request sets one.
            // The token goes to this origin only: no redirect is followed.
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(5))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("the HTTP client builds"),
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Events after `after`, waiting up to `wait` for the first one.
    pub async fn page(
        &self,
        after: u64,
        limit: u32,
        wait: Duration,
    ) -> Result<FeedPage, FeedError> {
        let query = [
            ("after", after.to_string()),
            ("limit", limit.to_string()),
            ("wait", wait.as_secs().to_string()),
        ];
        let response = self
            .get("/v1/events", &query, wait + Duration::from_secs(10))
            .await?;
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED {
            return Err(refusal(response).await);
        }
        if !status.is_success() {
            return Err(declined(status.as_u16(), response).await);
        }
        let bytes = response.bytes().await.map_err(|e| FeedError::Unreachable {
            url: self.base_url.clone(),
            transport: Transport::of(&e),
        })?;
        read_json(&bytes, HubAnswer::FeedPage)
    }

    /// Who the hub says the credential belongs to: `None` for the shared feed token (it names no
    /// one) and for a relay too old to say (no `/v1/me`).
    pub async fn me(&self) -> Result<Option<Me>, FeedError> {
        let me: Option<Me> = self.get_json("/v1/me", HubAnswer::WhoAmI).await?;
        Ok(me.filter(|me| me.name.is_some()))
    }

    /// The team's deadlines as the hub serves them; `None` from a relay too old to serve them
    /// (no `/v1/deadlines`), which leaves the desk on the ones it has.
    pub async fn deadlines(&self) -> Result<Option<DeadlinePolicy>, FeedError> {
        self.get_json("/v1/deadlines", HubAnswer::Deadlines).await
    }

    /// `GET path` read as JSON; `None` for a relay too old to have `path` (404).
    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        answer: HubAnswer,
    ) -> Result<Option<T>, FeedError> {
        let response = self.get(path, &[], Duration::from_secs(10)).await?;
        match response.status() {
            reqwest::StatusCode::UNAUTHORIZED => Err(refusal(response).await),
            reqwest::StatusCode::NOT_FOUND => Ok(None),
            status if !status.is_success() => Err(declined(status.as_u16(), response).await),
            _ => {
                let bytes = response.bytes().await.map_err(|e| FeedError::Unreachable {
                    url: self.base_url.clone(),
                    transport: Transport::of(&e),
                })?;
                read_json(&bytes, answer).map(Some)
            }
        }
    }

    /// Sets the team's deadlines (`PUT /v1/deadlines`, a senior's credential); the answer is the
    /// policy the hub now holds.
    pub async fn set_deadlines(
        &self,
        policy: &DeadlinePolicy,
    ) -> Result<DeadlinePolicy, FeedError> {
        let request = self
            .http
            .put(format!("{}/v1/deadlines", self.base_url))
            .json(policy);
        self.ask(request, Duration::from_secs(10), HubAnswer::Deadlines)
            .await
    }

    /// `GET path?query` on the relay with the credential, within `timeout`.
    async fn get(
        &self,
        path: &str,
        query: &[(&str, String)],
        timeout: Duration,
    ) -> Result<reqwest::Response, FeedError> {
        self.http
            .get(format!("{}{path}", self.base_url))
            .query(query)
            .bearer_auth(self.token.expose())
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| FeedError::Unreachable {
                url: self.base_url.clone(),
                transport: Transport::of(&e),
            })
    }

    /// Adds a team record to the hub's log (`POST /v1/team`), with the officer's credential.
    /// The hub's refusals (`forbidden` for the auditor role, `officer_credential_required` for
    /// the shared feed token, a revoked credential…) come back as [`FeedError::Refused`] or
    /// [`FeedError::Declined`], typed from the hub's code.
    pub async fn write_team(&self, write: &TeamWrite) -> Result<TeamWritten, FeedError> {
        let request = self
            .http
            .post(format!("{}/v1/team", self.base_url))
            .json(write);
        self.ask(request, Duration::from_secs(10), HubAnswer::TeamRecord)
            .await
    }

    /// Adds one of this desk's audit entries to the team's trail at the hub (`POST /v1/trail`),
    /// with the officer's credential; the hub names the author from it.
    pub async fn write_trail(&self, write: &TrailWrite) -> Result<TrailWritten, FeedError> {
        let request = self
            .http
            .post(format!("{}/v1/trail", self.base_url))
            .json(write);
        self.ask(request, Duration::from_secs(30), HubAnswer::TrailEntry)
            .await
    }

    /// Asks the hub to verify the team's trail (`GET /v1/trail/verify`).
    pub async fn verify_trail(&self, seen: Option<u64>) -> Result<TrailCheck, FeedError> {
        let url = match seen {
            Some(seq) => format!("{}/v1/trail/verify?seen={seq}", self.base_url),
            None => format!("{}/v1/trail/verify", self.base_url),
        };
        let request = self.http.get(url);
        self.ask(request, Duration::from_secs(30), HubAnswer::TrailCheck)
            .await
    }

    /// Sends a request to the hub with the officer's credential and reads its JSON `answer`; a
    /// relay without the route (404) is told to be upgraded, a refusal carries the hub's words.
    async fn ask<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        timeout: Duration,
        answer: HubAnswer,
    ) -> Result<T, FeedError> {
        let unreachable = |e: reqwest::Error| FeedError::Unreachable {
            url: self.base_url.clone(),
            transport: Transport::of(&e),
        };
        let response = request
            .bearer_auth(self.token.expose())
            .timeout(timeout)
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        if status.is_success() {
            let bytes = response.bytes().await.map_err(unreachable)?;
            return read_json(&bytes, answer);
        }
        if status == reqwest::StatusCode::NOT_FOUND {
            return Err(FeedError::Outdated { answer });
        }
        if status == reqwest::StatusCode::UNAUTHORIZED {
            return Err(refusal(response).await);
        }
        Err(declined(status.as_u16(), response).await)
    }

    /// Checks that the relay answers and accepts the token, without waiting.
    pub async fn check(&self) -> Result<u64, FeedError> {
        self.page(0, 1, Duration::ZERO).await.map(|p| p.last_seq)
    }
}

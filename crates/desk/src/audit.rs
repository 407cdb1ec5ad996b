//! The audit log, as the officer reaches it: verify the chain (with the key and the anchor from
//! the keychain, see `crate::trail`), export all of it or one user's trail.

use std::path::{Path, PathBuf};

use cache::{AuditBreak, AuditRecord, AuditScope, Outcome};
use kyc::UserId;
use kyc::trail::{TrailCheck, Witness};
use serde::{Deserialize, Serialize};

use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::faults::Fault;
use crate::words::HubProblem;

/// The file format of an export.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Csv,
    Json,
}

/// What verifying the chain found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditCheck {
    pub intact: bool,
    /// Entries checked, when the trail is intact.
    pub entries: u64,
    /// The first entry found wrong (for a removal, the first one missing).
    pub broken_at: Option<u64>,
    /// How the chain breaks, if it does (the window words it, and what to do).
    pub break_kind: Option<cache::BreakKind>,
    /// The cache file the trail lives in, to keep unchanged when it breaks.
    pub cache_file: String,
    /// Where and how the chain breaks, in English, for logs and the command line.
    pub problem: Option<String>,
    /// What the officer should do about it, in English.
    pub advice: Option<String>,
    /// The hub's answer about the team's trail, when this desk is signed in to a hub with an
    /// officer's credential; `None` otherwise (the local trail is the whole record then).
    pub hub: Option<HubTrailCheck>,
}

/// What the hub said when asked to verify the team's trail (`GET /v1/trail/verify`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HubTrailCheck {
    /// Whether the hub answered (it may be away).
    pub answered: bool,
    /// The hub answered that every entry holds.
    pub intact: bool,
    /// Entries that hold together (before the break, if any).
    pub entries: u64,
    /// The first entry of the hub's trail that does not hold.
    pub broken_at: Option<u64>,
    /// How the hub's chain breaks (the window words it).
    pub break_kind: Option<kyc::trail::BreakKind>,
    /// Why the hub could not be asked (the window words it).
    pub unreachable: Option<HubProblem>,
    /// Where and how the hub's chain breaks, or why the hub could not be asked, in English.
    pub problem: Option<String>,
}

/// A written export.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditExport {
    pub path: PathBuf,
    pub entries: u64,
}

impl Desk {
    /// Up to `limit` entries after `after_seq`, oldest first: the whole log, or one user's trail.
    pub async fn audit_entries(
        &self,
        user: Option<UserId>,
        after_seq: u64,
        limit: usize,
    ) -> Result<Vec<AuditRecord>> {
        let scope = user.map_or(AuditScope::All, AuditScope::User);
        self.store()
            .read(move |reader| reader.audit_entries(scope, after_seq, limit))
            .await
    }

    /// Verifies the whole trail: every entry's MAC under the key, the chain, and that the trail
    /// still reaches the anchor the keychain holds.
    pub async fn verify_audit(&self) -> Result<AuditCheck> {
        let verdict = self
            .on_trail(|trail, cache, when, officer| trail.verify(cache, when, officer))
            .await?;
        Ok(match verdict {
            Ok(entries) => AuditCheck {
                intact: true,
                entries,
                broken_at: None,
                break_kind: None,
                cache_file: self.inner.trail.cache_path().display().to_string(),
                problem: None,
                advice: None,
                hub: self.verify_hub_trail().await,
            },
            Err(broken) => AuditCheck {
                intact: false,
                entries: 0,
                broken_at: Some(broken.at_seq),
                break_kind: Some(broken.kind),
                cache_file: self.inner.trail.cache_path().display().to_string(),
                problem: Some(describe(&broken)),
                advice: Some(format!(
                    "Keep the cache file {} unchanged for investigation and tell your compliance lead. Export the trail now (CSV or JSON) to keep a copy of what remains; KYC Desk goes on recording new actions after the break, and keeps reporting it.",
                    self.inner.trail.cache_path().display()
                )),
                hub: self.verify_hub_trail().await,
            },
        })
    }

    /// Asks the hub to verify the team's trail, when signed in to one with an officer's
    /// credential. A hub that cannot answer is said, not taken for a broken trail.
    async fn verify_hub_trail(&self) -> Option<HubTrailCheck> {
        self.inner.health.borrow().signed_in.as_ref()?;
        let hub = crate::desk::lock(&self.inner.running).hub.clone()?;
        let witness = self.hub_trail_witness(hub.base_url()).await;
        let seen = witness
            .as_ref()
            .and_then(|w| w.verified.as_ref().map(|(at, _)| *at));
        Some(match hub.verify_trail(seen).await {
            Ok(check) => {
                let check = self
                    .held_to_witness(hub.base_url(), check, witness.as_ref())
                    .await;
                HubTrailCheck {
                answered: true,
                intact: check.intact(),
                entries: check.entries,
                broken_at: check.broken.as_ref().map(|broken| broken.seq),
                break_kind: check.broken.as_ref().map(|broken| broken.kind),
                unreachable: None,
                problem: check.broken.map(|broken| {
                    format!(
                        "The team's trail at the hub breaks at entry {}: {}. Tell the hub's administrator and your compliance lead; keep the hub's database as it is.",
                        broken.seq, broken.reason
                    )
                }),
            }
            }
            Err(error) => HubTrailCheck {
                answered: false,
                intact: false,
                entries: 0,
                broken_at: None,
                break_kind: None,
                unreachable: Some(HubProblem::from(&error)),
                problem: Some(format!(
                    "The hub could not be asked to verify the team's trail: {error}"
                )),
            },
        })
    }

    /// What this desk saw of `hub`'s trail. When the cache cannot be read, the hub's answer
    /// stands as it is, said in the log.
    async fn hub_trail_witness(&self, hub: &str) -> Option<Witness> {
        let key = hub.to_owned();
        match self
            .store()
            .read(move |reader| reader.hub_trail_witnessed(&key))
            .await
        {
            Ok(witnessed) => witnessed.map(|w| w.witness),
            Err(error) => {
                tracing::warn!(%error, "what this desk saw of the hub's trail could not be read");
                None
            }
        }
    }

    /// The hub's check held against what this desk saw of that trail: entries cut from the end
    /// leave a chain that verifies, so the hub alone cannot tell (see
    /// [`TrailCheck::against_witness`]). An intact answer becomes the witness.
    async fn held_to_witness(
        &self,
        hub: &str,
        check: TrailCheck,
        witness: Option<&Witness>,
    ) -> TrailCheck {
        let check = check.against_witness(witness);
        if let (true, Some(head)) = (check.intact(), check.head.clone()) {
            let (hub, seq) = (hub.to_owned(), check.entries);
            if let Err(error) = self
                .store()
                .write(move |cache| cache.hub_trail_verified(&hub, seq, &head, crate::clock::now()))
                .await
            {
                tracing::warn!(%error, "what the hub's trail holds could not be recorded");
            }
        }
        check
    }

    /// Exports the log (or one user's trail) into `folder` (created owner-only when missing) as an
    /// owner-only file, and audits the export itself.
    pub async fn export_audit(
        &self,
        user: Option<UserId>,
        format: ExportFormat,
        folder: &Path,
    ) -> Result<AuditExport> {
        crate::owner_only::create_dir(folder).map_err(|e| {
            Error::Internal(Fault::ExportFolder {
                path: folder.display().to_string(),
                detail: e.to_string(),
            })
        })?;
        let stamp = crate::clock::now().to_rfc3339().replace([':', '.'], "-");
        let scope_name = user.map_or_else(|| "all".to_owned(), |u| format!("user-{u}"));
        let extension = match format {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
        };
        // Exporting is an officer action: it runs only if it can be recorded.
        self.audit_ready().await?;
        let path = folder.join(format!("kyc-desk-audit-{scope_name}-{stamp}.{extension}"));
        let temporary = path.with_extension(format!("{extension}.part"));
        let scope = user.map_or(AuditScope::All, AuditScope::User);
        let target = temporary.clone();
        let entries = self
            .store()
            .read(move |reader| {
                // Owner-only: the trail names customers.
                let mut file = std::io::BufWriter::new(
                    crate::owner_only::create_file(&target).map_err(cache::Error::Export)?,
                );
                let count = match format {
                    ExportFormat::Csv => reader.audit_export_csv(scope, &mut file)?,
                    ExportFormat::Json => reader.audit_export_json(scope, &mut file)?,
                };
                std::io::Write::flush(&mut file).map_err(cache::Error::Export)?;
                Ok(count)
            })
            .await?;
        std::fs::rename(&temporary, &path).map_err(|e| {
            Error::Internal(Fault::ExportNotNamed {
                path: path.display().to_string(),
                detail: e.to_string(),
            })
        })?;
        self.audit_named(
            "export_audit",
            user,
            None,
            Outcome::Succeeded,
            format!("{entries} entries exported as {extension}"),
        )
        .await?;
        Ok(AuditExport { path, entries })
    }
}

/// The break in the officer's words: it starts with a capital, ends with a full stop.
fn describe(broken: &AuditBreak) -> String {
    let text = broken.to_string();
    let mut chars = text.chars();
    let first = chars.next().map(|c| c.to_uppercase().to_string());
    format!("{}{}.", first.unwrap_or_default(), chars.as_str())
}

//! The audit trail's key and anchor, kept where the cache file cannot reach them.
//!
//! The cache chains its audit entries with an HMAC under a key, and verifies them against an
//! anchor (the number of entries and the last MAC): see `cache::audit`. Both live in the OS
//! keychain, beside the dashboard's secrets, in two entries named after the cache file they
//! vouch for (`audit-key <path>`, `audit-anchor <path>`), so two homes of one OS user never share
//! them. The key is created the first time a trail is opened with none; the anchor is written
//! after every append.
//!
//! Demo mode and the tests of other parts keep their secrets in memory, and so does their trail:
//! its key is derived from the cache file's path (so a desk started again on the same file, even
//! in another process, reads its own entries) and its anchor lives as long as the desk, the
//! file's own last entry standing in for it at start. Such a trail finds an edit that a key
//! would find, and a cut made while the desk runs, but protects nothing against someone who knows
//! the scheme: it is never used for an officer's real cache (the app uses the keychain, and never
//! falls back to memory on its own).
//!
//! What must stay true:
//! - **The anchor may lag, never lead.** The entry is committed to the cache first; the anchor is
//!   written after, on the same thread (the cache's writer), so appends and anchor writes never
//!   interleave. A crash in between leaves the keychain's anchor one entry behind; the next
//!   opening catches it up.
//! - **A key once opened stays in memory.** An action that already ran (Treezor answered, a file
//!   was removed) is always recorded, even if the keychain locks meanwhile: only the anchor write
//!   waits, and is retried with the next append.
//! - **An officer action runs only if it can be audited.** Before calling Treezor, the desk asks
//!   the keychain for the anchor ([`Trail::ready`]): a locked keychain refuses the action with what
//!   to do, and nothing is sent.
//! - **A lost key is a broken trail**, never a new key over old entries: the officer is told to
//!   restore the keychain or start a new file.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use cache::{AuditAnchor, AuditBreak, AuditEntry, AuditKey, AuditRecord, Cache};
use kyc::Timestamp;

use crate::desk::lock;
use crate::error::{Error, Result};
use crate::faults::TrailProblem;
use crate::secrets::{KEYCHAIN_SERVICE, Kept, KeychainOperation, keychain_error};

/// Where the key and the anchor are kept.
enum Place {
    Keychain {
        key: String,
        anchor: String,
    },
    /// Process memory, chosen explicitly: the key derived from the path, the anchor as stored.
    Memory(Mutex<Option<String>>),
}

/// One cache file's audit trail: where its key and anchor are kept, and once opened, the key and
/// the exact anchor.
pub(crate) struct Trail {
    cache: PathBuf,
    place: Place,
    open: Mutex<Option<Open>>,
}

/// The open trail: the key, and the anchor as the last append left it.
struct Open {
    key: AuditKey,
    anchor: AuditAnchor,
    /// Whether the keychain's anchor is behind `anchor` (its last write failed).
    anchor_pending: bool,
}

impl Trail {
    /// The trail of the cache file at `cache`, its key and anchor in the OS keychain.
    pub fn in_keychain(cache: &Path) -> Trail {
        let named = |what: &str| format!("{what} {}", cache.display());
        Trail {
            cache: cache.to_path_buf(),
            place: Place::Keychain {
                key: named("audit-key"),
                anchor: named("audit-anchor"),
            },
            open: Mutex::new(None),
        }
    }

    /// The trail of the cache file at `cache`, its key and anchor in memory (demo mode, tests).
    pub fn in_memory(cache: &Path) -> Trail {
        Trail {
            cache: cache.to_path_buf(),
            place: Place::Memory(Mutex::new(None)),
            open: Mutex::new(None),
        }
    }

    /// The cache file this trail is in.
    pub fn cache_path(&self) -> &Path {
        &self.cache
    }

    /// Appends `entry`; the caller is the cache's writer thread. Opens the trail first if needed.
    pub fn append(&self, cache: &mut Cache, entry: &AuditEntry) -> Result<AuditRecord> {
        self.with_open(cache, entry.at, &entry.officer, |open, cache| {
            let (record, anchor) = cache.audit_append(&open.key, &open.anchor, entry)?;
            open.anchor = anchor;
            open.anchor_pending = true;
            self.save_anchor(open);
            Ok(record)
        })
    }

    /// Checks, before an officer action, that its entries can be written and anchored: the trail
    /// opens, and the keychain answers for the anchor now. A lagging anchor is caught up.
    pub fn ready(&self, cache: &mut Cache, at: Timestamp, officer: &str) -> Result<()> {
        self.with_open(cache, at, officer, |open, _| {
            let stored = self.read_anchor()?;
            if open.anchor_pending || stored.as_ref() != Some(&open.anchor) {
                self.write_anchor(&open.anchor)?;
                open.anchor_pending = false;
            }
            Ok(())
        })
    }

    /// Verifies the whole trail with the key, against the anchor.
    pub fn verify(
        &self,
        cache: &mut Cache,
        at: Timestamp,
        officer: &str,
    ) -> Result<std::result::Result<u64, AuditBreak>> {
        self.with_open(cache, at, officer, |open, cache| {
            Ok(cache.audit_verify(&open.key, Some(&open.anchor))?)
        })
    }

    /// Opens the trail now (at the desk's start), so that a file from before the keyed chain is
    /// sealed and a lagging anchor caught up before anything else is written.
    pub fn open_now(&self, cache: &mut Cache, at: Timestamp, officer: &str) -> Result<()> {
        self.with_open(cache, at, officer, |_, _| Ok(()))
    }

    /// Runs `work` on the open trail, opening it first if needed.
    fn with_open<R>(
        &self,
        cache: &mut Cache,
        at: Timestamp,
        officer: &str,
        work: impl FnOnce(&mut Open, &mut Cache) -> Result<R>,
    ) -> Result<R> {
        let mut open = lock(&self.open);
        if open.is_none() {
            *open = Some(self.open(cache, at, officer)?);
        }
        work(open.as_mut().expect("opened above"), cache)
    }

    /// Opens the trail: the key from its place (created on first use), the anchor brought
    /// together with the file (see `cache::Cache::audit_open`).
    fn open(&self, cache: &mut Cache, at: Timestamp, officer: &str) -> Result<Open> {
        let mut stored = self.read_anchor()?;
        if let (Place::Memory(_), None) = (&self.place, &stored) {
            // Nothing outlives a desk in memory: the file's own tail stands in for the anchor.
            stored = cache.audit_file_anchor()?;
        }
        let key = match self.read(Which::Key)? {
            Some(text) => {
                AuditKey::from_hex(&text).ok_or_else(|| self.broken(TrailProblem::KeyNotOurs))?
            }
            None if stored.is_some() || cache.audit_chains()?.1 > 0 => {
                return Err(self.broken(TrailProblem::KeyMissing));
            }
            None => {
                let key = AuditKey::from_bytes(rand::random());
                self.write(Which::Key, &key.to_hex())?;
                key
            }
        };
        let opened = cache.audit_open(&key, stored.clone(), at, officer)?;
        let mut open = Open {
            key,
            anchor_pending: stored.as_ref() != Some(&opened.anchor)
                && (opened.anchor.entries > 0 || opened.anchor.known_break.is_some()),
            anchor: opened.anchor,
        };
        self.save_anchor(&mut open);
        Ok(open)
    }

    /// Writes the anchor if it is pending; a failure leaves it pending (it lags), and is logged.
    fn save_anchor(&self, open: &mut Open) {
        if !open.anchor_pending {
            return;
        }
        match self.write_anchor(&open.anchor) {
            Ok(()) => open.anchor_pending = false,
            Err(error) => tracing::warn!(
                %error,
                entries = open.anchor.entries,
                "the audit trail's anchor could not be updated; it is written with the next entry"
            ),
        }
    }

    fn read_anchor(&self) -> Result<Option<AuditAnchor>> {
        self.read(Which::Anchor)?
            .map(|text| {
                serde_json::from_str(&text).map_err(|_| self.broken(TrailProblem::AnchorNotOurs))
            })
            .transpose()
    }

    fn write_anchor(&self, anchor: &AuditAnchor) -> Result<()> {
        let text = serde_json::to_string(anchor).expect("an anchor serializes");
        self.write(Which::Anchor, &text)
    }

    fn broken(&self, problem: TrailProblem) -> Error {
        Error::AuditTrail {
            cache: self.cache.clone(),
            problem,
        }
    }

    fn read(&self, which: Which) -> Result<Option<String>> {
        match &self.place {
            Place::Keychain { .. } => match self.entry(which)?.get_password() {
                Ok(text) => Ok(Some(text)),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(keychain_error(which.kept(), KeychainOperation::Read, e)),
            },
            Place::Memory(anchor) => Ok(match which {
                Which::Key => Some(memory_key(&self.cache).to_hex()),
                Which::Anchor => lock(anchor).clone(),
            }),
        }
    }

    fn write(&self, which: Which, text: &str) -> Result<()> {
        match &self.place {
            Place::Keychain { .. } => self
                .entry(which)?
                .set_password(text)
                .map_err(|e| keychain_error(which.kept(), KeychainOperation::Save, e)),
            Place::Memory(anchor) => {
                if let Which::Anchor = which {
                    *lock(anchor) = Some(text.to_owned());
                }
                Ok(())
            }
        }
    }

    fn entry(&self, which: Which) -> Result<keyring::Entry> {
        let Place::Keychain { key, anchor } = &self.place else {
            unreachable!("only the keychain has entries")
        };
        let user = match which {
            Which::Key => key,
            Which::Anchor => anchor,
        };
        keyring::Entry::new(KEYCHAIN_SERVICE, user)
            .map_err(|e| keychain_error(which.kept(), KeychainOperation::Open, e))
    }
}

/// The key of a trail kept in memory: derived from the cache file's path (see the module doc).
fn memory_key(cache: &Path) -> AuditKey {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(b"KYC Desk audit trail kept in memory\n")
        .chain_update(cache.as_os_str().as_encoded_bytes())
        .finalize();
    AuditKey::from_bytes(digest.into())
}

#[derive(Clone, Copy)]
enum Which {
    Key,
    Anchor,
}

impl Which {
    fn kept(self) -> Kept {
        match self {
            Which::Key => Kept::AuditKey,
            Which::Anchor => Kept::AuditAnchor,
        }
    }
}

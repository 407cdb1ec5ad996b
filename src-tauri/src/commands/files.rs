//! Documents on this machine: listed with their age, removed on the officer's request.

use desk::files::{LocalFiles, PurgeReport, PurgeSelection};
use serde::Deserialize;
use tauri::State;

use super::document_id;
use crate::error::{ErrorCode, IpcError, ShellWords};
use crate::state::DeskState;

/// The most documents one purge request may name; far more than a screen lists.
const MAX_DOCUMENTS: usize = 10_000;

/// Which downloaded documents the officer asked to remove.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PurgeRequest {
    /// These documents' downloads.
    Documents { document_ids: Vec<u64> },
    /// Every download older than this many days.
    OlderThanDays { days: u32 },
}

impl PurgeRequest {
    /// Checks what the window sent: ids are positive, the list is bounded and not empty.
    fn selection(self) -> Result<PurgeSelection, IpcError> {
        match self {
            PurgeRequest::Documents { document_ids } => {
                if document_ids.is_empty() || document_ids.len() > MAX_DOCUMENTS {
                    return Err(IpcError::new(
                        ErrorCode::InvalidArgument,
                        ShellWords::PurgeCount {
                            max: MAX_DOCUMENTS as u64,
                        },
                    ));
                }
                let ids = document_ids
                    .into_iter()
                    .map(document_id)
                    .collect::<Result<_, _>>()?;
                Ok(PurgeSelection::Documents(ids))
            }
            PurgeRequest::OlderThanDays { days } => Ok(PurgeSelection::OlderThanDays(days)),
        }
    }
}

/// The documents downloaded on this machine, with their age, and the downloads a crash cut short.
#[tauri::command]
pub async fn local_files(state: State<'_, DeskState>) -> Result<LocalFiles, IpcError> {
    Ok(state.desk().await?.local_files().await?)
}

/// Removes downloaded documents from this machine; each removal is audited.
#[tauri::command]
pub async fn purge_documents(
    state: State<'_, DeskState>,
    request: PurgeRequest,
) -> Result<PurgeReport, IpcError> {
    let selection = request.selection()?;
    Ok(state.desk().await?.purge_documents(selection).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_purge_request_names_real_documents_and_not_too_many() {
        let request: PurgeRequest =
            serde_json::from_str(r#"{"kind":"documents","document_ids":[7,8]}"#).unwrap();
        assert!(matches!(
            request.selection().unwrap(),
            PurgeSelection::Documents(ids) if ids.len() == 2
        ));
        for bad in [
            r#"{"kind":"documents","document_ids":[]}"#,
            r#"{"kind":"documents","document_ids":[0]}"#,
        ] {
            let request: PurgeRequest = serde_json::from_str(bad).unwrap();
            let error = request.selection().unwrap_err();
            assert_eq!(error.code, ErrorCode::InvalidArgument, "{bad}");
        }
        let request: PurgeRequest =
            serde_json::from_str(r#"{"kind":"older_than_days","days":30}"#).unwrap();
        assert_eq!(
            request.selection().unwrap(),
            PurgeSelection::OlderThanDays(30)
        );
        assert!(serde_json::from_str::<PurgeRequest>(r#"{"kind":"users","users":[1]}"#).is_err());
    }
}

//! The reference screen: the guide's reason codes and which of them must never reach the customer.

/// The guide's 30 refusal reason codes, in its order, each with its family and AML sensitivity.
#[tauri::command]
pub fn reason_catalogue() -> Vec<kyc::CatalogueEntry> {
    kyc::catalogue()
}

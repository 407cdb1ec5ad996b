//! What an officer may do to a case now: the actions, and why one is refused or needs
//! confirmation.
//!
//! A refusal is final for the case as it stands; a caution is something the officer must have
//! read before going on. Cautions are typed, not strings, so that a rule can hook onto one: the
//! next step is a second officer's approval for a new verification of an AML-flagged person.

use serde::Serialize;

use super::{CaseState, CaseView};
use crate::hierarchy::Standing;

/// What an officer can do to a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    StartVerification,
    RetrieveDocuments,
    DownloadDocument,
    RequestReview,
}

impl Action {
    pub const ALL: [Action; 4] = [
        Action::StartVerification,
        Action::RetrieveDocuments,
        Action::DownloadDocument,
        Action::RequestReview,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::StartVerification => "start_verification",
            Action::RetrieveDocuments => "retrieve_documents",
            Action::DownloadDocument => "download_document",
            Action::RequestReview => "request_review",
        }
    }
}

/// Why an action needs the officer to confirm it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Caution {
    /// The person has an AML flag (see [`CaseView::aml_flags`]): a new verification goes on
    /// record as started despite it.
    AmlFlagged,
    /// A link is out or the provider is deciding: a new verification replaces it.
    ReplacesVerificationInProgress,
    /// The last verification succeeded and its documents are not reviewed yet.
    ReplacesValidatedVerification,
    /// The user's KYC was validated already.
    AlreadyValidated,
    /// Treezor's answer to the last start was lost: Treezor may have started a verification
    /// whose link nobody has.
    StartAnswerLost,
    /// Children that need documents do not have them in Treezor yet.
    ChildrenWithoutDocuments,
    /// The user is a child: the review usually goes on the parent.
    ReviewGoesOnParent,
}

impl Caution {
    pub fn message(self) -> &'static str {
        match self {
            Caution::AmlFlagged => {
                "This person has an AML flag: an earlier verification was refused for a reason that suggests fraud or prohibited behaviour. A new verification is recorded in the audit trail as started despite the flag."
            }
            Caution::ReplacesVerificationInProgress => {
                "A verification is in progress for this user. Starting a new one replaces it: the customer's current link stops counting and its documents can no longer be retrieved."
            }
            Caution::ReplacesValidatedVerification => {
                "The last verification was validated and has not been reviewed yet. Starting a new one replaces it, and its documents can no longer be retrieved."
            }
            Caution::AlreadyValidated => {
                "This user's KYC review was validated. Start a new verification only if the compliance team asked for one."
            }
            Caution::StartAnswerLost => {
                "Treezor's answer to the last start was lost, so Treezor may have started a verification whose link nobody has. Starting again replaces it."
            }
            Caution::ChildrenWithoutDocuments => {
                "The review covers the children too, and some that need documents do not have them in Treezor yet. In most cases Treezor needs them first: go on only if Treezor's compliance team asked for it."
            }
            Caution::ReviewGoesOnParent => {
                "This user is a child of another user. In most cases the KYC review is requested for the parent, and covers its children: open the parent unless Treezor's compliance team asked for this one."
            }
        }
    }
}

/// Why an action is not allowed now, in words an officer can act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    NoVerification,
    NotProcessedYet,
    NotValidated,
    DocumentsAlreadyReceived,
    DocumentsNotRetrieved,
    DocumentsNotArrived,
    NoDocuments,
    ReviewInProgress,
    ReviewAlreadyValidated,
    ReviewRefused,
    /// A legal entity is not verified by live video.
    LegalEntity,
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Refusal::NoVerification => {
                "There is no processed verification for this user. Start a verification first."
            }
            Refusal::NotProcessedYet => {
                "The verification is not processed yet. Wait for Treezor's kycliveness.update webhook."
            }
            Refusal::NotValidated => {
                "Documents can only be retrieved after a verification processed with score 1. Start a new verification."
            }
            Refusal::DocumentsAlreadyReceived => {
                "The documents of this verification are already in Treezor."
            }
            Refusal::DocumentsNotRetrieved => {
                "The documents of the validated verification have not been retrieved. Retrieve the documents first."
            }
            Refusal::DocumentsNotArrived => {
                "Not every document Treezor holds for this user has arrived yet (the documents panel names those awaited). Wait for their document.create webhooks, or check the documents now."
            }
            Refusal::NoDocuments => {
                "No document has arrived for this user yet. Retrieve the documents first."
            }
            Refusal::ReviewInProgress => {
                "A KYC review is in progress at Treezor. Wait for its decision."
            }
            Refusal::ReviewAlreadyValidated => "This user's KYC review was validated already.",
            Refusal::ReviewRefused => {
                "Treezor refused this user's KYC review. Start a new verification before requesting another review."
            }
            Refusal::LegalEntity => {
                "A legal entity is never verified by live video: its leaders and shareholders are. Request its KYC review once their documents are in."
            }
        }
    }
}

/// The answer to "may the officer do this now?".
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "verdict", content = "why", rename_all = "snake_case")]
pub enum Permission {
    Allowed,
    /// Every caution the officer must have read, the most serious first.
    NeedsConfirmation(Vec<Caution>),
    NotAllowed(Refusal),
}

impl Permission {
    /// The cautions to confirm (none unless the action needs confirmation).
    pub fn cautions(&self) -> &[Caution] {
        match self {
            Permission::NeedsConfirmation(cautions) => cautions,
            _ => &[],
        }
    }

    /// Adds `caution` to what must be confirmed; a refusal stays a refusal.
    fn with(self, caution: Caution) -> Permission {
        match self {
            Permission::Allowed => Permission::NeedsConfirmation(vec![caution]),
            Permission::NeedsConfirmation(mut cautions) => {
                if !cautions.contains(&caution) {
                    cautions.push(caution);
                }
                Permission::NeedsConfirmation(cautions)
            }
            refused @ Permission::NotAllowed(_) => refused,
        }
    }

    fn with_if(self, applies: bool, caution: Caution) -> Permission {
        if applies { self.with(caution) } else { self }
    }
}

impl CaseView {
    /// May the officer do `action` now, for a user who stands as `standing` in their hierarchy?
    pub fn permission(&self, action: Action, standing: &Standing) -> Permission {
        use Permission::{Allowed, NotAllowed};
        if standing.legal_entity {
            return match action {
                Action::StartVerification | Action::RetrieveDocuments => {
                    NotAllowed(Refusal::LegalEntity)
                }
                Action::DownloadDocument => self.download_permission(),
                Action::RequestReview => match self.state {
                    CaseState::ReviewRequested => NotAllowed(Refusal::ReviewInProgress),
                    CaseState::ReviewValidated => NotAllowed(Refusal::ReviewAlreadyValidated),
                    _ => Allowed.with_if(
                        !standing.children_without_documents.is_empty(),
                        Caution::ChildrenWithoutDocuments,
                    ),
                },
            };
        }
        match action {
            Action::StartVerification => {
                let by_state = self.start_permission();
                // The flag comes first: it is what a second officer will have to approve.
                match by_state {
                    NotAllowed(_) => by_state,
                    _ if self.aml_flagged() => {
                        let mut cautions = vec![Caution::AmlFlagged];
                        cautions.extend_from_slice(by_state.cautions());
                        Permission::NeedsConfirmation(cautions)
                    }
                    _ => by_state,
                }
                .with_if(self.unanswered_start.is_some(), Caution::StartAnswerLost)
            }
            Action::RetrieveDocuments => self.retrieve_permission(),
            Action::DownloadDocument => self.download_permission(),
            Action::RequestReview => self
                .review_permission()
                .with_if(
                    !standing.children_without_documents.is_empty(),
                    Caution::ChildrenWithoutDocuments,
                )
                .with_if(standing.parent.is_some(), Caution::ReviewGoesOnParent),
        }
    }

    fn start_permission(&self) -> Permission {
        use CaseState as S;
        use Permission::{Allowed, NeedsConfirmation, NotAllowed};
        match self.state {
            S::NoVerification
            | S::LinkExpired
            | S::Abandoned
            | S::Refused
            | S::Failed
            | S::ReviewRefused => Allowed,
            S::LinkIssued | S::Processing => {
                NeedsConfirmation(vec![Caution::ReplacesVerificationInProgress])
            }
            S::Validated | S::DocumentsRequested | S::DocumentsReceived => {
                NeedsConfirmation(vec![Caution::ReplacesValidatedVerification])
            }
            S::ReviewValidated => NeedsConfirmation(vec![Caution::AlreadyValidated]),
            S::ReviewRequested => NotAllowed(Refusal::ReviewInProgress),
        }
    }

    fn retrieve_permission(&self) -> Permission {
        use CaseState as S;
        use Permission::{Allowed, NotAllowed};
        match self.state {
            S::Validated | S::DocumentsRequested => Allowed,
            S::LinkIssued | S::Processing => NotAllowed(Refusal::NotProcessedYet),
            S::Refused | S::Failed => NotAllowed(Refusal::NotValidated),
            S::NoVerification | S::LinkExpired | S::Abandoned => {
                NotAllowed(Refusal::NoVerification)
            }
            S::DocumentsReceived | S::ReviewRequested | S::ReviewValidated | S::ReviewRefused => {
                NotAllowed(Refusal::DocumentsAlreadyReceived)
            }
        }
    }

    fn download_permission(&self) -> Permission {
        if self.documents.is_empty() {
            Permission::NotAllowed(Refusal::NoDocuments)
        } else {
            Permission::Allowed
        }
    }

    fn review_permission(&self) -> Permission {
        use CaseState as S;
        use Permission::{Allowed, NotAllowed};
        match self.state {
            S::DocumentsReceived => Allowed,
            S::DocumentsRequested => NotAllowed(Refusal::DocumentsNotArrived),
            S::Validated => NotAllowed(Refusal::DocumentsNotRetrieved),
            S::ReviewRequested => NotAllowed(Refusal::ReviewInProgress),
            S::ReviewValidated => NotAllowed(Refusal::ReviewAlreadyValidated),
            S::ReviewRefused => NotAllowed(Refusal::ReviewRefused),
            S::LinkIssued | S::Processing => NotAllowed(Refusal::NotProcessedYet),
            S::Refused | S::Failed => NotAllowed(Refusal::NotValidated),
            S::NoVerification | S::LinkExpired | S::Abandoned => {
                NotAllowed(Refusal::NoVerification)
            }
        }
    }
}

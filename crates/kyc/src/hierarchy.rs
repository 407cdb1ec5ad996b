//! Parents and children: Treezor's hierarchies (a legal entity with its leaders and shareholders,
//! at most two deep) and what they mean for the KYC review.
//!
//! The guide: "When there are parent-children hierarchical relationship, in most cases, the KYC
//! Review must only be requested for the parent user. But you may need to upload Documents for
//! the children before that." So the review of a parent waits for the documents of the children
//! that need them, and a review asked for a child is unusual: both need the officer's
//! confirmation rather than a refusal, since the guide says "in most cases".

use crate::case::CaseState;
use crate::ids::UserId;

/// Where a user stands in a hierarchy, beyond the events of their own case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Standing {
    /// A business, a non-profit or a government body: never verified by live video.
    pub legal_entity: bool,
    /// The parent, for a child.
    pub parent: Option<UserId>,
    /// The children whose documents the review needs and that do not have them in Treezor yet.
    pub children_without_documents: Vec<UserId>,
}

impl Standing {
    /// A person with no parent and no child.
    pub fn person() -> Standing {
        Standing::default()
    }
}

/// Whether a child with this `parentType` must have documents in Treezor before its parent's
/// review. Leaders and shareholders (beneficial owners) must; employees are not reviewed with
/// the entity. A role Treezor adds later is treated as one that must.
pub fn child_needs_documents(parent_type: Option<&str>) -> bool {
    !parent_type.is_some_and(|role| role.trim().eq_ignore_ascii_case("employee"))
}

/// Whether a child's documents are in Treezor: it has documents, and none is still awaited.
pub fn documents_in(state: Option<CaseState>, documents: usize) -> bool {
    documents > 0 && state != Some(CaseState::DocumentsRequested)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaders_and_shareholders_need_documents_and_employees_do_not() {
        assert!(child_needs_documents(Some("leader")));
        assert!(child_needs_documents(Some("shareholder")));
        assert!(child_needs_documents(None));
        assert!(child_needs_documents(Some("director")));
        assert!(!child_needs_documents(Some("Employee")));
    }

    #[test]
    fn documents_are_in_once_none_is_awaited() {
        assert!(!documents_in(Some(CaseState::Validated), 0));
        assert!(!documents_in(Some(CaseState::DocumentsRequested), 2));
        assert!(documents_in(Some(CaseState::DocumentsReceived), 2));
        assert!(
            documents_in(None, 1),
            "documents uploaded outside a verification count"
        );
    }
}

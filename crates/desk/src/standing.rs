//! Where a case's user stands in its hierarchy, read from the cache's case detail: what the
//! review rule of `kyc::hierarchy` needs, and the children it names.

use cache::CaseDetail;
use kyc::Standing;
use kyc::hierarchy::{child_needs_documents, documents_in};

use crate::error::ChildWithoutDocuments;

/// The user's standing: a legal entity or not, its parent, its children without documents.
pub(crate) fn standing(detail: &CaseDetail) -> Standing {
    Standing {
        legal_entity: detail.profile.as_ref().is_some_and(|p| p.is_legal_entity()),
        parent: detail.parent.as_ref().map(|p| p.user_id),
        children_without_documents: children_without_documents(detail)
            .into_iter()
            .map(|c| c.user_id)
            .collect(),
    }
}

/// The children whose documents the review needs and that do not have them in Treezor yet. A
/// child the cache has not seen counts as one that needs them.
pub fn children_without_documents(detail: &CaseDetail) -> Vec<ChildWithoutDocuments> {
    detail
        .children
        .iter()
        .filter(|child| {
            let role = child
                .profile
                .as_ref()
                .and_then(|p| p.parent_type.as_deref());
            child_needs_documents(role) && !documents_in(child.state, child.documents.len())
        })
        .map(|child| ChildWithoutDocuments {
            user_id: child.user_id,
            display_name: child.display_name.clone(),
        })
        .collect()
}

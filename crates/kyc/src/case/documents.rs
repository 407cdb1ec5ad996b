//! "All the documents": when a validated verification's documents count as received.
//!
//! The guide: Treezor "sends you as many `document.create` webhooks as there are documents …
//! You can make your KYC Review request only once you've received all the document creation
//! webhooks." How many there will be is not said anywhere, so the desk asks Treezor what exists
//! (`GET /v1/documents?userId=…`, recorded as [`CaseEvent::DocumentsListed`]) and compares. The
//! documents count as received when a listing made after the retrieval was asked for has been
//! read, every document it names has arrived, and the verification's synthesis document (type 26
//! or 34) is among them (a listing read before Treezor created anything names nothing).
//!
//! A `document.create` that never comes would hold the case forever; the desk reads the listing
//! again with backoff, and a document still without its webhook after a grace period is taken
//! from the listing ([`CaseEvent::DocumentRecovered`]), which the timeline shows as such.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{CaseEvent, KnownDocument};
use crate::ids::DocumentId;
use crate::time::Timestamp;
use crate::values::DocumentTypeId;

/// One document in Treezor's list of a user's documents.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ListedDocument {
    pub document: DocumentId,
    pub document_type: DocumentTypeId,
    /// Treezor's `createdDate`.
    pub created_at: Option<Timestamp>,
}

/// How the desk knows of a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DocumentSource {
    /// Its `document.create` webhook.
    Webhook,
    /// Treezor's list of documents, its webhook having never arrived.
    Listing,
}

/// What the review still waits for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Awaited {
    /// Treezor's list of the user's documents has not been read since the retrieval.
    Listing,
    /// The verification's synthesis document (type 26 or 34).
    Synthesis,
    /// A document Treezor lists whose `document.create` has not arrived.
    Document {
        document: DocumentId,
        document_type: DocumentTypeId,
    },
}

/// One reading of Treezor's list of documents, for the timeline and for deciding when a
/// document's webhook is late enough to be taken from the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Listing {
    pub at: Timestamp,
    /// What Treezor listed.
    pub documents: Vec<ListedDocument>,
}

/// Every document known, from webhooks and from listings; a webhook wins over a listing.
pub(super) fn known_documents<'a>(
    events: impl Iterator<Item = &'a CaseEvent>,
) -> Vec<KnownDocument> {
    let mut by_id: BTreeMap<DocumentId, KnownDocument> = BTreeMap::new();
    for event in events {
        let known = match event {
            CaseEvent::DocumentCreated {
                at,
                document,
                document_type,
            } => KnownDocument {
                document: *document,
                document_type: *document_type,
                created_at: *at,
                source: DocumentSource::Webhook,
                taken_at: None,
            },
            CaseEvent::DocumentRecovered {
                at,
                document:
                    ListedDocument {
                        document,
                        document_type,
                        created_at,
                    },
            } => KnownDocument {
                document: *document,
                document_type: *document_type,
                created_at: created_at.unwrap_or(*at),
                source: DocumentSource::Listing,
                taken_at: Some(*at),
            },
            _ => continue,
        };
        by_id
            .entry(known.document)
            .and_modify(|seen| {
                // The same in every order: the webhook's word, then the earliest time.
                if (known.source, known.created_at) < (seen.source, seen.created_at) {
                    *seen = known.clone();
                }
            })
            .or_insert(known);
    }
    let mut documents: Vec<KnownDocument> = by_id.into_values().collect();
    documents.sort_by_key(|d| (d.created_at, d.document));
    documents
}

/// Every reading of the list, oldest first.
pub(super) fn listings<'a>(events: impl Iterator<Item = &'a CaseEvent>) -> Vec<Listing> {
    events
        .filter_map(|e| match e {
            CaseEvent::DocumentsListed { at, documents } => Some(Listing {
                at: *at,
                documents: documents.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// When Treezor's list first named `document`, if it ever did.
pub fn first_listed(listings: &[Listing], document: DocumentId) -> Option<Timestamp> {
    listings
        .iter()
        .filter(|l| l.documents.iter().any(|d| d.document == document))
        .map(|l| l.at)
        .min()
}

/// What the review of a verification started at `since` still waits for, the retrieval having
/// been asked for at `requested` (if the desk asked). Empty: every document is in.
pub(super) fn awaited<'a>(
    events: impl Iterator<Item = &'a CaseEvent> + Clone,
    known: &[KnownDocument],
    since: Timestamp,
    requested: Option<Timestamp>,
) -> Vec<Awaited> {
    let after = requested.unwrap_or(since).max(since);
    let latest = events
        .filter_map(|e| match e {
            CaseEvent::DocumentsListed { at, documents } if *at >= after => Some((*at, documents)),
            _ => None,
        })
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    let mut awaited = Vec::new();
    match latest {
        None => awaited.push(Awaited::Listing),
        Some((_, listed)) => awaited.extend(
            listed
                .iter()
                .filter(|l| !known.iter().any(|k| k.document == l.document))
                .map(|l| Awaited::Document {
                    document: l.document,
                    document_type: l.document_type,
                }),
        ),
    }
    let synthesis_in = known
        .iter()
        .any(|d| d.document_type.is_synthesis() && d.created_at >= since);
    if !synthesis_in {
        awaited.push(Awaited::Synthesis);
    }
    awaited
}

//! Documents the sandbox holds, as Treezor writes them.

use kyc::{DocumentTypeId, Timestamp};

use crate::content::{Content, Layout};
use crate::wire::{Obj, Wire};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentRecord {
    pub id: u64,
    pub user: u64,
    pub type_id: DocumentTypeId,
    pub status: String,
    pub file_name: String,
    pub created: Timestamp,
    pub modified: Timestamp,
    /// The size the file is padded to when its content is smaller.
    pub size: u64,
    /// What the file holds. Its name's extension says what it was when the document was created;
    /// a test may change the content afterwards to make the file lie about itself.
    pub content: Content,
}

impl DocumentRecord {
    pub fn new(
        id: u64,
        user: u64,
        type_id: DocumentTypeId,
        now: Timestamp,
        size: u64,
        content: Content,
    ) -> Self {
        let stem = type_id.name().to_lowercase().replace(' ', "_");
        DocumentRecord {
            id,
            user,
            type_id,
            status: "PENDING".into(),
            file_name: format!("{id}_{stem}.{}", content.extension()),
            created: now,
            modified: now,
            size,
            content,
        }
    }

    /// The document's file.
    pub fn layout(&self) -> Layout {
        self.content
            .layout(self.id, self.user, self.type_id.name(), self.size)
    }

    /// `firstname`/`lastname` are the owner's (Treezor still sends these deprecated fields).
    pub fn json(&self, wire: Wire, firstname: &str, lastname: &str) -> String {
        Obj::new(wire)
            .int("documentId", self.id as i64)
            .text("documentTag", "")
            .text("documentStatus", &self.status)
            .int("documentTypeId", i64::from(self.type_id.number()))
            .text("documentType", self.type_id.name())
            .int("userId", self.user as i64)
            .text("userFirstname", firstname)
            .text("userLastname", lastname)
            .text("name", &self.file_name)
            .text("fileName", &self.file_name)
            .text("codeStatus", "600003")
            .text("informationStatus", "")
            .text("createdDate", &self.created.to_treezor_date())
            .text("modifiedDate", &self.modified.to_treezor_date())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_reads_back_through_the_domain_type() {
        let doc = DocumentRecord::new(
            9,
            42,
            DocumentTypeId::CERTIFIED_LIVENESS_RESULT,
            Timestamp::from_unix_seconds(1_720_000_000),
            10,
            Content::Pdf { pages: 3 },
        );
        let rest: kyc::objects::Document =
            serde_json::from_str(&doc.json(Wire::Rest, "A", "B")).unwrap();
        let hook: kyc::objects::Document =
            serde_json::from_str(&doc.json(Wire::Webhook, "A", "B")).unwrap();
        assert_eq!(rest, hook);
        assert!(rest.document_type_id.unwrap().is_synthesis());
        assert_eq!(
            rest.file_name.as_deref(),
            Some("9_certified_liveness_result.pdf")
        );
    }
}

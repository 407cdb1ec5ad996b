//! The values of a user's KYC and of a live verification, parsed once at the edge.
//!
//! Codes that Treezor may extend (`kycLevel`, `kycReview`, `userTypeId`) keep an `Unknown` variant
//! so that a new value is shown to the officer instead of stopping the sync; values whose meaning
//! drives an action (`score`) refuse anything unknown.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{ParseError, Result};
use crate::lenient::{lenient_serde, parse_integer};

/// `kyc-status` of a live verification, as the webhooks carry it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub enum LivenessStatus {
    /// The end user finished (or left) the capture; the provider is deciding.
    Processing,
    /// The provider decided; the score says how.
    Processed,
    /// The end user abandoned the capture.
    Aborted,
    /// The identification URL expired before the end user finished.
    Expired,
    /// Any other value, kept as received (lowercased) and shown to the officer.
    Other(String),
}

impl LivenessStatus {
    pub fn parse(raw: &str) -> Result<Self> {
        let normalized = raw.trim().to_ascii_lowercase();
        Ok(match normalized.as_str() {
            "" => {
                return Err(ParseError::new(
                    "kyc-status",
                    raw,
                    "a status such as processing",
                ));
            }
            "processing" | "pending" => LivenessStatus::Processing,
            "processed" | "completed" => LivenessStatus::Processed,
            "aborted" | "abandoned" | "canceled" | "cancelled" => LivenessStatus::Aborted,
            "expired" | "link_expired" => LivenessStatus::Expired,
            _ => LivenessStatus::Other(normalized),
        })
    }

    pub fn as_str(&self) -> &str {
        match self {
            LivenessStatus::Processing => "processing",
            LivenessStatus::Processed => "processed",
            LivenessStatus::Aborted => "aborted",
            LivenessStatus::Expired => "expired",
            LivenessStatus::Other(other) => other,
        }
    }
}

impl fmt::Display for LivenessStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

lenient_serde!(LivenessStatus, string);

/// `score` of a processed live verification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "-1 | 0 | 1"))]
pub enum Score {
    /// 1: the user was identified.
    Validated,
    /// 0: the provider could not verify the user (e.g. expired document).
    Refused,
    /// -1: the verification could not be processed (error, abandon, no document shown).
    Failed,
}

impl Score {
    pub fn parse(raw: &str) -> Result<Self> {
        match parse_integer(raw) {
            Some(1) => Ok(Score::Validated),
            Some(0) => Ok(Score::Refused),
            Some(-1) => Ok(Score::Failed),
            _ => Err(ParseError::new("score", raw, "1, 0 or -1")),
        }
    }

    pub fn number(self) -> i8 {
        match self {
            Score::Validated => 1,
            Score::Refused => 0,
            Score::Failed => -1,
        }
    }

    /// The score in words, for the officer.
    pub fn words(self) -> &'static str {
        match self {
            Score::Validated => "Validated: the user was identified",
            Score::Refused => "Refused: the provider could not verify the user",
            Score::Failed => "Failed: the verification could not be processed",
        }
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.number())
    }
}

lenient_serde!(Score, number);

macro_rules! coded_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal { $($variant:ident = $value:literal => $words:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "number"))]
        pub enum $name {
            $(#[doc = $words] $variant,)*
            /// A value Treezor added after this list was written.
            Unknown(i64),
        }

        impl $name {
            pub fn parse(raw: &str) -> Result<Self> {
                match parse_integer(raw) {
                    $(Some($value) => Ok($name::$variant),)*
                    Some(other) => Ok($name::Unknown(other)),
                    None => Err(ParseError::new($field, raw, "a whole number")),
                }
            }

            pub fn number(self) -> i64 {
                match self {
                    $($name::$variant => $value,)*
                    $name::Unknown(other) => other,
                }
            }

            pub fn words(self) -> &'static str {
                match self {
                    $($name::$variant => $words,)*
                    $name::Unknown(_) => "unknown value",
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.number())
            }
        }

        lenient_serde!($name, number);
    };
}

coded_enum!(
    /// `kycLevel` of a user.
    KycLevel, "kycLevel" {
        None = 0 => "none",
        Light = 1 => "light",
        Regular = 2 => "regular",
        Strong = 3 => "strong",
        Refused = 4 => "refused",
        PreValidated = 5 => "pre-validated",
        Enhanced = 6 => "enhanced",
    }
);

coded_enum!(
    /// `kycReview` of a user: where Treezor's KYC review stands.
    KycReview, "kycReview" {
        None = 0 => "no review",
        Pending = 1 => "review pending",
        Validated = 2 => "validated",
        Refused = 3 => "refused",
        Investigating = 4 => "investigating",
        Closed = 5 => "closed",
        ReviewOpen = 6 => "review open",
        ReviewPending = 7 => "review pending",
    }
);

coded_enum!(
    /// `userTypeId`.
    UserType, "userTypeId" {
        Person = 1 => "natural person",
        Business = 2 => "business",
        NonProfit = 3 => "non-profit organisation",
        Government = 4 => "government organisation",
    }
);

impl UserType {
    /// A business, a non-profit or a government body: a legal entity. Treezor never verifies
    /// one by live video; its leaders and shareholders (its children) are verified, and the KYC
    /// review is requested for it as the parent.
    pub fn is_legal_entity(self) -> bool {
        matches!(
            self,
            UserType::Business | UserType::NonProfit | UserType::Government
        )
    }
}

impl KycReview {
    /// Whether Treezor has a review in progress for this user.
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            KycReview::Pending
                | KycReview::Investigating
                | KycReview::ReviewOpen
                | KycReview::ReviewPending
        )
    }

    /// Whether this value is a decision.
    pub fn is_decision(self) -> bool {
        matches!(self, KycReview::Validated | KycReview::Refused)
    }
}

/// `documentTypeId`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "number"))]
pub struct DocumentTypeId(u16);

impl DocumentTypeId {
    pub const IDENTITY_CARD: DocumentTypeId = DocumentTypeId(9);
    pub const PROOF_OF_ADDRESS: DocumentTypeId = DocumentTypeId(12);
    pub const RESIDENCE_PERMIT: DocumentTypeId = DocumentTypeId(15);
    pub const DRIVING_LICENCE: DocumentTypeId = DocumentTypeId(16);
    pub const PASSPORT: DocumentTypeId = DocumentTypeId(17);
    /// The synthesis of a liveness verification.
    pub const LIVENESS_RESULT: DocumentTypeId = DocumentTypeId(26);
    /// The synthesis of a certified video verification.
    pub const CERTIFIED_LIVENESS_RESULT: DocumentTypeId = DocumentTypeId(34);

    pub fn parse(raw: &str) -> Result<Self> {
        match parse_integer(raw) {
            Some(value @ 1..=9999) => Ok(DocumentTypeId(value as u16)),
            _ => Err(ParseError::new(
                "documentTypeId",
                raw,
                "a whole number from 1 to 9999",
            )),
        }
    }

    pub fn number(self) -> u16 {
        self.0
    }

    /// Whether this is a live verification's synthesis document (26 or 34): its arrival means the
    /// verification's documents are in Treezor.
    pub fn is_synthesis(self) -> bool {
        self == Self::LIVENESS_RESULT || self == Self::CERTIFIED_LIVENESS_RESULT
    }

    pub fn name(self) -> &'static str {
        match self.0 {
            9 => "Identity card",
            12 => "Proof of address",
            15 => "Residence permit",
            16 => "Driving licence",
            17 => "Passport",
            26 => "Liveness result",
            34 => "Certified liveness result",
            _ => "Other document",
        }
    }
}

impl fmt::Display for DocumentTypeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl<'de> Deserialize<'de> for DocumentTypeId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        crate::lenient::parse_with(d, DocumentTypeId::parse)
    }
}

impl Serialize for DocumentTypeId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_u16(self.0)
    }
}

/// Which of the two live verification methods Treezor set up for the account (`type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum LivenessType {
    /// Video, identity proof and a SEPA transfer as an extra step.
    Liveness,
    /// Certified video (PVID): video and identity proof with challenges.
    VideoCertified,
}

impl LivenessType {
    pub fn parse(raw: &str) -> Result<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "liveness" => Ok(LivenessType::Liveness),
            "video_certified" | "video-certified" | "certified_video" | "pvid" => {
                Ok(LivenessType::VideoCertified)
            }
            _ => Err(ParseError::new("type", raw, "liveness or video_certified")),
        }
    }

    /// The synthesis document this method produces.
    pub fn synthesis_document(self) -> DocumentTypeId {
        match self {
            LivenessType::Liveness => DocumentTypeId::LIVENESS_RESULT,
            LivenessType::VideoCertified => DocumentTypeId::CERTIFIED_LIVENESS_RESULT,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_reads_the_three_values_as_strings_or_numbers() {
        let scores: Vec<Score> = serde_json::from_str(r#"["1", 0, "-1", -1, 1]"#).unwrap();
        assert_eq!(
            scores,
            [
                Score::Validated,
                Score::Refused,
                Score::Failed,
                Score::Failed,
                Score::Validated
            ]
        );
        assert_eq!(serde_json::to_string(&Score::Failed).unwrap(), "-1");
        for bad in ["2", "", "yes", "0.5"] {
            assert!(Score::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn kyc_level_and_review_keep_unknown_values() {
        assert_eq!(KycLevel::parse("3").unwrap(), KycLevel::Strong);
        assert_eq!(KycLevel::parse("9").unwrap(), KycLevel::Unknown(9));
        let reviews: Vec<KycReview> = serde_json::from_str(r#"[0,"1",2,"3",4,5,6,"7",8]"#).unwrap();
        assert_eq!(
            reviews,
            [
                KycReview::None,
                KycReview::Pending,
                KycReview::Validated,
                KycReview::Refused,
                KycReview::Investigating,
                KycReview::Closed,
                KycReview::ReviewOpen,
                KycReview::ReviewPending,
                KycReview::Unknown(8)
            ]
        );
        assert!(KycReview::Pending.is_pending() && !KycReview::Validated.is_pending());
        assert!(KycReview::Refused.is_decision());
        assert!(KycReview::parse("pending").is_err());
    }

    #[test]
    fn user_types_are_read_from_strings_and_numbers() {
        assert_eq!(UserType::parse("2").unwrap(), UserType::Business);
        let person: UserType = serde_json::from_str("1").unwrap();
        assert_eq!(person, UserType::Person);
        assert_eq!(person.words(), "natural person");
        assert!(!person.is_legal_entity());
        for n in 2..=4 {
            assert!(UserType::parse(&n.to_string()).unwrap().is_legal_entity());
        }
        assert!(!UserType::Unknown(9).is_legal_entity());
    }

    #[test]
    fn synthesis_documents_are_26_and_34() {
        for n in 1..=100u16 {
            let id = DocumentTypeId::parse(&n.to_string()).unwrap();
            assert_eq!(id.is_synthesis(), n == 26 || n == 34, "{n}");
        }
        assert_eq!(
            LivenessType::Liveness.synthesis_document(),
            DocumentTypeId::LIVENESS_RESULT
        );
        assert_eq!(
            LivenessType::parse("video_certified")
                .unwrap()
                .synthesis_document()
                .number(),
            34
        );
        assert!(DocumentTypeId::parse("0").is_err());
    }

    #[test]
    fn liveness_status_reads_known_values_and_keeps_others() {
        assert_eq!(
            LivenessStatus::parse("processing").unwrap(),
            LivenessStatus::Processing
        );
        assert_eq!(
            LivenessStatus::parse(" Processed ").unwrap(),
            LivenessStatus::Processed
        );
        assert_eq!(
            LivenessStatus::parse("on_hold").unwrap(),
            LivenessStatus::Other("on_hold".into())
        );
        assert!(LivenessStatus::parse(" ").is_err());
    }
}

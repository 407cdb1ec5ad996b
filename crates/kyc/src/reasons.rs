//! The 30 refusal reason codes of Treezor's live verification, with their exact messages, and
//! their sensitivity under AML/CFT law.
//!
//! What must stay true:
//! - Codes 2301–2399 (fraud) and 2401–2404 (prohibited behaviour) are [`Sensitivity::AmlSensitive`]:
//!   telling the customer about them is tipping-off, an offence.
//! - A code that is not in the guide's list is sensitive until someone classifies it.
//! - The messages are the guide page's, character for character: the officer compares them with
//!   Treezor's back office.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::lenient::StringOrNumber;

/// Whether a reason may be explained to the customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sensitivity {
    /// Capture quality or document compliance: the customer may be told, so they can retry.
    Shareable,
    /// Fraud suspicion or prohibited behaviour (or a code nobody has classified yet): never in
    /// text meant for the customer, logs shown outside the app, or notifications.
    AmlSensitive,
}

/// The families of the guide's codes, by their first two digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// 12xx: the customer's connection.
    Connection,
    /// 13xx: how the document or the face was filmed.
    Capture,
    /// 19xx: a technical failure on the provider's side.
    Technical,
    /// 21xx: the document itself is not acceptable.
    DocumentValidity,
    /// 22xx: the document was not presented as an original.
    DocumentPresentation,
    /// 23xx: fraud detected.
    Fraud,
    /// 24xx: prohibited behaviour.
    ProhibitedBehaviour,
}

impl Family {
    pub fn sensitivity(self) -> Sensitivity {
        match self {
            Family::Fraud | Family::ProhibitedBehaviour => Sensitivity::AmlSensitive,
            Family::Connection
            | Family::Capture
            | Family::Technical
            | Family::DocumentValidity
            | Family::DocumentPresentation => Sensitivity::Shareable,
        }
    }

    /// A short label for the officer.
    pub fn label(self) -> &'static str {
        match self {
            Family::Connection => "Connection",
            Family::Capture => "Capture quality",
            Family::Technical => "Technical",
            Family::DocumentValidity => "Document validity",
            Family::DocumentPresentation => "Document presentation",
            Family::Fraud => "Fraud suspicion",
            Family::ProhibitedBehaviour => "Prohibited behaviour",
        }
    }
}

macro_rules! listed_reasons {
    ($($variant:ident = $code:literal, $family:ident, $message:literal;)*) => {
        /// One of the 30 reason codes listed on Treezor's live verification guide page.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ListedReason {
            $(
                #[doc = $message]
                $variant,
            )*
        }

        impl ListedReason {
            /// Every listed reason, in the guide's order.
            pub const ALL: &'static [ListedReason] = &[$(ListedReason::$variant,)*];

            pub fn code(self) -> u16 {
                match self { $(ListedReason::$variant => $code,)* }
            }

            /// The guide's message, exactly.
            pub fn message(self) -> &'static str {
                match self { $(ListedReason::$variant => $message,)* }
            }

            pub fn family(self) -> Family {
                match self { $(ListedReason::$variant => Family::$family,)* }
            }

            pub fn from_code(code: u16) -> Option<ListedReason> {
                match code { $($code => Some(ListedReason::$variant),)* _ => None }
            }
        }
    };
}

listed_reasons! {
    InsufficientConnection = 1201, Connection, "Applicant did not have a sufficient connexion";
    DocumentVideoBlurry = 1301, Capture, "Applicant’s document video is too blurry (mostly due to too much movement but if this error persists the camera quality might be at fault)";
    DocumentFrontMissing = 1302, Capture, "Applicant has not presented the front of the document";
    DocumentBackMissing = 1303, Capture, "Applicant has not presented the back of the document";
    DocumentPartlyHidden = 1304, Capture, "Applicant hides part of the document";
    DocumentNotDynamic = 1305, Capture, "Applicant did not present a dynamic view of the document";
    FaceVideoBlurry = 1310, Capture, "Applicant’s video of their face is too blurry (mostly due to too much movement but if this error persists the camera quality might be at fault)";
    FaceMissing = 1311, Capture, "Applicant has not presented a face";
    FaceNotFullFront = 1312, Capture, "Applicant did not show the full front view of their face";
    NoLivenessMovement = 1313, Capture, "Applicant did not move to prove the liveness";
    PoorLighting = 1320, Capture, "Applicant performed their id verification under poor lighting conditions";
    InternalError = 1901, Technical, "Internal non-categorizable error";
    VideosUnplayable = 1911, Technical, "The received videos cannot be played";
    DocumentExpired = 2101, DocumentValidity, "Applicant presented an expired document";
    DocumentNotAccepted = 2102, DocumentValidity, "Applicant presented a document which is not accepted";
    DocumentDamaged = 2103, DocumentValidity, "Applicant has submitted a damaged document";
    DocumentPhotocopy = 2201, DocumentPresentation, "Applicant presented a photocopy of the document";
    DocumentOnScreen = 2202, DocumentPresentation, "Applicant presented the document on a screen";
    Counterfeit = 2301, Fraud, "Applicant has submitted a counterfeit or falsification";
    DocumentStolenOrLost = 2302, Fraud, "Applicant presented a document declared as stolen or lost";
    MismatchedFrontAndBack = 2303, Fraud, "Applicant presented the front and back of two different documents";
    NotRightfulOwner = 2304, Fraud, "Applicant is not the rightful owner of the document";
    AnotherPersonsFace = 2305, Fraud, "Applicant presented another person's face";
    AlteredAppearance = 2306, Fraud, "Applicant has altered his/her appearance";
    DigitallyAlteredVideos = 2307, Fraud, "Applicant has digitally altered the videos";
    CertifiedFraudDetected = 2399, Fraud, "Generic code when a fraud has been detected within a certified identity verification";
    IdentityMismatch = 2401, ProhibitedBehaviour, "Applicant’s identity does not match with the expected one";
    AlteredDevice = 2402, ProhibitedBehaviour, "Applicant used a device that has been technically altered";
    AgainstTheirWill = 2403, ProhibitedBehaviour, "Applicant seems to have performed the check against his will";
    RecentFraudAttempt = 2404, ProhibitedBehaviour, "The applicant has recently performed a fraud attempt";
}

impl ListedReason {
    pub fn sensitivity(self) -> Sensitivity {
        self.family().sensitivity()
    }
}

/// A reason code as Treezor sent it: one of the guide's, or one nobody has listed (kept as received,
/// and treated as sensitive).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub enum ReasonCode {
    Listed(ListedReason),
    Unlisted(UnlistedCode),
}

/// A code that is not on the guide's list, as received (trimmed). Always AML-sensitive.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnlistedCode(String);

impl UnlistedCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl ReasonCode {
    /// Reads a code as it comes on the wire: `"2301"`, `2301`, `" 2301 "`. Never fails: a code
    /// that is not one of the guide's is kept as [`ReasonCode::Unlisted`].
    pub fn parse(raw: &str) -> ReasonCode {
        let trimmed = raw.trim();
        match trimmed
            .parse::<u16>()
            .ok()
            .and_then(ListedReason::from_code)
        {
            Some(listed) => ReasonCode::Listed(listed),
            None => ReasonCode::Unlisted(UnlistedCode(trimmed.to_owned())),
        }
    }

    pub fn sensitivity(&self) -> Sensitivity {
        match self {
            ReasonCode::Listed(listed) => listed.sensitivity(),
            ReasonCode::Unlisted(_) => Sensitivity::AmlSensitive,
        }
    }

    pub fn is_aml_sensitive(&self) -> bool {
        self.sensitivity() == Sensitivity::AmlSensitive
    }

    pub fn family(&self) -> Option<Family> {
        match self {
            ReasonCode::Listed(listed) => Some(listed.family()),
            ReasonCode::Unlisted(_) => None,
        }
    }

    /// The guide's message for a listed code.
    pub fn guide_message(&self) -> Option<&'static str> {
        match self {
            ReasonCode::Listed(listed) => Some(listed.message()),
            ReasonCode::Unlisted(_) => None,
        }
    }
}

impl From<ListedReason> for ReasonCode {
    fn from(listed: ListedReason) -> Self {
        ReasonCode::Listed(listed)
    }
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReasonCode::Listed(listed) => write!(f, "{}", listed.code()),
            ReasonCode::Unlisted(code) => f.write_str(code.as_str()),
        }
    }
}

impl Serialize for ReasonCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ReasonCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = StringOrNumber::deserialize(deserializer)?;
        Ok(ReasonCode::parse(raw.as_str()))
    }
}

/// One refusal reason as received in a `kycliveness.update` webhook: the code and the message the
/// provider sent with it. For the officer only; customer text is built with
/// [`crate::customer::CustomerText`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Reason {
    #[serde(rename = "reason-code", alias = "reason_code", alias = "code")]
    pub code: ReasonCode,
    #[serde(
        rename = "reason-message",
        alias = "reason_message",
        alias = "message",
        default
    )]
    pub message: String,
}

impl Reason {
    /// The message to show the officer: the one Treezor sent, or the guide's when it sent none.
    pub fn officer_message(&self) -> &str {
        if self.message.trim().is_empty() {
            self.code
                .guide_message()
                .unwrap_or("No message was sent with this code")
        } else {
            &self.message
        }
    }

    pub fn is_aml_sensitive(&self) -> bool {
        self.code.is_aml_sensitive()
    }
}

/// One line of the reason-code catalogue, as the officer sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CatalogueEntry {
    pub code: u16,
    pub message: &'static str,
    pub family: Family,
    pub family_label: &'static str,
    pub aml_sensitive: bool,
}

/// The guide's 30 codes in its order, for the officer's reference screen.
pub fn catalogue() -> Vec<CatalogueEntry> {
    ListedReason::ALL
        .iter()
        .map(|&listed| CatalogueEntry {
            code: listed.code(),
            message: listed.message(),
            family: listed.family(),
            family_label: listed.family().label(),
            aml_sensitive: listed.sensitivity() == Sensitivity::AmlSensitive,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guide_lists_thirty_codes_each_once() {
        assert_eq!(ListedReason::ALL.len(), 30);
        let mut codes: Vec<u16> = ListedReason::ALL.iter().map(|r| r.code()).collect();
        codes.dedup();
        assert_eq!(
            codes.len(),
            30,
            "codes are listed in increasing order, once each"
        );
        assert!(codes.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn fraud_and_prohibited_behaviour_codes_are_sensitive_and_the_rest_shareable() {
        for &listed in ListedReason::ALL {
            let code = listed.code();
            let expected = if (2301..=2399).contains(&code) || (2401..=2404).contains(&code) {
                Sensitivity::AmlSensitive
            } else {
                Sensitivity::Shareable
            };
            assert_eq!(listed.sensitivity(), expected, "code {code}");
        }
        let sensitive = ListedReason::ALL
            .iter()
            .filter(|r| r.sensitivity() == Sensitivity::AmlSensitive)
            .count();
        assert_eq!(sensitive, 12);
    }

    #[test]
    fn family_follows_the_first_two_digits() {
        for &listed in ListedReason::ALL {
            let expected = match listed.code() / 100 {
                12 => Family::Connection,
                13 => Family::Capture,
                19 => Family::Technical,
                21 => Family::DocumentValidity,
                22 => Family::DocumentPresentation,
                23 => Family::Fraud,
                24 => Family::ProhibitedBehaviour,
                other => panic!("unexpected family {other}"),
            };
            assert_eq!(listed.family(), expected);
        }
    }

    #[test]
    fn messages_are_the_guides_exactly() {
        let m = |c| ListedReason::from_code(c).map(ListedReason::message);
        assert_eq!(
            m(1201),
            Some("Applicant did not have a sufficient connexion")
        );
        assert_eq!(
            m(1310),
            Some(
                "Applicant’s video of their face is too blurry (mostly due to too much movement but if this error persists the camera quality might be at fault)"
            )
        );
        assert_eq!(m(2305), Some("Applicant presented another person's face"));
        assert_eq!(
            m(2399),
            Some(
                "Generic code when a fraud has been detected within a certified identity verification"
            )
        );
        assert_eq!(
            m(2401),
            Some("Applicant’s identity does not match with the expected one")
        );
        assert_eq!(
            m(2404),
            Some("The applicant has recently performed a fraud attempt")
        );
        assert_eq!(m(1300), None);
    }

    #[test]
    fn unknown_and_malformed_codes_are_sensitive() {
        for raw in ["2308", "1999", "9999", "", "abc", "23O1", "-1301", "13010"] {
            let code = ReasonCode::parse(raw);
            assert!(matches!(code, ReasonCode::Unlisted(_)), "{raw:?}");
            assert_eq!(code.sensitivity(), Sensitivity::AmlSensitive, "{raw:?}");
        }
    }

    #[test]
    fn codes_parse_from_strings_and_numbers() {
        let from_string: Reason =
            serde_json::from_str(r#"{"reason-code":"1301","reason-message":"m"}"#).unwrap();
        let from_number: Reason =
            serde_json::from_str(r#"{"reason-code":2301,"reason-message":"m"}"#).unwrap();
        assert_eq!(
            from_string.code,
            ReasonCode::Listed(ListedReason::DocumentVideoBlurry)
        );
        assert_eq!(
            from_number.code,
            ReasonCode::Listed(ListedReason::Counterfeit)
        );
        assert!(from_number.is_aml_sensitive());
        assert_eq!(serde_json::to_value(&from_number.code).unwrap(), "2301");
    }

    #[test]
    fn officer_message_falls_back_to_the_guide() {
        let reason: Reason = serde_json::from_str(r#"{"reason-code":"2202"}"#).unwrap();
        assert_eq!(
            reason.officer_message(),
            "Applicant presented the document on a screen"
        );
    }

    #[test]
    fn catalogue_flags_each_sensitive_code_for_the_officer() {
        let catalogue = catalogue();
        assert_eq!(catalogue.len(), 30);
        let flagged: Vec<u16> = catalogue
            .iter()
            .filter(|e| e.aml_sensitive)
            .map(|e| e.code)
            .collect();
        assert_eq!(
            flagged,
            vec![
                2301, 2302, 2303, 2304, 2305, 2306, 2307, 2399, 2401, 2402, 2403, 2404
            ]
        );
    }
}

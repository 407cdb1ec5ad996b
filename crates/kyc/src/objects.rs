//! Treezor's objects as both webhooks (values as strings) and REST answers (numbers) carry them.
//!
//! Only `userId` / `documentId` are required; every other field is optional, because webhooks and
//! older endpoints leave fields out. Treezor's "empty" values are read as absent: `""`, `null`, a
//! zero id, `0000-00-00` and `0000-00-00 00:00:00`.

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{ParseError, Result};
use crate::ids::{DocumentId, IdentificationId, UserId};
use crate::lenient::StringOrNumber;
use crate::reasons::Reason;
use crate::time::Timestamp;
use crate::values::{DocumentTypeId, KycLevel, KycReview, LivenessStatus, Score, UserType};

/// A value that may come empty.
pub trait Optional: Sized {
    /// `Ok(None)` for Treezor's ways of saying "no value".
    fn parse_optional(raw: &str) -> Result<Option<Self>>;
}

fn blank(raw: &str) -> bool {
    raw.trim().is_empty()
}

fn zero_date(raw: &str) -> bool {
    let t = raw.trim();
    t.starts_with("0000-00-00") || t.is_empty()
}

macro_rules! optional_by_parse {
    ($($type:ty),*) => {$(
        impl Optional for $type {
            fn parse_optional(raw: &str) -> Result<Option<Self>> {
                if blank(raw) { Ok(None) } else { <$type>::parse(raw).map(Some) }
            }
        }
    )*};
}

optional_by_parse!(
    KycLevel,
    KycReview,
    UserType,
    DocumentTypeId,
    Score,
    LivenessStatus,
    IdentificationId
);

macro_rules! optional_id {
    ($($type:ty),*) => {$(
        impl Optional for $type {
            fn parse_optional(raw: &str) -> Result<Option<Self>> {
                let t = raw.trim();
                if t.is_empty() || t.trim_start_matches('0').is_empty() { Ok(None) } else { <$type>::parse(t).map(Some) }
            }
        }
    )*};
}

optional_id!(UserId, DocumentId);

impl Optional for Timestamp {
    fn parse_optional(raw: &str) -> Result<Option<Self>> {
        if zero_date(raw) {
            Ok(None)
        } else {
            Timestamp::parse_treezor_date(raw).map(Some)
        }
    }
}

impl Optional for String {
    fn parse_optional(raw: &str) -> Result<Option<Self>> {
        let t = raw.trim();
        Ok((!t.is_empty()).then(|| t.to_owned()))
    }
}

/// A date of birth, `YYYY-MM-DD`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub struct BirthDate(String);

impl BirthDate {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Optional for BirthDate {
    fn parse_optional(raw: &str) -> Result<Option<Self>> {
        let t = raw.trim();
        if zero_date(t) {
            return Ok(None);
        }
        let b = t.as_bytes();
        let shaped = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if shaped {
            Ok(Some(BirthDate(t.to_owned())))
        } else {
            Err(ParseError::new("birthday", raw, "a date YYYY-MM-DD"))
        }
    }
}

/// Reads an optional field through its [`Optional`] parser, from a string, a number or null.
pub fn optional<'de, D: Deserializer<'de>, T: Optional>(
    d: D,
) -> std::result::Result<Option<T>, D::Error> {
    match Option::<StringOrNumber>::deserialize(d)? {
        None => Ok(None),
        Some(raw) => T::parse_optional(raw.as_str()).map_err(serde::de::Error::custom),
    }
}

/// A Treezor user, as far as the dashboard needs it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(alias = "user_id")]
    pub user_id: UserId,
    #[serde(rename = "userTypeId", default, deserialize_with = "optional")]
    pub user_type: Option<UserType>,
    #[serde(default, deserialize_with = "optional")]
    pub user_status: Option<String>,
    #[serde(default, deserialize_with = "optional")]
    pub firstname: Option<String>,
    #[serde(default, deserialize_with = "optional")]
    pub lastname: Option<String>,
    #[serde(default, deserialize_with = "optional")]
    pub birthday: Option<BirthDate>,
    #[serde(default, deserialize_with = "optional")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "optional")]
    pub place_of_birth: Option<String>,
    #[serde(default, deserialize_with = "optional")]
    pub nationality: Option<String>,
    /// The preferred language (ISO 639-1, `FR` or `fr`): the customer text's default language.
    #[serde(default, deserialize_with = "optional")]
    pub language: Option<String>,
    #[serde(default, deserialize_with = "optional")]
    pub address1: Option<String>,
    #[serde(default, deserialize_with = "optional")]
    pub postcode: Option<String>,
    #[serde(default, deserialize_with = "optional")]
    pub city: Option<String>,
    #[serde(default, deserialize_with = "optional")]
    pub country: Option<String>,
    #[serde(default, deserialize_with = "optional")]
    pub phone: Option<String>,
    /// A legal entity's name (businesses, non-profits, government bodies).
    #[serde(default, deserialize_with = "optional")]
    pub legal_name: Option<String>,
    #[serde(default, deserialize_with = "optional")]
    pub legal_registration_number: Option<String>,
    #[serde(default, deserialize_with = "optional")]
    pub legal_form: Option<String>,
    #[serde(default, deserialize_with = "optional")]
    pub parent_user_id: Option<UserId>,
    #[serde(default, deserialize_with = "optional")]
    pub parent_type: Option<String>,
    #[serde(default, deserialize_with = "optional")]
    pub kyc_level: Option<KycLevel>,
    #[serde(default, deserialize_with = "optional")]
    pub kyc_review: Option<KycReview>,
    #[serde(default, deserialize_with = "optional")]
    pub kyc_review_comment: Option<String>,
    #[serde(rename = "createdDate", default, deserialize_with = "optional")]
    pub created_at: Option<Timestamp>,
    #[serde(rename = "modifiedDate", default, deserialize_with = "optional")]
    pub modified_at: Option<Timestamp>,
}

impl User {
    /// The attributes Treezor requires before a live verification (its 428 otherwise).
    pub fn missing_for_liveness(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.firstname.is_none() {
            missing.push("firstname");
        }
        if self.lastname.is_none() {
            missing.push("lastname");
        }
        if self.birthday.is_none() {
            missing.push("birthday");
        }
        missing
    }

    /// Whether this user is a legal entity (see [`UserType::is_legal_entity`]).
    pub fn is_legal_entity(&self) -> bool {
        self.user_type.is_some_and(UserType::is_legal_entity)
    }

    /// The name the officer knows the user by: a legal entity's `legalName`, a person's
    /// "Firstname Lastname"; `None` when Treezor gave neither.
    pub fn name(&self) -> Option<String> {
        let person = match (&self.firstname, &self.lastname) {
            (Some(f), Some(l)) => Some(format!("{f} {l}")),
            (Some(one), None) | (None, Some(one)) => Some(one.clone()),
            (None, None) => None,
        };
        if self.is_legal_entity() {
            self.legal_name.clone().or(person)
        } else {
            person.or_else(|| self.legal_name.clone())
        }
    }

    /// [`User::name`], or the user id when Treezor gave no name.
    pub fn display_name(&self) -> String {
        self.name()
            .unwrap_or_else(|| format!("User {}", self.user_id))
    }

    /// The profile fields that are empty, by Treezor's names, in the order of its user object:
    /// what the officer checks before a KYC review ("make sure all the information … is properly
    /// updated"). A legal entity is asked for its legal fields, a person for their identity.
    pub fn empty_profile_fields(&self) -> Vec<&'static str> {
        let text = |value: &Option<String>| value.is_none();
        let mut checks: Vec<(&'static str, bool)> = if self.is_legal_entity() {
            vec![
                ("legalName", text(&self.legal_name)),
                (
                    "legalRegistrationNumber",
                    text(&self.legal_registration_number),
                ),
                ("legalForm", text(&self.legal_form)),
            ]
        } else {
            vec![
                ("firstname", text(&self.firstname)),
                ("lastname", text(&self.lastname)),
                ("birthday", self.birthday.is_none()),
                ("placeOfBirth", text(&self.place_of_birth)),
                ("nationality", text(&self.nationality)),
            ]
        };
        checks.extend([
            ("email", text(&self.email)),
            ("address1", text(&self.address1)),
            ("postcode", text(&self.postcode)),
            ("city", text(&self.city)),
            ("country", text(&self.country)),
        ]);
        if !self.is_legal_entity() {
            checks.push(("phone", text(&self.phone)));
        }
        checks
            .into_iter()
            .filter_map(|(name, empty)| empty.then_some(name))
            .collect()
    }
}

/// A Treezor document.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Document {
    pub document_id: DocumentId,
    #[serde(default, deserialize_with = "optional")]
    pub user_id: Option<UserId>,
    #[serde(default, deserialize_with = "optional")]
    pub document_type_id: Option<DocumentTypeId>,
    #[serde(default, deserialize_with = "optional")]
    pub document_type: Option<String>,
    #[serde(default, deserialize_with = "optional")]
    pub document_status: Option<String>,
    #[serde(default, deserialize_with = "optional")]
    pub file_name: Option<String>,
    #[serde(default, deserialize_with = "optional")]
    pub name: Option<String>,
    #[serde(rename = "createdDate", default, deserialize_with = "optional")]
    pub created_at: Option<Timestamp>,
    #[serde(rename = "modifiedDate", default, deserialize_with = "optional")]
    pub modified_at: Option<Timestamp>,
}

/// The payload of `kycliveness.create` and `kycliveness.update`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct LivenessResult {
    #[serde(alias = "userId")]
    pub user_id: UserId,
    #[serde(rename = "kyc-status", alias = "kyc_status", alias = "kycStatus")]
    pub status: LivenessStatus,
    #[serde(default, deserialize_with = "optional")]
    pub score: Option<Score>,
    #[serde(default, deserialize_with = "optional")]
    pub comment: Option<String>,
    #[serde(default, deserialize_with = "reasons")]
    pub reasons: Vec<Reason>,
    #[serde(
        rename = "identification-id",
        alias = "identification_id",
        alias = "identificationId",
        default,
        deserialize_with = "optional"
    )]
    pub identification: Option<IdentificationId>,
    #[serde(
        rename = "started-at",
        alias = "started_at",
        default,
        deserialize_with = "optional"
    )]
    pub started_at: Option<Timestamp>,
    #[serde(
        rename = "updated-at",
        alias = "updated_at",
        default,
        deserialize_with = "optional"
    )]
    pub updated_at: Option<Timestamp>,
}

fn reasons<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<Reason>, D::Error> {
    Ok(Option::<Vec<Reason>>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_from_a_webhook_and_from_rest_is_the_same() {
        let webhook = r#"{"userId":"42","userTypeId":"1","userStatus":"VALIDATED","firstname":"Zoé","lastname":"O'Brien","birthday":"1990-02-01","email":"zoe@example.com","parentUserId":"0","parentType":"","kycLevel":"2","kycReview":"1","kycReviewComment":"","createdDate":"2024-01-15 10:00:00","modifiedDate":"0000-00-00 00:00:00"}"#;
        let rest = r#"{"userId":42,"userTypeId":1,"userStatus":"VALIDATED","firstname":"Zoé","lastname":"O'Brien","birthday":"1990-02-01","email":"zoe@example.com","parentUserId":0,"parentType":null,"kycLevel":2,"kycReview":1,"createdDate":"2024-01-15 10:00:00","unknownField":{"x":1}}"#;
        let a: User = serde_json::from_str(webhook).unwrap();
        let b: User = serde_json::from_str(rest).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.parent_user_id, None);
        assert_eq!(a.kyc_review, Some(KycReview::Pending));
        assert_eq!(a.display_name(), "Zoé O'Brien");
        assert_eq!(
            a.created_at.unwrap().to_rfc3339(),
            "2024-01-15T09:00:00.000Z"
        );
        assert!(a.missing_for_liveness().is_empty());
    }

    #[test]
    fn a_business_is_known_by_its_legal_name_and_asked_for_its_legal_fields() {
        let business: User = serde_json::from_str(
            r#"{"userId":"7","userTypeId":"2","legalName":"Atelier Zoé SAS","firstname":"","email":"contact@atelier.example","legalForm":"SAS","city":"Lyon"}"#,
        )
        .unwrap();
        assert!(business.is_legal_entity());
        assert_eq!(business.display_name(), "Atelier Zoé SAS");
        assert_eq!(
            business.empty_profile_fields(),
            ["legalRegistrationNumber", "address1", "postcode", "country"]
        );
        let person: User = serde_json::from_str(
            r#"{"userId":8,"userTypeId":1,"firstname":"Ann","lastname":"Lee","legalName":"Lee Consulting"}"#,
        )
        .unwrap();
        assert_eq!(person.display_name(), "Ann Lee");
        assert!(person.empty_profile_fields().contains(&"birthday"));
        let nameless: User = serde_json::from_str(r#"{"userId":9,"userTypeId":3}"#).unwrap();
        assert_eq!(nameless.display_name(), "User 9");
    }

    #[test]
    fn missing_attributes_for_a_live_verification_are_named() {
        let user: User =
            serde_json::from_str(r#"{"userId":1,"firstname":"Ann","birthday":"0000-00-00"}"#)
                .unwrap();
        assert_eq!(user.missing_for_liveness(), ["lastname", "birthday"]);
        assert_eq!(user.display_name(), "Ann");
    }

    #[test]
    fn a_bad_field_is_a_clear_error() {
        let err = serde_json::from_str::<User>(r#"{"userId":1,"kycLevel":"high"}"#).unwrap_err();
        assert!(err.to_string().contains("kycLevel is not valid"), "{err}");
        assert!(
            !err.to_string().contains("high"),
            "values are not echoed: {err}"
        );
        assert!(serde_json::from_str::<User>(r#"{"userId":1,"birthday":"01/02/1990"}"#).is_err());
        assert!(serde_json::from_str::<User>(r#"{"firstname":"x"}"#).is_err());
    }

    #[test]
    fn documents_read_both_shapes() {
        let webhook: Document = serde_json::from_str(r#"{"documentId":"9","userId":"42","documentTypeId":"34","documentStatus":"PENDING","fileName":"synthesis.pdf","createdDate":"2024-07-01 10:00:00"}"#).unwrap();
        let rest: Document = serde_json::from_str(r#"{"documentId":9,"userId":42,"documentTypeId":34,"documentStatus":"PENDING","fileName":"synthesis.pdf","createdDate":"2024-07-01 10:00:00"}"#).unwrap();
        assert_eq!(webhook, rest);
        assert!(webhook.document_type_id.unwrap().is_synthesis());
    }

    #[test]
    fn liveness_results_with_every_field_or_only_the_required_ones() {
        let full: LivenessResult = serde_json::from_str(r#"{"user_id":"42","kyc-status":"processed","score":"0","comment":"Refused","reasons":[{"reason-code":"2301","reason-message":"Applicant has submitted a counterfeit or falsification"},{"reason-code":1301,"reason-message":"blurry"}],"identification-id":"idv-1","started-at":"2024-07-01 10:00:00","updated-at":"2024-07-01 10:05:00","identity":{"first-name":"Zoé"}}"#).unwrap();
        assert_eq!(full.score, Some(Score::Refused));
        assert_eq!(full.reasons.len(), 2);
        assert!(full.reasons[0].is_aml_sensitive());
        let minimal: LivenessResult =
            serde_json::from_str(r#"{"userId":42,"kyc-status":"processing","reasons":null}"#)
                .unwrap();
        assert_eq!(minimal.status, LivenessStatus::Processing);
        assert!(minimal.reasons.is_empty() && minimal.identification.is_none());
        assert!(serde_json::from_str::<LivenessResult>(r#"{"user_id":"42"}"#).is_err());
    }
}

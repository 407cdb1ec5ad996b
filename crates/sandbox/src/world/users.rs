//! Users as the sandbox keeps them, the body `POST /v1/users` accepts, and both ways Treezor
//! writes a user (REST numbers, webhook strings).

use kyc::Timestamp;
use kyc::lenient::StringOrNumber;
use serde::{Deserialize, Deserializer, Serialize};

use crate::wire::{Obj, Wire};

/// The fields `POST /v1/users` (and the control endpoint) accept. Numbers may come as strings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewUser {
    #[serde(default, deserialize_with = "lenient_u64")]
    pub user_type_id: Option<u64>,
    #[serde(default)]
    pub user_tag: Option<String>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub parent_user_id: Option<u64>,
    #[serde(default)]
    pub parent_type: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub firstname: Option<String>,
    #[serde(default)]
    pub lastname: Option<String>,
    #[serde(default)]
    pub birthday: Option<String>,
    #[serde(default)]
    pub place_of_birth: Option<String>,
    #[serde(default)]
    pub nationality: Option<String>,
    /// The preferred language, ISO 639-1 (`FR`, `en`): Treezor keeps it as given.
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub address1: Option<String>,
    #[serde(default)]
    pub postcode: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub legal_name: Option<String>,
    #[serde(default)]
    pub legal_registration_number: Option<String>,
    #[serde(default)]
    pub legal_form: Option<String>,
}

fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match Option::<StringOrNumber>::deserialize(d)? {
        None => Ok(None),
        Some(raw) if raw.as_str().trim().is_empty() => Ok(None),
        Some(raw) => raw
            .as_str()
            .trim()
            .parse::<u64>()
            .map(Some)
            .map_err(|_| serde::de::Error::custom("expected a whole number")),
    }
}

/// A user in the sandbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRecord {
    pub id: u64,
    pub user_type: u64,
    pub status: String,
    pub user_tag: String,
    /// 0 when the user has no parent, as Treezor writes it.
    pub parent_user_id: u64,
    pub parent_type: String,
    pub title: String,
    pub firstname: String,
    pub lastname: String,
    /// `YYYY-MM-DD`, or empty.
    pub birthday: String,
    pub place_of_birth: String,
    pub nationality: String,
    pub language: String,
    pub email: String,
    pub address1: String,
    pub postcode: String,
    pub city: String,
    pub country: String,
    pub phone: String,
    pub legal_name: String,
    pub legal_registration_number: String,
    pub legal_form: String,
    pub kyc_level: i64,
    pub kyc_review: i64,
    pub kyc_review_comment: String,
    pub created: Timestamp,
    pub modified: Timestamp,
}

fn clean(value: &Option<String>) -> String {
    value
        .as_deref()
        .map(str::trim)
        .unwrap_or_default()
        .to_owned()
}

impl UserRecord {
    /// Builds a user from a request, or says which field is wrong. The parent is checked by the
    /// caller, which knows the other users.
    pub fn from_new(id: u64, new: &NewUser, now: Timestamp) -> Result<UserRecord, String> {
        let user_type = new.user_type_id.unwrap_or(1);
        if !(1..=4).contains(&user_type) {
            return Err(
                "userTypeId must be 1 (person), 2 (business), 3 (NGO) or 4 (government)".into(),
            );
        }
        let email = clean(&new.email);
        if !email.is_empty() && (!email.contains('@') || email.contains(' ')) {
            return Err("email is not a valid address".into());
        }
        let birthday = clean(&new.birthday);
        if !birthday.is_empty() && !is_date(&birthday) {
            return Err("birthday must be a date YYYY-MM-DD".into());
        }
        let language = clean(&new.language);
        if !language.is_empty()
            && (language.len() != 2 || !language.chars().all(|c| c.is_ascii_alphabetic()))
        {
            return Err(
                "language must be an ISO 639-1 code of two letters, such as FR or EN".into(),
            );
        }
        let parent_type = clean(&new.parent_type);
        if !parent_type.is_empty()
            && !matches!(parent_type.as_str(), "shareholder" | "leader" | "employee")
        {
            return Err("parentType must be shareholder, leader or employee".into());
        }
        Ok(UserRecord {
            id,
            user_type,
            status: "VALIDATED".into(),
            user_tag: clean(&new.user_tag),
            parent_user_id: new.parent_user_id.unwrap_or(0),
            parent_type,
            title: clean(&new.title),
            firstname: clean(&new.firstname),
            lastname: clean(&new.lastname),
            birthday,
            place_of_birth: clean(&new.place_of_birth),
            nationality: clean(&new.nationality),
            language,
            email,
            address1: clean(&new.address1),
            postcode: clean(&new.postcode),
            city: clean(&new.city),
            country: clean(&new.country),
            phone: clean(&new.phone),
            legal_name: clean(&new.legal_name),
            legal_registration_number: clean(&new.legal_registration_number),
            legal_form: clean(&new.legal_form),
            kyc_level: 0,
            kyc_review: 0,
            kyc_review_comment: String::new(),
            created: now,
            modified: now,
        })
    }

    /// The user with `change`'s fields applied (`PUT /v1/users/{userId}`): a field given
    /// replaces the stored one, an empty one clears it, one left out stays. The same checks as
    /// a creation; the type, the parent and the KYC fields do not change here.
    pub fn updated(&self, change: &NewUser, now: Timestamp) -> Result<UserRecord, String> {
        let keep = |given: &Option<String>, stored: &str| {
            Some(given.clone().unwrap_or_else(|| stored.to_owned()))
        };
        let merged = NewUser {
            user_type_id: Some(self.user_type),
            user_tag: keep(&change.user_tag, &self.user_tag),
            parent_user_id: Some(self.parent_user_id),
            parent_type: Some(self.parent_type.clone()),
            title: keep(&change.title, &self.title),
            firstname: keep(&change.firstname, &self.firstname),
            lastname: keep(&change.lastname, &self.lastname),
            birthday: keep(&change.birthday, &self.birthday),
            place_of_birth: keep(&change.place_of_birth, &self.place_of_birth),
            nationality: keep(&change.nationality, &self.nationality),
            language: keep(&change.language, &self.language),
            email: keep(&change.email, &self.email),
            address1: keep(&change.address1, &self.address1),
            postcode: keep(&change.postcode, &self.postcode),
            city: keep(&change.city, &self.city),
            country: keep(&change.country, &self.country),
            phone: keep(&change.phone, &self.phone),
            legal_name: keep(&change.legal_name, &self.legal_name),
            legal_registration_number: keep(
                &change.legal_registration_number,
                &self.legal_registration_number,
            ),
            legal_form: keep(&change.legal_form, &self.legal_form),
        };
        let fresh = UserRecord::from_new(self.id, &merged, self.created)?;
        Ok(UserRecord {
            status: self.status.clone(),
            kyc_level: self.kyc_level,
            kyc_review: self.kyc_review,
            kyc_review_comment: self.kyc_review_comment.clone(),
            modified: now,
            ..fresh
        })
    }

    /// The attributes Treezor requires before a live verification, in the guide's order.
    pub fn missing_for_liveness(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.firstname.is_empty() {
            missing.push("firstname");
        }
        if self.lastname.is_empty() {
            missing.push("lastname");
        }
        if self.birthday.is_empty() {
            missing.push("birthday");
        }
        missing
    }

    /// Whether `name` matches the user's first, last or legal name (Treezor's `name` filter).
    pub fn matches_name(&self, name: &str) -> bool {
        let needle = name.trim().to_lowercase();
        [&self.firstname, &self.lastname, &self.legal_name]
            .iter()
            .any(|field| field.to_lowercase().contains(&needle))
            || format!("{} {}", self.firstname, self.lastname)
                .to_lowercase()
                .contains(&needle)
    }

    /// The user as Treezor writes it. `total_rows` is added to search answers, as Treezor does.
    pub fn json(&self, wire: Wire, total_rows: Option<usize>) -> String {
        let birthday = if self.birthday.is_empty() {
            "0000-00-00"
        } else {
            &self.birthday
        };
        let obj = Obj::new(wire)
            .int("userId", self.id as i64)
            .int("userTypeId", self.user_type as i64)
            .text("userStatus", &self.status)
            .text("userTag", &self.user_tag)
            .int("parentUserId", self.parent_user_id as i64)
            .text("parentType", &self.parent_type)
            .text("title", &self.title)
            .text("firstname", &self.firstname)
            .text("lastname", &self.lastname)
            .text("middleNames", "")
            .text("birthday", birthday)
            .text("placeOfBirth", &self.place_of_birth)
            .text("nationality", &self.nationality)
            .text("language", &self.language)
            .text("email", &self.email)
            .text("address1", &self.address1)
            .text("postcode", &self.postcode)
            .text("city", &self.city)
            .text("country", &self.country)
            .text("phone", &self.phone)
            .text("legalName", &self.legal_name)
            .text("legalRegistrationNumber", &self.legal_registration_number)
            .text("legalForm", &self.legal_form)
            .int("kycLevel", self.kyc_level)
            .int("kycReview", self.kyc_review)
            .text("kycReviewComment", &self.kyc_review_comment)
            .int("isFreezed", 0)
            .int("walletCount", 0)
            .text("createdDate", &self.created.to_treezor_date())
            .text("modifiedDate", &self.modified.to_treezor_date());
        match total_rows {
            Some(rows) => obj.int("totalRows", rows as i64).finish(),
            None => obj.finish(),
        }
    }
}

/// `YYYY-MM-DD` with a real month and day.
pub fn is_date(raw: &str) -> bool {
    let b = raw.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let number = |range: std::ops::Range<usize>| raw.get(range).and_then(|s| s.parse::<u32>().ok());
    matches!(
        (number(0..4), number(5..7), number(8..10)),
        (Some(1900..=2100), Some(1..=12), Some(1..=31))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_reads_back_through_the_domain_type_from_both_wires() {
        let new: NewUser = serde_json::from_str(
            r#"{"userTypeId":"1","firstname":"Zoé","lastname":"O'Brien","birthday":"1990-02-01","email":"zoe@example.com"}"#,
        )
        .unwrap();
        let user =
            UserRecord::from_new(7, &new, Timestamp::from_unix_seconds(1_700_000_000)).unwrap();
        let rest: kyc::objects::User =
            serde_json::from_str(&user.json(Wire::Rest, Some(3))).unwrap();
        let webhook: kyc::objects::User =
            serde_json::from_str(&user.json(Wire::Webhook, None)).unwrap();
        assert_eq!(rest, webhook);
        assert_eq!(rest.user_id.get(), 7);
        assert_eq!(rest.parent_user_id, None);
        assert!(user.json(Wire::Rest, None).contains(r#""userId":7"#));
        assert!(user.json(Wire::Webhook, None).contains(r#""userId":"7""#));
    }

    #[test]
    fn bad_fields_are_named() {
        let bad = |json: &str| {
            UserRecord::from_new(
                1,
                &serde_json::from_str(json).unwrap(),
                Timestamp::from_unix_seconds(0),
            )
            .unwrap_err()
        };
        assert!(bad(r#"{"userTypeId":9}"#).contains("userTypeId"));
        assert!(bad(r#"{"email":"nope"}"#).contains("email"));
        assert!(bad(r#"{"birthday":"01/02/1990"}"#).contains("birthday"));
        assert!(bad(r#"{"parentType":"boss"}"#).contains("parentType"));
    }

    #[test]
    fn an_update_replaces_what_it_gives_clears_what_it_empties_and_keeps_the_rest() {
        let created = Timestamp::from_unix_seconds(0);
        let user = UserRecord::from_new(
            1,
            &NewUser {
                firstname: Some("Ann".into()),
                lastname: Some("Lee".into()),
                birthday: Some("1990-01-01".into()),
                ..NewUser::default()
            },
            created,
        )
        .unwrap();
        let later = Timestamp::from_unix_seconds(60);
        let changed = user
            .updated(
                &NewUser {
                    birthday: Some(String::new()),
                    city: Some("Lyon".into()),
                    ..NewUser::default()
                },
                later,
            )
            .unwrap();
        assert_eq!(changed.missing_for_liveness(), ["birthday"]);
        assert_eq!(
            (changed.firstname.as_str(), changed.city.as_str()),
            ("Ann", "Lyon")
        );
        assert_eq!((changed.created, changed.modified), (created, later));
        assert!(
            user.updated(
                &NewUser {
                    email: Some("nope".into()),
                    ..NewUser::default()
                },
                later
            )
            .is_err()
        );
    }

    #[test]
    fn missing_attributes_follow_the_guide() {
        let user = UserRecord::from_new(
            1,
            &NewUser {
                firstname: Some("Ann".into()),
                ..NewUser::default()
            },
            Timestamp::from_unix_seconds(0),
        )
        .unwrap();
        assert_eq!(user.missing_for_liveness(), ["lastname", "birthday"]);
    }
}

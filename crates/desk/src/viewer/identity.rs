//! The identity the customer declared (Treezor's profile: first name, last name, birth date)
//! beside what the verification provider read on their identity document (the `identity` block
//! of the current verification's `kycliveness` webhooks), field by field, with what differs.
//!
//! Names are compared without accents, case, or the punctuation a document's machine-readable
//! zone cannot write (a hyphen, an apostrophe, a dot: "Lefèvre-Guide" and "LEFEVRE GUIDE" agree);
//! birth dates as dates, whichever of the usual ways they are written.

use cache::fold::fold;
use kyc::IdentificationId;
use kyc::objects::User;
use serde::Serialize;
use serde_json::Value;

/// What the provider read on the identity document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadIdentity {
    pub identification: Option<IdentificationId>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub birth_date: Option<String>,
}

/// One field of the identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum IdentityField {
    FirstName,
    LastName,
    BirthDate,
}

/// How a declared value and the value read compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Agreement {
    Same,
    Differs,
    /// The profile has no value for it.
    NotDeclared,
    /// The provider said nothing of it.
    NotRead,
}

/// One field, declared and read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldCheck {
    pub field: IdentityField,
    pub declared: Option<String>,
    pub read: Option<String>,
    pub agreement: Agreement,
}

/// The identity declared beside the identity read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IdentityCheck {
    /// Whether a webhook of the current verification said what the provider read.
    pub read: bool,
    /// The verification the reading comes from, when its webhook named it.
    pub identification: Option<IdentificationId>,
    pub fields: Vec<FieldCheck>,
}

/// The identity a `kycliveness` payload carries, when it belongs to `current` (the case's current
/// verification, when known) and carries one.
pub fn read_identity(payload: &str, current: Option<&IdentificationId>) -> Option<ReadIdentity> {
    let value: Value = serde_json::from_str(payload).ok()?;
    let identification = ["identification-id", "identification_id", "identificationId"]
        .iter()
        .find_map(|key| value.get(key))
        .and_then(|id| match id {
            Value::String(s) => IdentificationId::parse(s).ok(),
            Value::Number(n) => IdentificationId::parse(&n.to_string()).ok(),
            _ => None,
        });
    if let (Some(current), Some(found)) = (current, &identification)
        && current != found
    {
        return None;
    }
    let identity = value.get("identity")?.as_object()?;
    let text = |keys: [&str; 3]| {
        keys.iter()
            .find_map(|key| identity.get(*key))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    Some(ReadIdentity {
        identification,
        first_name: text(["first-name", "first_name", "firstName"]),
        last_name: text(["last-name", "last_name", "lastName"]),
        birth_date: text(["birth-date", "birth_date", "birthDate"]),
    })
}

/// The declared identity (`profile`) beside the one read.
pub fn compare(profile: Option<&User>, read: Option<ReadIdentity>) -> IdentityCheck {
    let declared = |field| {
        profile.and_then(|p| match field {
            IdentityField::FirstName => p.firstname.clone(),
            IdentityField::LastName => p.lastname.clone(),
            IdentityField::BirthDate => p.birthday.as_ref().map(|b| b.as_str().to_owned()),
        })
    };
    let found = |field| {
        read.as_ref().and_then(|r| match field {
            IdentityField::FirstName => r.first_name.clone(),
            IdentityField::LastName => r.last_name.clone(),
            IdentityField::BirthDate => r.birth_date.clone(),
        })
    };
    let fields: Vec<FieldCheck> = [
        IdentityField::FirstName,
        IdentityField::LastName,
        IdentityField::BirthDate,
    ]
    .into_iter()
    .map(|field| {
        let (declared, read) = (declared(field), found(field));
        let agreement = match (&declared, &read) {
            (None, _) => Agreement::NotDeclared,
            (_, None) => Agreement::NotRead,
            (Some(a), Some(b)) if same(field, a, b) => Agreement::Same,
            (Some(_), Some(_)) => Agreement::Differs,
        };
        FieldCheck {
            field,
            declared,
            read,
            agreement,
        }
    })
    .collect();
    IdentityCheck {
        read: read.is_some(),
        identification: read.and_then(|r| r.identification),
        fields,
    }
}

fn same(field: IdentityField, declared: &str, read: &str) -> bool {
    match field {
        IdentityField::BirthDate => match (date(declared), date(read)) {
            (Some(a), Some(b)) => a == b,
            _ => declared.trim() == read.trim(),
        },
        IdentityField::FirstName | IdentityField::LastName => name_key(declared) == name_key(read),
    }
}

/// A name without accents, case or punctuation: its words, lowercase, one space apart.
fn name_key(name: &str) -> String {
    fold(name)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A date as (year, month, day), from `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYYMMDD`, `DD/MM/YYYY` or
/// `DD.MM.YYYY`.
fn date(text: &str) -> Option<(u32, u32, u32)> {
    let text = text.trim();
    let parts: Vec<&str> = text.split(['-', '/', '.']).collect();
    let number = |s: &str| s.parse::<u32>().ok();
    let (year, month, day) = match parts.as_slice() {
        [y, m, d] if y.len() == 4 => (number(y)?, number(m)?, number(d)?),
        [d, m, y] if y.len() == 4 => (number(y)?, number(m)?, number(d)?),
        [whole] if whole.len() == 8 && whole.bytes().all(|b| b.is_ascii_digit()) => (
            number(&whole[0..4])?,
            number(&whole[4..6])?,
            number(&whole[6..8])?,
        ),
        _ => return None,
    };
    ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some((year, month, day))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(first: &str, last: &str, birthday: &str) -> User {
        serde_json::from_value(serde_json::json!({
            "userId": 42, "firstname": first, "lastname": last, "birthday": birthday,
        }))
        .unwrap()
    }

    fn reading(first: &str, last: &str, birth: &str) -> ReadIdentity {
        ReadIdentity {
            identification: None,
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            birth_date: Some(birth.into()),
        }
    }

    #[test]
    fn accents_case_and_punctuation_do_not_make_a_difference() {
        let declared = profile("Zoé", "Lefèvre-Guide", "1990-04-12");
        let check = compare(
            Some(&declared),
            Some(reading("ZOE", "LEFEVRE GUIDE", "12/04/1990")),
        );
        assert!(
            check.fields.iter().all(|f| f.agreement == Agreement::Same),
            "{check:?}"
        );
        assert!(check.read);
    }

    #[test]
    fn each_field_that_differs_is_named() {
        let declared = profile("Zoé", "Lefèvre", "1990-04-12");
        let check = compare(
            Some(&declared),
            Some(reading("Zoé", "Lefebvre", "1990-12-04")),
        );
        let agreements: Vec<Agreement> = check.fields.iter().map(|f| f.agreement).collect();
        assert_eq!(
            agreements,
            [Agreement::Same, Agreement::Differs, Agreement::Differs]
        );
        assert_eq!(check.fields[1].read.as_deref(), Some("Lefebvre"));
    }

    #[test]
    fn nothing_read_or_nothing_declared_is_said_as_such() {
        let declared = profile("Ann", "Lee", "1980-01-02");
        let check = compare(Some(&declared), None);
        assert!(!check.read);
        assert!(
            check
                .fields
                .iter()
                .all(|f| f.agreement == Agreement::NotRead)
        );
        let check = compare(None, Some(reading("Ann", "Lee", "1980-01-02")));
        assert!(
            check
                .fields
                .iter()
                .all(|f| f.agreement == Agreement::NotDeclared)
        );
    }

    #[test]
    fn the_identity_comes_from_the_current_verification_only() {
        let payload = r#"{"user_id":"42","kyc-status":"processed","identification-id":"idv-2","identity":{"first-name":"Zoé","last-name":" Lefèvre ","birth-date":""}}"#;
        let current = IdentificationId::parse("idv-2").unwrap();
        let read = read_identity(payload, Some(&current)).unwrap();
        assert_eq!(read.last_name.as_deref(), Some("Lefèvre"));
        assert_eq!(read.birth_date, None, "an empty value is no value");
        let older = IdentificationId::parse("idv-1").unwrap();
        assert_eq!(read_identity(payload, Some(&older)), None);
        assert_eq!(
            read_identity(r#"{"user_id":"42","kyc-status":"processing"}"#, None),
            None
        );
        assert_eq!(read_identity("not json", None), None);
    }
}

//! The languages customer text is written in, and the one a customer's profile suggests.
//!
//! Treezor gives a user's preferred `language` (ISO 639-1, written `FR` or `fr`) and a
//! `nationality` (ISO 3166-1 alpha-2). The language wins; a nationality counts only where one of
//! our languages is the country's sole official one, since guessing wrong for a bilingual country
//! (Belgium, Canada, Switzerland, Luxembourg) is worse than asking the officer to choose. With
//! neither, the window falls back on the officer's own language.

use serde::{Deserialize, Serialize};

use crate::objects::User;

/// A language the desk can write customer text in. Serialized as its ISO 639-1 code, which is
/// also its name in the audit log: stable whatever language the window speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Language {
    #[serde(rename = "en")]
    English,
    #[serde(rename = "fr")]
    French,
}

/// Countries whose only official language is French (France with its overseas departments and
/// territories, Monaco, and the states that have French alone).
const FRENCH_SPEAKING: &[&str] = &[
    "FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "PF", "NC", "WF", "MC", "SN", "CI", "ML",
    "BF", "NE", "TG", "BJ", "GA", "CG", "CD", "GN",
];

/// Countries whose only official (or de facto) language is English.
const ENGLISH_SPEAKING: &[&str] = &["GB", "US", "AU", "NZ", "JM", "BS", "BB", "TT", "GH", "NG"];

impl Language {
    /// Every language, in the order the window offers them.
    pub const ALL: [Language; 2] = [Language::French, Language::English];

    /// The ISO 639-1 code: `fr`, `en`.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::French => "fr",
        }
    }

    /// Reads a language tag as Treezor or a system gives it: `fr`, `FR`, `fr-BE`, `en_GB`.
    pub fn from_tag(tag: &str) -> Option<Language> {
        let primary = tag.trim().split(['-', '_']).next()?;
        match primary.to_ascii_lowercase().as_str() {
            "fr" => Some(Language::French),
            "en" => Some(Language::English),
            _ => None,
        }
    }

    /// The language of a country whose only official language is one of ours.
    pub fn of_nationality(country: &str) -> Option<Language> {
        let country = country.trim().to_ascii_uppercase();
        if FRENCH_SPEAKING.contains(&country.as_str()) {
            Some(Language::French)
        } else if ENGLISH_SPEAKING.contains(&country.as_str()) {
            Some(Language::English)
        } else {
            None
        }
    }

    /// The language a customer's profile suggests: their preferred language, else their
    /// nationality's; `None` when the profile says neither (the officer's language then).
    pub fn of_customer(user: &User) -> Option<Language> {
        user.language
            .as_deref()
            .and_then(Language::from_tag)
            .or_else(|| {
                user.nationality
                    .as_deref()
                    .and_then(Language::of_nationality)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(language: Option<&str>, nationality: Option<&str>) -> User {
        let mut json = serde_json::json!({ "userId": 7 });
        if let Some(l) = language {
            json["language"] = l.into();
        }
        if let Some(n) = nationality {
            json["nationality"] = n.into();
        }
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn tags_read_in_every_usual_spelling() {
        for tag in ["fr", "FR", " fr ", "fr-BE", "fr_CA"] {
            assert_eq!(Language::from_tag(tag), Some(Language::French), "{tag}");
        }
        for tag in ["en", "EN", "en-GB", "en_US"] {
            assert_eq!(Language::from_tag(tag), Some(Language::English), "{tag}");
        }
        for tag in ["", "de", "es-ES", "f", "french"] {
            assert_eq!(Language::from_tag(tag), None, "{tag}");
        }
    }

    #[test]
    fn the_preferred_language_wins_over_the_nationality() {
        assert_eq!(
            Language::of_customer(&user(Some("EN"), Some("FR"))),
            Some(Language::English)
        );
        assert_eq!(
            Language::of_customer(&user(Some("fr"), Some("GB"))),
            Some(Language::French)
        );
    }

    #[test]
    fn a_nationality_counts_only_where_it_names_one_language() {
        assert_eq!(
            Language::of_customer(&user(None, Some("FR"))),
            Some(Language::French)
        );
        assert_eq!(
            Language::of_customer(&user(None, Some("gb"))),
            Some(Language::English)
        );
        for bilingual_or_other in ["BE", "CA", "CH", "LU", "DE", "ES", ""] {
            assert_eq!(
                Language::of_customer(&user(None, Some(bilingual_or_other))),
                None,
                "{bilingual_or_other}"
            );
        }
        // A language we do not write falls through to the nationality.
        assert_eq!(
            Language::of_customer(&user(Some("de"), Some("FR"))),
            Some(Language::French)
        );
        assert_eq!(Language::of_customer(&user(None, None)), None);
    }

    #[test]
    fn languages_serialize_as_their_iso_codes() {
        for language in Language::ALL {
            assert_eq!(
                serde_json::to_value(language).unwrap(),
                serde_json::Value::from(language.code())
            );
        }
    }
}

//! Text meant for the customer, in their language, which cannot carry an AML-sensitive reason.
//!
//! Tipping-off is an offence, so this is made impossible by type rather than by care:
//! - [`ShareableReason`] can only be built by [`ShareableReason::new`], which refuses every
//!   sensitive code (fraud, prohibited behaviour, and any code not on the guide's list);
//! - a tip for the customer exists only for a `ShareableReason`, in every language (each
//!   language's words are a [`Words`] whose `tip` takes a `ShareableReason`);
//! - [`CustomerText`] has private fields and is built only by [`CustomerText::for_verification`].
//!
//! When any sensitive reason is present, the customer gets the same neutral sentence as a refusal
//! that came with no reason at all: no code, no message, no tips that would set that case apart.
//! Reason codes themselves never appear in customer text.

/// The listed codes `ShareableReason::new` never builds, as a pattern. Each language's tips match
/// every listed code exhaustively, so a new shareable code cannot be added without its tip in every
/// language; these are the arms that can never be reached.
macro_rules! never_shareable {
    () => {
        Counterfeit
            | DocumentStolenOrLost
            | MismatchedFrontAndBack
            | NotRightfulOwner
            | AnotherPersonsFace
            | AlteredAppearance
            | DigitallyAlteredVideos
            | CertifiedFraudDetected
            | IdentityMismatch
            | AlteredDevice
            | AgainstTheirWill
            | RecentFraudAttempt
    };
}

mod english;
mod french;

use serde::Serialize;

use crate::language::Language;
use crate::reasons::{ListedReason, Reason, ReasonCode, Sensitivity};
use crate::values::{LivenessStatus, Score};

/// A reason that may be explained to the customer so that they can retry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ShareableReason(ListedReason);

impl ShareableReason {
    /// `Some` only for a listed code whose family is shareable.
    pub fn new(code: &ReasonCode) -> Option<ShareableReason> {
        match code {
            ReasonCode::Listed(listed) if listed.sensitivity() == Sensitivity::Shareable => {
                Some(ShareableReason(*listed))
            }
            _ => None,
        }
    }

    /// What the customer can do about it, in plain words, in `language`.
    pub fn tip(self, language: Language) -> &'static str {
        (Words::of(language).tip)(self)
    }
}

/// Every sentence a customer may read, in one language.
struct Words {
    in_progress: &'static str,
    validated: &'static str,
    not_completed: &'static str,
    retry_intro: &'static str,
    /// The one sentence a customer gets when no reason can be shared, whatever the reason.
    neutral_refusal: &'static str,
    aborted: &'static str,
    expired: &'static str,
    waiting: &'static str,
    tip: fn(ShareableReason) -> &'static str,
}

impl Words {
    fn of(language: Language) -> &'static Words {
        match language {
            Language::English => &english::WORDS,
            Language::French => &french::WORDS,
        }
    }
}

/// What the customer may be told about their verification, in one language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CustomerText {
    language: Language,
    headline: &'static str,
    /// The sentence that introduces the tips, in the text's language; `None` without tips.
    retry_intro: Option<&'static str>,
    tips: Vec<&'static str>,
}

impl CustomerText {
    /// Composes the customer's text in `language` from what the verification says. Sensitive
    /// reasons silence every reason (see the module doc).
    pub fn for_verification(
        status: &LivenessStatus,
        score: Option<Score>,
        reasons: &[Reason],
        language: Language,
    ) -> CustomerText {
        let words = Words::of(language);
        let only = |headline| CustomerText::only(language, headline);
        match (status, score) {
            (LivenessStatus::Processed, Some(Score::Validated)) => only(words.validated),
            (LivenessStatus::Processed, _) => Self::refusal(reasons, language),
            (LivenessStatus::Processing, _) => only(words.in_progress),
            (LivenessStatus::Aborted, _) => only(words.aborted),
            (LivenessStatus::Expired, _) => only(words.expired),
            (LivenessStatus::Other(_), _) => only(words.waiting),
        }
    }

    /// The text for a link that expired before the customer used it.
    pub fn link_expired(language: Language) -> CustomerText {
        CustomerText::only(language, Words::of(language).expired)
    }

    fn refusal(reasons: &[Reason], language: Language) -> CustomerText {
        let words = Words::of(language);
        let shareable: Option<Vec<ShareableReason>> = reasons
            .iter()
            .map(|r| ShareableReason::new(&r.code))
            .collect();
        let mut tips: Vec<&'static str> = Vec::new();
        for reason in shareable.unwrap_or_default() {
            let tip = reason.tip(language);
            if !tips.contains(&tip) {
                tips.push(tip);
            }
        }
        if tips.is_empty() {
            CustomerText::only(language, words.neutral_refusal)
        } else {
            CustomerText {
                language,
                headline: words.not_completed,
                retry_intro: Some(words.retry_intro),
                tips,
            }
        }
    }

    fn only(language: Language, headline: &'static str) -> CustomerText {
        CustomerText {
            language,
            headline,
            retry_intro: None,
            tips: Vec::new(),
        }
    }

    pub fn language(&self) -> Language {
        self.language
    }

    pub fn headline(&self) -> &str {
        self.headline
    }

    pub fn tips(&self) -> &[&'static str] {
        &self.tips
    }

    /// The whole text, ready to paste into a message to the customer.
    pub fn to_plain_text(&self) -> String {
        let mut text = String::from(self.headline);
        if let Some(intro) = self.retry_intro {
            text.push_str("\n\n");
            text.push_str(intro);
            for tip in &self.tips {
                text.push_str("\n- ");
                text.push_str(tip);
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn reason(code: &str) -> Reason {
        Reason {
            code: ReasonCode::parse(code),
            message: format!("provider message for {code}"),
        }
    }

    fn refused_in(language: Language, reasons: &[Reason]) -> CustomerText {
        CustomerText::for_verification(
            &LivenessStatus::Processed,
            Some(Score::Refused),
            reasons,
            language,
        )
    }

    fn refused(reasons: &[Reason]) -> CustomerText {
        refused_in(Language::English, reasons)
    }

    fn code_of(listed: ListedReason) -> Reason {
        reason(&listed.code().to_string())
    }

    #[test]
    fn shareable_reasons_are_only_built_from_shareable_codes() {
        for &listed in ListedReason::ALL {
            let built = ShareableReason::new(&listed.into());
            assert_eq!(
                built.is_some(),
                listed.sensitivity() == Sensitivity::Shareable,
                "{listed:?}"
            );
        }
        assert!(ShareableReason::new(&ReasonCode::parse("1399")).is_none());
    }

    #[test]
    fn every_shareable_code_has_its_own_tip_in_every_language() {
        for language in Language::ALL {
            let words = Words::of(language);
            let mut seen = std::collections::HashSet::new();
            for &listed in ListedReason::ALL {
                let Some(shareable) = ShareableReason::new(&listed.into()) else {
                    continue;
                };
                let tip = shareable.tip(language);
                assert_ne!(tip, words.neutral_refusal, "{language:?} {listed:?}");
                assert!(seen.insert(tip), "{language:?}: {listed:?} repeats a tip");
                let text = refused_in(language, &[code_of(listed)]);
                assert_eq!(text.language(), language);
                assert_eq!(text.headline(), words.not_completed);
                assert_eq!(text.tips(), [tip]);
            }
            assert_eq!(seen.len(), 18, "{language:?}");
        }
        for &listed in ListedReason::ALL {
            if let Some(shareable) = ShareableReason::new(&listed.into()) {
                assert_ne!(
                    shareable.tip(Language::French),
                    shareable.tip(Language::English),
                    "{listed:?} is translated"
                );
            }
        }
    }

    #[test]
    fn every_sensitive_code_gives_only_the_neutral_sentence_in_every_language() {
        let blurry = code_of(ListedReason::DocumentVideoBlurry);
        for language in Language::ALL {
            let neutral = Words::of(language).neutral_refusal;
            assert_eq!(refused_in(language, &[]).to_plain_text(), neutral);
            for &listed in ListedReason::ALL {
                if listed.sensitivity() != Sensitivity::AmlSensitive {
                    continue;
                }
                for reasons in [
                    vec![code_of(listed)],
                    vec![blurry.clone(), code_of(listed)],
                    vec![code_of(listed), blurry.clone()],
                ] {
                    let text = refused_in(language, &reasons);
                    assert_eq!(text, refused_in(language, &[]), "{language:?} {listed:?}");
                    assert_eq!(text.to_plain_text(), neutral, "{language:?} {listed:?}");
                }
            }
        }
    }

    #[test]
    fn a_blurry_video_gives_a_retry_tip_in_the_customers_language() {
        let reasons = [reason("1301"), reason("1320")];
        let english = refused(&reasons);
        assert_eq!(english.headline(), english::WORDS.not_completed);
        assert_eq!(english.tips().len(), 2);
        let plain = english.to_plain_text();
        assert!(
            plain.contains("in focus") && plain.contains("well-lit"),
            "{plain}"
        );
        assert!(!plain.contains("1301"));

        let french = refused_in(Language::French, &reasons).to_plain_text();
        assert!(french.starts_with(french::WORDS.not_completed), "{french}");
        assert!(french.contains(french::WORDS.retry_intro), "{french}");
        assert!(
            french.contains("bien nette") && french.contains("bien éclairé"),
            "{french}"
        );
        assert!(
            !french.contains("1301") && !french.contains("focus"),
            "{french}"
        );
    }

    #[test]
    fn a_fraud_reason_silences_every_reason() {
        let with_fraud = refused(&[reason("1301"), reason("2301")]);
        assert_eq!(
            with_fraud,
            refused(&[]),
            "same text as a refusal without reasons"
        );
        assert_eq!(with_fraud.to_plain_text(), english::WORDS.neutral_refusal);
    }

    #[test]
    fn an_unknown_code_is_treated_as_sensitive_in_every_language() {
        for language in Language::ALL {
            assert_eq!(
                refused_in(language, &[reason("1301"), reason("2999")]),
                refused_in(language, &[])
            );
        }
    }

    #[test]
    fn other_outcomes_have_their_own_sentence_in_every_language() {
        for language in Language::ALL {
            let words = Words::of(language);
            let of = |status, score, reasons: &[Reason]| {
                CustomerText::for_verification(status, score, reasons, language)
            };
            assert_eq!(
                of(&LivenessStatus::Processing, None, &[]).headline(),
                words.in_progress
            );
            assert_eq!(
                of(
                    &LivenessStatus::Processed,
                    Some(Score::Validated),
                    &[reason("2301")]
                )
                .to_plain_text(),
                words.validated
            );
            let failed = of(
                &LivenessStatus::Processed,
                Some(Score::Failed),
                &[reason("1311")],
            );
            assert_eq!(
                failed.tips(),
                [ShareableReason::new(&ReasonCode::parse("1311"))
                    .unwrap()
                    .tip(language)]
            );
            assert_eq!(
                of(&LivenessStatus::Aborted, None, &[]).headline(),
                words.aborted
            );
            assert_eq!(
                CustomerText::link_expired(language).headline(),
                words.expired
            );
        }
        assert!(
            refused(&[reason("1311")])
                .to_plain_text()
                .contains("your face is in the frame")
        );
    }

    fn any_code() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => proptest::sample::select(ListedReason::ALL).prop_map(|r| r.code().to_string()),
            1 => "[0-9]{1,5}",
            1 => ".{0,6}",
        ]
    }

    proptest! {
        /// Every code, every combination, every language: nothing of a sensitive reason reaches
        /// the customer, and no code ever does.
        #[test]
        fn customer_text_never_carries_a_sensitive_reason(
            codes in proptest::collection::vec(any_code(), 0..8),
            score in proptest::sample::select(vec![Score::Refused, Score::Failed]),
            language in proptest::sample::select(Language::ALL.to_vec()),
        ) {
            let reasons: Vec<Reason> = codes.iter().map(|c| reason(c)).collect();
            let text = CustomerText::for_verification(&LivenessStatus::Processed, Some(score), &reasons, language);
            let plain = text.to_plain_text();
            let any_sensitive = reasons.iter().any(Reason::is_aml_sensitive);
            if any_sensitive {
                prop_assert_eq!(plain.as_str(), Words::of(language).neutral_refusal);
            }
            for r in &reasons {
                prop_assert!(!plain.contains(&r.message));
                if let Some(guide) = r.code.guide_message() {
                    prop_assert!(!plain.contains(guide));
                }
            }
            prop_assert!(!plain.chars().any(|c| c.is_ascii_digit()), "a code leaked into {:?}", plain);
            if !any_sensitive && !reasons.is_empty() {
                let distinct: std::collections::HashSet<&str> = reasons
                    .iter()
                    .filter_map(|r| ShareableReason::new(&r.code))
                    .map(|r| r.tip(language))
                    .collect();
                prop_assert_eq!(text.tips().len(), distinct.len());
            }
        }
    }
}

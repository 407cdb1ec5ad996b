//! Text meant for the customer, which cannot carry an AML-sensitive reason.
//!
//! Tipping-off is an offence, so this is made impossible by type rather than by care:
//! - [`ShareableReason`] can only be built by [`ShareableReason::new`], which refuses every
//!   sensitive code (fraud, prohibited behaviour, and any code not on the guide's list);
//! - a tip for the customer exists only for a `ShareableReason`;
//! - [`CustomerText`] has private fields and is built only by [`CustomerText::for_verification`].
//!
//! When any sensitive reason is present, the customer gets the same neutral sentence as a refusal
//! that came with no reason at all: no code, no message, no tips that would set that case apart.
//! Reason codes themselves never appear in customer text.

use serde::Serialize;

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

    /// What the customer can do about it, in plain words.
    pub fn tip(self) -> &'static str {
        use ListedReason::*;
        match self.0 {
            InsufficientConnection => {
                "Use a stable internet connection (Wi-Fi or a good mobile signal) for the whole check."
            }
            DocumentVideoBlurry => {
                "Hold your identity document still and in focus while you film it."
            }
            DocumentFrontMissing => {
                "Show the front of your identity document when you are asked to."
            }
            DocumentBackMissing => "Show the back of your identity document when you are asked to.",
            DocumentPartlyHidden => {
                "Keep the whole document visible, without covering any part of it with your fingers."
            }
            DocumentNotDynamic => {
                "Tilt your document slowly when you are asked to, so that its security features can be seen."
            }
            FaceVideoBlurry => {
                "Hold your phone still and keep your face in focus while you film it."
            }
            FaceMissing => "Make sure your face is in the frame when you are asked to show it.",
            FaceNotFullFront => "Face the camera directly so that your whole face can be seen.",
            NoLivenessMovement => "Follow the movements shown on the screen when you are asked to.",
            PoorLighting => "Do the check in a well-lit place, without a strong light behind you.",
            InternalError => "A technical problem interrupted the check. Please try again.",
            VideosUnplayable => {
                "The videos could not be read. Please try again, if you can with another device."
            }
            DocumentExpired => "Use an identity document that has not expired.",
            DocumentNotAccepted => {
                "Use an accepted identity document, such as a national identity card, a passport or a residence permit."
            }
            DocumentDamaged => "Use an identity document in good condition.",
            DocumentPhotocopy => "Use your original identity document, not a photocopy.",
            DocumentOnScreen => {
                "Show your original identity document, not a picture of it on a screen."
            }
            // `new` never builds these; listing them keeps the match exhaustive so that a new
            // shareable code cannot be added without its tip.
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
            | RecentFraudAttempt => NEUTRAL_REFUSAL,
        }
    }
}

const IN_PROGRESS: &str = "We have received your identity check and are reviewing it. We will let you know when it is complete.";
const VALIDATED: &str = "Your identity has been verified. Thank you.";
const NOT_COMPLETED: &str = "We could not complete the verification of your identity.";
const RETRY_INTRO: &str = "You can try again. Please make sure that you:";
/// The one sentence a customer gets when no reason can be shared, whatever the reason.
const NEUTRAL_REFUSAL: &str = "We could not complete the verification of your identity. We will contact you about the next steps.";
const ABORTED: &str =
    "Your identity check was not completed. You can start again from the link we send you.";
const EXPIRED: &str = "The link to verify your identity has expired. Please ask us for a new one.";
const WAITING: &str = "Your identity check has not been completed yet.";

/// What the customer may be told about their verification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CustomerText {
    headline: &'static str,
    tips: Vec<&'static str>,
}

impl CustomerText {
    /// Composes the customer's text from what the verification says. Sensitive reasons silence
    /// every reason (see the module doc).
    pub fn for_verification(
        status: &LivenessStatus,
        score: Option<Score>,
        reasons: &[Reason],
    ) -> CustomerText {
        match (status, score) {
            (LivenessStatus::Processed, Some(Score::Validated)) => CustomerText::only(VALIDATED),
            (LivenessStatus::Processed, _) => Self::refusal(reasons),
            (LivenessStatus::Processing, _) => CustomerText::only(IN_PROGRESS),
            (LivenessStatus::Aborted, _) => CustomerText::only(ABORTED),
            (LivenessStatus::Expired, _) => CustomerText::only(EXPIRED),
            (LivenessStatus::Other(_), _) => CustomerText::only(WAITING),
        }
    }

    /// The text for a link that expired before the customer used it.
    pub fn link_expired() -> CustomerText {
        CustomerText::only(EXPIRED)
    }

    fn refusal(reasons: &[Reason]) -> CustomerText {
        let shareable: Option<Vec<ShareableReason>> = reasons
            .iter()
            .map(|r| ShareableReason::new(&r.code))
            .collect();
        let mut tips: Vec<&'static str> = Vec::new();
        for reason in shareable.unwrap_or_default() {
            let tip = reason.tip();
            if !tips.contains(&tip) {
                tips.push(tip);
            }
        }
        if tips.is_empty() {
            CustomerText::only(NEUTRAL_REFUSAL)
        } else {
            CustomerText {
                headline: NOT_COMPLETED,
                tips,
            }
        }
    }

    fn only(headline: &'static str) -> CustomerText {
        CustomerText {
            headline,
            tips: Vec::new(),
        }
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
        if !self.tips.is_empty() {
            text.push_str("\n\n");
            text.push_str(RETRY_INTRO);
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

    fn refused(reasons: &[Reason]) -> CustomerText {
        CustomerText::for_verification(&LivenessStatus::Processed, Some(Score::Refused), reasons)
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
            if let Some(shareable) = built {
                assert_ne!(
                    shareable.tip(),
                    NEUTRAL_REFUSAL,
                    "{listed:?} has its own tip"
                );
            }
        }
        assert!(ShareableReason::new(&ReasonCode::parse("1399")).is_none());
    }

    #[test]
    fn a_blurry_video_gives_a_retry_tip() {
        let text = refused(&[reason("1301"), reason("1320")]);
        assert_eq!(text.headline(), NOT_COMPLETED);
        assert_eq!(text.tips().len(), 2);
        let plain = text.to_plain_text();
        assert!(plain.contains("in focus"));
        assert!(plain.contains("well-lit"));
        assert!(!plain.contains("1301"));
    }

    #[test]
    fn a_fraud_reason_silences_every_reason() {
        let with_fraud = refused(&[reason("1301"), reason("2301")]);
        assert_eq!(
            with_fraud,
            refused(&[]),
            "same text as a refusal without reasons"
        );
        assert_eq!(with_fraud.to_plain_text(), NEUTRAL_REFUSAL);
    }

    #[test]
    fn an_unknown_code_is_treated_as_sensitive() {
        assert_eq!(refused(&[reason("1301"), reason("2999")]), refused(&[]));
    }

    #[test]
    fn other_outcomes_have_their_own_sentence() {
        let processing = CustomerText::for_verification(&LivenessStatus::Processing, None, &[]);
        assert_eq!(processing.headline(), IN_PROGRESS);
        let validated = CustomerText::for_verification(
            &LivenessStatus::Processed,
            Some(Score::Validated),
            &[reason("2301")],
        );
        assert_eq!(validated.to_plain_text(), VALIDATED);
        let failed = CustomerText::for_verification(
            &LivenessStatus::Processed,
            Some(Score::Failed),
            &[reason("1311")],
        );
        assert!(failed.to_plain_text().contains("your face is in the frame"));
        assert_eq!(CustomerText::link_expired().headline(), EXPIRED);
    }

    fn any_code() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => proptest::sample::select(ListedReason::ALL).prop_map(|r| r.code().to_string()),
            1 => "[0-9]{1,5}",
            1 => ".{0,6}",
        ]
    }

    proptest! {
        /// Every code and every combination: nothing of a sensitive reason reaches the customer,
        /// and no code ever does.
        #[test]
        fn customer_text_never_carries_a_sensitive_reason(
            codes in proptest::collection::vec(any_code(), 0..8),
            score in proptest::sample::select(vec![Score::Refused, Score::Failed]),
        ) {
            let reasons: Vec<Reason> = codes.iter().map(|c| reason(c)).collect();
            let text = CustomerText::for_verification(&LivenessStatus::Processed, Some(score), &reasons);
            let plain = text.to_plain_text();
            let any_sensitive = reasons.iter().any(Reason::is_aml_sensitive);
            if any_sensitive {
                prop_assert_eq!(plain.as_str(), NEUTRAL_REFUSAL);
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
                    .map(ShareableReason::tip)
                    .collect();
                prop_assert_eq!(text.tips().len(), distinct.len());
            }
        }
    }
}

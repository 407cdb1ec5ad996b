//! The customer's words in English. Plain, polite, never blaming: the customer may only have had a
//! bad connection.

use super::{ShareableReason, Words};
use crate::reasons::ListedReason::*;

pub(super) const WORDS: Words = Words {
    in_progress: "We have received your identity check and are reviewing it. We will let you know when it is complete.",
    validated: "Your identity has been verified. Thank you.",
    not_completed: "We could not complete the verification of your identity.",
    retry_intro: "You can try again. Please make sure that you:",
    neutral_refusal: "We could not complete the verification of your identity. We will contact you about the next steps.",
    aborted: "Your identity check was not completed. You can start again from the link we send you.",
    expired: "The link to verify your identity has expired. Please ask us for a new one.",
    waiting: "Your identity check has not been completed yet.",
    tip,
};

fn tip(reason: ShareableReason) -> &'static str {
    match reason.0 {
        InsufficientConnection => {
            "Use a stable internet connection (Wi-Fi or a good mobile signal) for the whole check."
        }
        DocumentVideoBlurry => "Hold your identity document still and in focus while you film it.",
        DocumentFrontMissing => "Show the front of your identity document when you are asked to.",
        DocumentBackMissing => "Show the back of your identity document when you are asked to.",
        DocumentPartlyHidden => {
            "Keep the whole document visible, without covering any part of it with your fingers."
        }
        DocumentNotDynamic => {
            "Tilt your document slowly when you are asked to, so that its security features can be seen."
        }
        FaceVideoBlurry => "Hold your phone still and keep your face in focus while you film it.",
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
        // Never built (see `never_shareable!`): listed so that the match stays exhaustive.
        never_shareable!() => WORDS.neutral_refusal,
    }
}

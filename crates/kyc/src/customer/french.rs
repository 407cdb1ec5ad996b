//! The customer's words in French: vouvoiement, courteous and factual, never blaming. French
//! typography: a no-break space before the colon, typographic apostrophes.

use super::{ShareableReason, Words};
use crate::reasons::ListedReason::*;

pub(super) const WORDS: Words = Words {
    in_progress: "Nous avons bien reçu votre vérification d’identité et nous l’examinons. Nous vous informerons dès qu’elle sera terminée.",
    validated: "Votre identité a bien été vérifiée. Merci.",
    not_completed: "Nous n’avons pas pu finaliser la vérification de votre identité.",
    retry_intro: "Vous pouvez recommencer. Pour que la vérification aboutisse, nous vous remercions de suivre ces conseils\u{a0}:",
    neutral_refusal: "Nous n’avons pas pu finaliser la vérification de votre identité. Nous reviendrons vers vous pour la suite de votre demande.",
    aborted: "Votre vérification d’identité n’a pas été menée à son terme. Vous pouvez la reprendre à partir du lien que nous vous envoyons.",
    expired: "Le lien de vérification de votre identité a expiré. Merci de nous en demander un nouveau.",
    waiting: "Votre vérification d’identité n’est pas encore terminée.",
    tip,
};

fn tip(reason: ShareableReason) -> &'static str {
    match reason.0 {
        InsufficientConnection => {
            "Utilisez une connexion internet stable (Wi-Fi ou bon réseau mobile) pendant toute la vérification."
        }
        DocumentVideoBlurry => {
            "Tenez votre pièce d’identité immobile et bien nette pendant que vous la filmez."
        }
        DocumentFrontMissing => {
            "Présentez le recto de votre pièce d’identité lorsque cela vous est demandé."
        }
        DocumentBackMissing => {
            "Présentez le verso de votre pièce d’identité lorsque cela vous est demandé."
        }
        DocumentPartlyHidden => {
            "Gardez toute la pièce visible, sans en masquer une partie avec vos doigts."
        }
        DocumentNotDynamic => {
            "Inclinez lentement votre pièce lorsque cela vous est demandé, afin que ses éléments de sécurité soient visibles."
        }
        FaceVideoBlurry => {
            "Tenez votre téléphone immobile et gardez votre visage bien net pendant que vous le filmez."
        }
        FaceMissing => {
            "Veillez à ce que votre visage soit dans le cadre lorsqu’il vous est demandé de le montrer."
        }
        FaceNotFullFront => {
            "Placez-vous bien face à la caméra, afin que l’ensemble de votre visage soit visible."
        }
        NoLivenessMovement => {
            "Suivez les mouvements indiqués à l’écran lorsque cela vous est demandé."
        }
        PoorLighting => {
            "Faites la vérification dans un endroit bien éclairé, sans forte lumière derrière vous."
        }
        InternalError => "Un problème technique a interrompu la vérification. Merci de réessayer.",
        VideosUnplayable => {
            "Les vidéos n’ont pas pu être lues. Merci de réessayer, si possible avec un autre appareil."
        }
        DocumentExpired => "Utilisez une pièce d’identité en cours de validité.",
        DocumentNotAccepted => {
            "Utilisez une pièce d’identité acceptée, comme une carte nationale d’identité, un passeport ou un titre de séjour."
        }
        DocumentDamaged => "Utilisez une pièce d’identité en bon état.",
        DocumentPhotocopy => {
            "Utilisez l’original de votre pièce d’identité, et non une photocopie."
        }
        DocumentOnScreen => {
            "Présentez l’original de votre pièce d’identité, et non une image affichée sur un écran."
        }
        // Never built (see `never_shareable!`): listed so that the match stays exhaustive.
        never_shareable!() => WORDS.neutral_refusal,
    }
}

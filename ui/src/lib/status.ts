/**
 * The words and colours of every state, defined once. A tone names a CSS class (`tone-<name>`,
 * in app.css) so the queue, the case view and the filters show a state the same way.
 *
 * Tones: `idle` nothing started; `waiting` the customer or Treezor is on it; `act` the officer's
 * move; `warn` the customer's verification did not finish; `refused` a refusal; `done` validated.
 */
import type { Awaited, CaseFile, CaseState, Caution, ReviewState } from './api';
import { m } from './i18n/locale';

export type Tone = 'idle' | 'waiting' | 'act' | 'warn' | 'refused' | 'done';

interface StateLook {
  /** A few words for the queue and the filters. */
  label: string;
  tone: Tone;
}

export const STATES: Record<CaseState, StateLook> = {
  no_verification: { label: m.state_no_verification(), tone: 'idle' },
  link_issued: { label: m.state_link_issued(), tone: 'waiting' },
  link_expired: { label: m.state_link_expired(), tone: 'warn' },
  processing: { label: m.state_processing(), tone: 'waiting' },
  abandoned: { label: m.state_abandoned(), tone: 'warn' },
  validated: { label: m.state_validated(), tone: 'act' },
  refused: { label: m.state_refused(), tone: 'refused' },
  failed: { label: m.state_failed(), tone: 'warn' },
  documents_requested: { label: m.state_documents_requested(), tone: 'waiting' },
  documents_received: { label: m.state_documents_received(), tone: 'act' },
  review_requested: { label: m.state_review_requested(), tone: 'waiting' },
  review_validated: { label: m.state_review_validated(), tone: 'done' },
  review_refused: { label: m.state_review_refused(), tone: 'refused' },
};

/** Where a case stands, in a sentence (a state's few words are in {@link STATES}). */
const STATE_WORDS: Record<CaseState, () => string> = {
  no_verification: m.words_no_verification,
  link_issued: m.words_link_issued,
  link_expired: m.words_link_expired,
  processing: m.words_processing,
  abandoned: m.words_abandoned,
  validated: m.words_validated,
  refused: m.words_refused,
  failed: m.words_failed,
  documents_requested: m.words_documents_requested,
  documents_received: m.words_documents_received,
  review_requested: m.words_review_requested,
  review_validated: m.words_review_validated,
  review_refused: m.words_review_refused,
};

/**
 * Where the case stands, in the window's language. A legal entity is never verified: "no
 * verification yet" would send the officer the wrong way; until its review, it waits for its
 * people's documents.
 */
export function caseStateWords(file: CaseFile): string {
  const state = file.detail.view.state;
  if (file.legal_entity && state === 'no_verification') {
    return file.children_without_documents.length === 0
      ? m.words_legal_entity_ready()
      : m.words_legal_entity_waiting();
  }
  return STATE_WORDS[state]();
}

/** The states in the order of the guide's process, as the filters list them. */
export const STATE_ORDER: CaseState[] = [
  'no_verification',
  'link_issued',
  'link_expired',
  'processing',
  'abandoned',
  'failed',
  'refused',
  'validated',
  'documents_requested',
  'documents_received',
  'review_requested',
  'review_validated',
  'review_refused',
];

export const REVIEWS: Record<ReviewState, StateLook> = {
  not_requested: { label: m.review_not_requested(), tone: 'idle' },
  pending: { label: m.review_pending(), tone: 'waiting' },
  validated: { label: m.review_validated(), tone: 'done' },
  refused: { label: m.review_refused(), tone: 'refused' },
  closed: { label: m.review_closed(), tone: 'idle' },
  other: { label: m.review_other(), tone: 'idle' },
};

/** A verification's score, as Treezor's guide explains it. */
export const SCORES: Record<'-1' | '0' | '1', { label: string; words: string; tone: Tone }> = {
  '1': { label: '1', words: m.score_validated(), tone: 'done' },
  '0': { label: '0', words: m.score_refused(), tone: 'refused' },
  '-1': { label: '−1', words: m.score_failed(), tone: 'warn' },
};

export function scoreLook(score: number | null): { label: string; words: string; tone: Tone } {
  if (score === null) {
    return { label: '–', words: m.score_none(), tone: 'idle' };
  }
  return SCORES[String(score) as '-1' | '0' | '1'];
}

/** `userTypeId` in words. */
export function userTypeLabel(type: number | null): string {
  switch (type) {
    case 1:
      return m.user_type_person();
    case 2:
      return m.user_type_business();
    case 3:
      return m.user_type_ngo();
    case 4:
      return m.user_type_government();
    case null:
      return '–';
    default:
      return m.user_type_other({ type });
  }
}

/** `kycReview` in words (Treezor's numbers). */
export function kycReviewWords(review: number | null): string {
  switch (review) {
    case null:
    case 0:
      return m.kyc_review_none();
    case 1:
      return m.kyc_review_pending();
    case 2:
      return m.kyc_review_validated();
    case 3:
      return m.kyc_review_refused();
    case 4:
      return m.kyc_review_investigating();
    case 5:
      return m.kyc_review_closed();
    case 6:
      return m.kyc_review_open();
    case 7:
      return m.kyc_review_pending();
    default:
      return m.kyc_review_other({ review });
  }
}

/** `kycLevel` in words. */
export function kycLevelWords(level: number | null): string {
  const words = [m.kyc_level_0, m.kyc_level_1, m.kyc_level_2, m.kyc_level_3, m.kyc_level_4, m.kyc_level_5, m.kyc_level_6];
  if (level === null) return '–';
  return words[level]?.() ?? m.kyc_level_other({ level });
}

/** `documentTypeId` in words. */
export function documentTypeName(type: number | null): string {
  switch (type) {
    case 9:
      return m.doc_identity_card();
    case 12:
      return m.doc_proof_of_address();
    case 15:
      return m.doc_residence_permit();
    case 16:
      return m.doc_driving_licence();
    case 17:
      return m.doc_passport();
    case 26:
      return m.doc_liveness_result();
    case 34:
      return m.doc_certified_liveness_result();
    case null:
      return m.doc_unknown();
    default:
      return m.doc_other({ type });
  }
}

/** What each officer action is called on its button. */
export const ACTION_LABELS = {
  start_verification: m.action_start_verification(),
  retrieve_documents: m.action_retrieve_documents(),
  download_document: m.action_download_document(),
  request_review: m.action_request_review(),
} as const;

/** What the officer confirms, as the confirmation's headline (the backend's message follows). */
export const CAUTION_HEADLINES: Record<Caution, string> = {
  aml_flagged: m.caution_aml_flagged(),
  replaces_verification_in_progress: m.caution_replaces_verification_in_progress(),
  replaces_validated_verification: m.caution_replaces_validated_verification(),
  already_validated: m.caution_already_validated(),
  start_answer_lost: m.caution_start_answer_lost(),
  children_without_documents: m.caution_children_without_documents(),
  review_goes_on_parent: m.caution_review_goes_on_parent(),
};

/** A document the review still waits for, in words. */
export function awaitedWords(awaited: Awaited): string {
  switch (awaited.kind) {
    case 'listing':
      return m.awaited_listing();
    case 'synthesis':
      return m.awaited_synthesis();
    case 'document':
      return m.awaited_document({ name: documentTypeName(awaited.document_type), document: awaited.document });
  }
}

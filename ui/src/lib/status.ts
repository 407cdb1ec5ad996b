/**
 * The words and colours of every state, defined once. A tone names a CSS class (`tone-<name>`,
 * in app.css) so the queue, the case view and the filters show a state the same way.
 *
 * Tones: `idle` nothing started; `waiting` the customer or Treezor is on it; `act` the officer's
 * move; `warn` the customer's verification did not finish; `refused` a refusal; `done` validated.
 */
import type { Awaited, CaseState, Caution, ReviewState } from './api';

export type Tone = 'idle' | 'waiting' | 'act' | 'warn' | 'refused' | 'done';

interface StateLook {
  /** A few words for the queue and the filters. */
  label: string;
  tone: Tone;
}

export const STATES: Record<CaseState, StateLook> = {
  no_verification: { label: 'No verification', tone: 'idle' },
  link_issued: { label: 'Link sent', tone: 'waiting' },
  link_expired: { label: 'Link expired', tone: 'warn' },
  processing: { label: 'Processing', tone: 'waiting' },
  abandoned: { label: 'Abandoned', tone: 'warn' },
  validated: { label: 'Validated', tone: 'act' },
  refused: { label: 'Refused', tone: 'refused' },
  failed: { label: 'Failed', tone: 'warn' },
  documents_requested: { label: 'Documents requested', tone: 'waiting' },
  documents_received: { label: 'Documents received', tone: 'act' },
  review_requested: { label: 'Review requested', tone: 'waiting' },
  review_validated: { label: 'Review validated', tone: 'done' },
  review_refused: { label: 'Review refused', tone: 'refused' },
};

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
  not_requested: { label: 'Not requested', tone: 'idle' },
  pending: { label: 'Pending', tone: 'waiting' },
  validated: { label: 'Validated', tone: 'done' },
  refused: { label: 'Refused', tone: 'refused' },
  closed: { label: 'Closed', tone: 'idle' },
  other: { label: 'Other', tone: 'idle' },
};

/** A verification's score, as Treezor's guide explains it. */
export const SCORES: Record<'-1' | '0' | '1', { label: string; words: string; tone: Tone }> = {
  '1': { label: '1', words: 'Validated: the user was identified', tone: 'done' },
  '0': { label: '0', words: 'Refused: the provider could not verify the user', tone: 'refused' },
  '-1': { label: '−1', words: 'Failed: the verification could not be processed', tone: 'warn' },
};

export function scoreLook(score: number | null): { label: string; words: string; tone: Tone } {
  if (score === null) {
    return { label: '–', words: 'No score yet', tone: 'idle' };
  }
  return SCORES[String(score) as '-1' | '0' | '1'];
}

/** `userTypeId` in words. */
export function userTypeLabel(type: number | null): string {
  switch (type) {
    case 1:
      return 'Person';
    case 2:
      return 'Business';
    case 3:
      return 'NGO';
    case 4:
      return 'Government';
    case null:
      return '–';
    default:
      return `Type ${type}`;
  }
}

/** `kycReview` in words (Treezor's numbers). */
export function kycReviewWords(review: number | null): string {
  switch (review) {
    case null:
    case 0:
      return 'No review';
    case 1:
      return 'Review pending';
    case 2:
      return 'Review validated';
    case 3:
      return 'Review refused';
    case 4:
      return 'Investigating';
    case 5:
      return 'Closed';
    case 6:
      return 'Review open';
    case 7:
      return 'Review pending';
    default:
      return `Review state ${review}`;
  }
}

/** `kycLevel` in words. */
export function kycLevelWords(level: number | null): string {
  const words = ['None', 'Light', 'Regular', 'Strong', 'Refused', 'Pre-validated', 'Enhanced'];
  if (level === null) return '–';
  return words[level] ?? `Level ${level}`;
}

/** `documentTypeId` in words. */
export function documentTypeName(type: number | null): string {
  switch (type) {
    case 9:
      return 'Identity card';
    case 12:
      return 'Proof of address';
    case 15:
      return 'Residence permit';
    case 16:
      return 'Driving licence';
    case 17:
      return 'Passport';
    case 26:
      return 'Liveness result';
    case 34:
      return 'Certified liveness result';
    case null:
      return 'Document';
    default:
      return `Document type ${type}`;
  }
}

/** What each officer action is called on its button. */
export const ACTION_LABELS = {
  start_verification: 'Start verification',
  retrieve_documents: 'Retrieve documents',
  download_document: 'Download documents',
  request_review: 'Request KYC review',
} as const;

/** What the officer confirms, as the confirmation's headline (the backend's message follows). */
export const CAUTION_HEADLINES: Record<Caution, string> = {
  aml_flagged: 'This person has an AML flag.',
  replaces_verification_in_progress: 'A verification is in progress.',
  replaces_validated_verification: 'The last verification was validated.',
  already_validated: 'The KYC review was validated.',
  start_answer_lost: "Treezor's answer to the last start was lost.",
  children_without_documents: 'Children without documents.',
  review_goes_on_parent: 'The review usually goes on the parent.',
};

/** A document the review still waits for, in words. */
export function awaitedWords(awaited: Awaited): string {
  switch (awaited.kind) {
    case 'listing':
      return "Treezor's list of documents has not been read since the retrieval";
    case 'synthesis':
      return 'The verification\'s synthesis document (type 26 or 34)';
    case 'document':
      return `${documentTypeName(awaited.document_type)} #${awaited.document}: Treezor lists it, its document.create webhook has not come`;
  }
}

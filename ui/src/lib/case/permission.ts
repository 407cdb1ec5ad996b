/**
 * Why an action is disabled, or what the officer confirms, in the window's language: the backend
 * sends the typed refusal or cautions, and the case file holds what they are about (the AML
 * flags, the children without documents, the parent).
 */
import type { CaseFile, Caution } from '../api';
import type { Permission } from '../bindings/Permission';
import type { Refusal } from '../bindings/Refusal';
import { formatDateTime } from '../format';
import { m } from '../i18n/locale';

const REFUSALS: Record<Refusal, () => string> = {
  no_verification: m.refusal_no_verification,
  not_processed_yet: m.refusal_not_processed_yet,
  not_validated: m.refusal_not_validated,
  documents_already_received: m.refusal_documents_already_received,
  documents_not_retrieved: m.refusal_documents_not_retrieved,
  documents_not_arrived: m.refusal_documents_not_arrived,
  no_documents: m.refusal_no_documents,
  review_in_progress: m.refusal_review_in_progress,
  review_already_validated: m.refusal_review_already_validated,
  review_refused: m.refusal_review_refused,
  legal_entity: m.refusal_legal_entity,
};

const CAUTIONS: Record<Caution, () => string> = {
  aml_flagged: m.caution_full_aml_flagged,
  replaces_verification_in_progress: m.caution_full_replaces_verification_in_progress,
  replaces_validated_verification: m.caution_full_replaces_validated_verification,
  already_validated: m.caution_full_already_validated,
  start_answer_lost: m.caution_full_start_answer_lost,
  children_without_documents: m.caution_full_children_without_documents,
  review_goes_on_parent: m.caution_full_review_goes_on_parent,
};

/** Why an action is refused, in words. */
export function refusalWords(refusal: Refusal): string {
  return REFUSALS[refusal]();
}

/** A caution in words; with the case file, what it is about in this case. Codes only, never a reason's text. */
export function cautionWords(caution: Caution, file?: CaseFile): string {
  const words = [CAUTIONS[caution]()];
  if (file && caution === 'aml_flagged') {
    for (const flag of file.detail.view.aml_flags) {
      const date = formatDateTime(flag.raised_at);
      const codes = flag.codes.join(', ');
      words.push(
        flag.identification
          ? m.caution_flag_by_identification({ date, identification: flag.identification, codes })
          : m.caution_flag_by_verification({ date, codes }),
      );
    }
  } else if (file && caution === 'children_without_documents' && file.children_without_documents.length > 0) {
    const names = file.children_without_documents.map((c) => `${c.display_name} (${c.user_id})`).join(', ');
    words.push(m.caution_without_documents({ names }));
  } else if (file && caution === 'review_goes_on_parent' && file.detail.parent) {
    words.push(m.caution_parent_is({ name: file.detail.parent.display_name, id: file.detail.parent.user_id }));
  }
  return words.join(' ');
}

/** Why an action is disabled or what to confirm; `null` when it is simply allowed. */
export function permissionWords(permission: Permission, file: CaseFile): string | null {
  switch (permission.verdict) {
    case 'allowed':
      return null;
    case 'not_allowed':
      return REFUSALS[permission.why]();
    case 'needs_confirmation':
      return permission.why.map((caution) => cautionWords(caution, file)).join(' ');
  }
}

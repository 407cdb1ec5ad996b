/**
 * The officer's explanation of each reason code and the name of its family, in the window's
 * language. Treezor's own message is shown beside it, verbatim: that is the record.
 */
import type { Family } from '../api';
import { m } from './locale';

type Explained = keyof typeof m & `reason_${number}`;

/** What a listed code means, for the officer; `null` for a code the guide does not list. */
export function explanation(code: string | number): string | null {
  const key = `reason_${String(code).trim()}`;
  return key in m ? m[key as Explained]() : null;
}

const FAMILIES: Record<Family, () => string> = {
  connection: m.family_connection,
  capture: m.family_capture,
  technical: m.family_technical,
  document_validity: m.family_document_validity,
  document_presentation: m.family_document_presentation,
  fraud: m.family_fraud,
  prohibited_behaviour: m.family_prohibited_behaviour,
};

const BY_PREFIX: Record<string, Family> = {
  '12': 'connection',
  '13': 'capture',
  '19': 'technical',
  '21': 'document_validity',
  '22': 'document_presentation',
  '23': 'fraud',
  '24': 'prohibited_behaviour',
};

export function familyLabel(family: Family): string {
  return FAMILIES[family]();
}

/** The family of a listed code, named; `null` for an unlisted one. */
export function familyOfCode(code: string): string | null {
  return explanation(code) === null ? null : familyLabel(BY_PREFIX[code.trim().slice(0, 2)]);
}

import type { ErrorCode } from '../lib/bindings/ErrorCode';
import type { ErrorDetail } from '../lib/bindings/ErrorDetail';
import type { ErrorWords } from '../lib/bindings/ErrorWords';
import type { IpcError } from '../lib/bindings/IpcError';
/**
 * Backend answers for component tests, shaped as the generated bindings say, and a fake backend
 * that records the commands the window sends.
 */
import { mockIPC } from '@tauri-apps/api/mocks';

import type { CaseFile, QueueRow, StoredDocument } from '../lib/api';
import type { ActionState } from '../lib/bindings/ActionState';
import type { AppStatus } from '../lib/bindings/AppStatus';

export const NOW = '2025-05-03T12:00:00.000Z';

export function queueRow(user: number, overrides: Partial<QueueRow> = {}): QueueRow {
  return {
    user_id: user,
    display_name: `Customer ${user}`,
    user_type: 1,
    state: 'processing',
    score: null,
    reasons: [],
    aml_flagged: false,
    review: 'not_requested',
    created_at: '2025-05-01T12:00:00.000Z',
    last_change: '2025-05-03T11:50:00.000Z',
    identification: null,
    link_expires_at: null,
    due_at: null,
    ...overrides,
  };
}

export const allowed = (action: ActionState['action']): ActionState => ({
  action,
  permission: { verdict: 'allowed' },
});

export function document(id: number, type: number, downloads: StoredDocument['downloads'] = []): StoredDocument {
  return {
    document: {
      documentId: id,
      userId: 42,
      documentTypeId: type,
      documentType: null,
      documentStatus: 'PENDING',
      fileName: `${id}.pdf`,
      name: null,
      createdDate: NOW,
      modifiedDate: null,
    },
    observed_at: NOW,
    downloads,
  };
}

/** A refused verification with a shareable and an AML-sensitive reason. */
export function refusedCase(): CaseFile {
  const file: CaseFile = {
    detail: {
      user_id: 42,
      profile: {
        userId: 42,
        userTypeId: 1,
        userStatus: 'VALIDATED',
        firstname: 'Zoé',
        lastname: 'Lefèvre',
        birthday: '1990-04-12',
        email: 'zoe@example.com',
        placeOfBirth: 'Lyon',
        nationality: 'FR',
        language: null,
        address1: '1 rue de la Paix',
        postcode: '69001',
        city: 'Lyon',
        country: 'FR',
        phone: null,
        legalName: null,
        legalRegistrationNumber: null,
        legalForm: null,
        parentUserId: null,
        parentType: null,
        kycLevel: 0,
        kycReview: 0,
        kycReviewComment: null,
        createdDate: '2025-05-01T12:00:00.000Z',
        modifiedDate: null,
      },
      display_name: 'Zoé Lefèvre',
      parent: null,
      children: [],
      view: {
        state: 'refused',
        attempts: [
          {
            identification: 'idv-1',
            started_at: '2025-05-03T11:40:00.000Z',
            url: 'http://127.0.0.1:9/verify/idv-1',
            expires_at: '2025-05-03T11:55:00.000Z',
            liveness_type: 'video_certified',
            status: 'processed',
            score: 0,
            reasons: [
              { 'reason-code': '1301', 'reason-message': 'blurry' },
              { 'reason-code': '2301', 'reason-message': 'counterfeit' },
            ],
            comment: null,
            decided_at: '2025-05-03T11:45:00.000Z',
          },
        ],
        documents: [],
        awaited: [],
        listings: [],
        aml_flags: [
          { raised_at: '2025-05-03T11:45:00.000Z', identification: 'idv-1', codes: ['2301'] },
        ],
        unanswered_start: null,
        review: null,
        review_comment: null,
        last_change: '2025-05-03T11:45:00.000Z',
      },
      documents: [],
      timeline: [
        {
          seq: 7,
          webhook_id: 'w-1',
          event: 'kycliveness.update',
          object: 'kycliveness',
          object_id: '42',
          at: '2025-05-03T11:45:00.000Z',
          created_at: '2025-05-03T11:45:00.000Z',
          received_at: '2025-05-03T11:45:01.000Z',
          error: null,
          replay_of: null,
        },
      ],
      due_at: null,
    },
    actions: [
      allowed('start_verification'),
      {
        action: 'retrieve_documents',
        permission: { verdict: 'not_allowed', why: 'not_validated' },
      },
      {
        action: 'download_document',
        permission: { verdict: 'not_allowed', why: 'no_documents' },
      },
      {
        action: 'request_review',
        permission: { verdict: 'not_allowed', why: 'not_validated' },
      },
    ],
    reasons: [
      {
        code: '1301',
        message: 'Applicant’s document video is too blurry',
        family: 'Capture quality',
        aml_sensitive: false,
      },
      {
        code: '2301',
        message: 'Applicant has submitted a counterfeit or falsification',
        family: 'Fraud suspicion',
        aml_sensitive: true,
      },
    ],
    customer_texts: [
      {
        language: 'fr',
        headline:
          'Nous n’avons pas pu finaliser la vérification de votre identité. Nous reviendrons vers vous pour la suite de votre demande.',
        retry_intro: null,
        tips: [],
      },
      {
        language: 'en',
        headline:
          'We could not complete the verification of your identity. We will contact you about the next steps.',
        retry_intro: null,
        tips: [],
      },
    ],
    customer_language: null,
    reasons_by_attempt: [],
    legal_entity: false,
    children_without_documents: [],
    empty_profile_fields: ['phone'],
  };
  file.reasons_by_attempt = [file.reasons];
  return file;
}

/** Documents received: the review is the next step; two documents to download. */
export function documentsReceivedCase(): CaseFile {
  const file = refusedCase();
  file.detail.view.state = 'documents_received';
  file.detail.view.attempts[0].score = 1;
  file.detail.view.attempts[0].reasons = [];
  file.detail.view.aml_flags = [];
  file.reasons = [];
  file.reasons_by_attempt = [[]];
  file.detail.documents = [document(501, 17), document(502, 34)];
  file.actions = [
    {
      action: 'start_verification',
      permission: { verdict: 'needs_confirmation', why: ['replaces_validated_verification'] },
    },
    {
      action: 'retrieve_documents',
      permission: { verdict: 'not_allowed', why: 'documents_already_received' },
    },
    allowed('download_document'),
    allowed('request_review'),
  ];
  file.customer_texts = [
    { language: 'fr', headline: 'Votre identité a bien été vérifiée. Merci.', retry_intro: null, tips: [] },
    { language: 'en', headline: 'Your identity has been verified. Thank you.', retry_intro: null, tips: [] },
  ];
  return file;
}

export function demoStatus(): AppStatus {
  return {
    mode: { kind: 'demo', sandbox_url: 'http://127.0.0.1:4100', relay_url: 'http://127.0.0.1:4200' },
    officer: 'officer.test',
    sync: {
      connection: 'connected',
      cursor: 120,
      relay_last_seq: 120,
      lag: 0,
      last_event_at: NOW,
      last_contact_at: NOW,
      last_error: null,
      problem: null,
      unreadable: 0,
      signed_in: null,
      late: 0,
    },
    treezor_problem: null,
    startup_problem: null,
  };
}

export interface Call {
  command: string;
  args: Record<string, unknown>;
}

/**
 * A fake backend: `answers` maps a command to its answer (a value, or a function of the call's
 * arguments that may throw an IpcError). Returns the calls made, in order.
 */
export type Answer = unknown | ((args: Record<string, unknown>) => unknown);

/**
 * An error as the backend sends it: the code, the typed words the window says in its language,
 * and the English message kept for logs (the window never shows it).
 */
export function ipcError(code: ErrorCode, words: ErrorWords, detail: ErrorDetail | null = null): IpcError {
  return { code, words, message: `(English for logs: ${words.kind})`, detail };
}

export function backend(answers: Record<string, Answer>): Call[] {
  const calls: Call[] = [];
  mockIPC(
    (command, args) => {
      const payload = (args ?? {}) as Record<string, unknown>;
      calls.push({ command, args: payload });
      if (!(command in answers)) {
        throw ipcError('cache', { kind: 'cache_failed', detail: `no answer for ${command} in this test` });
      }
      const answer = answers[command];
      return typeof answer === 'function' ? (answer as (a: Record<string, unknown>) => unknown)(payload) : answer;
    },
    { shouldMockEvents: true },
  );
  return calls;
}

import { afterEach, describe, expect, test } from 'vitest';

import type { AttemptFailure } from '../bindings/AttemptFailure';
import type { DemoCause } from '../bindings/DemoCause';
import type { DownloadRefusal } from '../bindings/DownloadRefusal';
import type { ErrorWords } from '../bindings/ErrorWords';
import type { HubProblem } from '../bindings/HubProblem';
import type { HubAnswer } from '../bindings/HubAnswer';
import type { HubRefusal } from '../bindings/HubRefusal';
import type { KeychainProblem } from '../bindings/KeychainProblem';
import type { TextProblem } from '../bindings/TextProblem';
import type { TreezorProblem } from '../bindings/TreezorProblem';
import type { Unexpected } from '../bindings/Unexpected';
import type { ViewRefusal } from '../bindings/ViewRefusal';
import { localStorageKey } from '../paraglide/runtime.js';
import { errorText } from './errors';
import { leftInPlace } from './problems';

// One error of every kind the backend sends, with every typed part each can carry. The type below
// makes a new kind without a sample a compile error here. What comes from outside (a system's
// detail, a path, a name) is neutral, so that any English left in a French sentence is the
// window's own.
type Kind = ErrorWords['kind'];
type Of<K extends Kind> = Extract<ErrorWords, { kind: K }>;

const detail = 'E42';
const path = '/srv/kyc/desk.json';
const user = 42;

const TEXT: TextProblem[] = [
  { problem: 'empty' },
  { problem: 'too_long', max: 4000, given: 4001 },
  { problem: 'control_character' },
  { problem: 'control_character_in_name' },
  { problem: 'edge_space' },
];

const origin = 'https://files.example';

const DOWNLOAD_REFUSALS: DownloadRefusal[] = [
  { refusal: 'not_a_url', detail },
  ...(['user_info', 'no_host', 'plain_http_elsewhere', 'not_https'] as const).map(
    (rule): DownloadRefusal => ({ refusal: 'url_refused', origin, rule }),
  ),
  { refusal: 'url_not_checked', origin },
  { refusal: 'redirected_elsewhere', from: origin, to: 'https://elsewhere.example' },
  { refusal: 'redirected_elsewhere', from: origin, to: null },
  { refusal: 'announced_too_large', announced: 90_000_000, limit: 50_000_000 },
  { refusal: 'sent_too_large', limit: 50_000_000 },
];

const ATTEMPT_FAILURES: AttemptFailure[] = [
  { failure: 'no_attempt' },
  { failure: 'url_too_old', seconds: 31 },
  { failure: 'url_expires_soon', seconds: 2 },
  { failure: 'url_expired' },
  ...(['timed_out', 'connection_failed', 'cut_off', 'failed'] as const).map(
    (fault): AttemptFailure => ({ failure: 'unreachable', transport: { fault, causes: '' } }),
  ),
  { failure: 'unreachable', transport: { fault: 'connection_failed', causes: detail } },
  { failure: 'url_refused', status: 403 },
  { failure: 'unavailable', status: 503 },
  { failure: 'status', status: 404 },
  { failure: 'dropped', received: 1000, transport: { fault: 'cut_off', causes: detail } },
  { failure: 'cut_short', received: 1000, announced: 4000 },
];

const VIEW: ViewRefusal[] = [
  { why: 'case', refusal: 'documents_not_retrieved' },
  { why: 'not_the_users_document' },
  { why: 'too_large', size_mb: 41, limit_mb: 40 },
  ...DOWNLOAD_REFUSALS.map((reason): ViewRefusal => ({ why: 'download_refused', reason })),
  { why: 'unknown', claimed: null, by: null },
  { why: 'unknown', claimed: 'pdf', by: 'name' },
  { why: 'mismatch', by: 'file_host', claimed: 'jpeg', found: 'png' },
  { why: 'empty', format: 'webp', width: 0, height: 10 },
  { why: 'too_many_pixels', format: 'png', width: 30000, height: 30000 },
  { why: 'damaged', format: 'jpeg' },
];

const HUB_REFUSALS: HubRefusal[] = [
  { refusal: 'credential_revoked', officer: 'Zoé Martin', on: null },
  { refusal: 'credential_revoked', officer: 'Zoé Martin', on: '2026-11-30T09:00:00Z' },
  { refusal: 'officer_credential_required' },
  { refusal: 'forbidden', role: 'auditor' },
  { refusal: 'senior_only' },
  { refusal: 'own_proposal' },
  { refusal: 'already_answered', by: 'Léa', verdict: 'approved' },
  { refusal: 'already_answered', by: 'Léa', verdict: 'rejected' },
  // A verdict a newer hub may send: quoted.
  { refusal: 'already_answered', by: 'Léa', verdict: 'postponed' },
  { refusal: 'unknown_proposal', proposal: 9 },
  { refusal: 'other_case', proposal: 9, user },
  { refusal: 'already_run', proposal: 9, by: 'Zoé' },
  { refusal: 'not_approved', proposal: 9 },
  { refusal: 'proposal_rejected', proposal: 9, by: 'Léa' },
  { refusal: 'unknown_assignee', officer: 'Léa' },
  { refusal: 'too_large', limit: 65536 },
  { refusal: 'other', code: 'E42', message: detail },
];

const ANSWERS: HubAnswer[] = ['feed_page', 'who_am_i', 'deadlines', 'team_record', 'trail_entry', 'trail_check'];

// The hub's problems the demo's start can meet (the rest are worded for the relay below).
const HUB_EARLY: HubProblem[] = [
  { problem: 'unauthorized' },
  { problem: 'outdated', answer: 'team_record' },
  { problem: 'malformed', answer: 'team_record', detail },
];

const HUB: HubProblem[] = [
  { problem: 'unreachable', url: 'https://hub.example', transport: { fault: 'connection_failed', causes: detail } },
  { problem: 'run_not_seen', url: 'https://hub.example', proposal: 9 },
  { problem: 'unauthorized' },
  ...HUB_REFUSALS.map((refusal): HubProblem => ({ problem: 'refused', refusal, message: 'English for logs' })),
  ...HUB_REFUSALS.map((refusal): HubProblem => ({ problem: 'declined', status: 403, refusal, message: 'English for logs' })),
  { problem: 'claim', refusal: { refusal: 'not_held' }, message: 'English for logs' },
  { problem: 'status', status: 503, detail },
  ...ANSWERS.map((answer): HubProblem => ({ problem: 'outdated', answer })),
  ...ANSWERS.map((answer): HubProblem => ({ problem: 'malformed', answer, detail })),
];

const KEYCHAIN: KeychainProblem[] = [
  { problem: 'no_secret_service' },
  { problem: 'refused', detail },
  { problem: 'not_text' },
  { problem: 'ambiguous', entries: 2 },
  { problem: 'platform', detail },
];

const DEMO_CAUSES: DemoCause[] = [
  { cause: 'system', detail },
  { cause: 'listen', addr: '127.0.0.1:8787', detail },
  { cause: 'store', detail },
  { cause: 'newer_store', found: 9, known: 7 },
  ...TEXT.map((problem): DemoCause => ({ cause: 'officer_name', name: 'Zoé', problem })),
  ...HUB_EARLY.map((problem): DemoCause => ({ cause: 'hub', problem })),
  { cause: 'treezor', problem: { problem: 'credentials_empty' } },
  { cause: 'inside' },
];

const TREEZOR: TreezorProblem[] = [
  { problem: 'bad_request' },
  { problem: 'unauthorized' },
  { problem: 'forbidden' },
  { problem: 'not_found' },
  { problem: 'documents_not_storable' },
  { problem: 'not_processed' },
  { problem: 'identification_gone' },
  { problem: 'missing_attributes', missing: ['birthday'] },
  { problem: 'download_not_enabled' },
  { problem: 'rate_limited' },
  { problem: 'unavailable' },
  { problem: 'other' },
];

const locked: Of<'keychain_locked'> = { kind: 'keychain_locked', secret: 'audit_key', operation: 'read' };

const SAMPLES: { [K in Kind]: Of<K>[] } = {
  keychain_locked: [locked],
  keychain_unavailable: KEYCHAIN.map((problem) => ({
    kind: 'keychain_unavailable',
    secret: 'relay_feed_token',
    operation: 'save',
    problem,
  })),
  missing_secret: [{ kind: 'missing_secret', secret: 'treezor_client_secret' }],
  secret_for_another_origin: [
    {
      kind: 'secret_for_another_origin',
      secret: 'treezor_client_secret',
      setting: 'treezor_base_url',
      entered_for: 'https://a.example',
      now: 'https://b.example',
    },
  ],
  invalid_setting: [{ kind: 'invalid_setting', setting: 'relay_url', problem: { problem: 'not_https' } }],
  settings_file: [
    { kind: 'settings_file', path, problem: { problem: 'not_settings_json', detail } },
    { kind: 'settings_file', path, problem: { problem: 'unreadable', detail } },
    { kind: 'settings_file', path, problem: { problem: 'not_written', detail } },
  ],
  invalid_setting_in_file: [
    { kind: 'invalid_setting_in_file', path, setting: 'retention', file_key: 'retention', problem: { problem: 'empty' } },
  ],
  no_home_folder: [{ kind: 'no_home_folder' }],
  treezor_not_configured: [{ kind: 'treezor_not_configured' }],
  settings_refused: [{ kind: 'settings_refused' }],
  not_allowed: [{ kind: 'not_allowed', action: 'request_review', user, reason: 'no_such_link' }],
  needs_confirmation: [{ kind: 'needs_confirmation', action: 'start_verification', user }],
  not_viewable: VIEW.map((reason) => ({ kind: 'not_viewable', document: 7, reason })),
  missing_attributes: [{ kind: 'missing_attributes', user, missing: ['birthday'] }],
  start_answer_lost: [
    { kind: 'start_answer_lost', user, lost: { lost: 'transport', transport: { fault: 'timed_out', causes: detail } } },
    { kind: 'start_answer_lost', user, lost: { lost: 'status', status: 504 } },
  ],
  treezor_refusal: TREEZOR.map((problem) => ({
    kind: 'treezor_refusal',
    call: 'GET /v1/users/42',
    status: 400,
    problem,
    message: '',
    code: null,
    request_id: null,
  })),
  treezor_credentials: [{ kind: 'treezor_credentials', status: 401, message: detail }],
  treezor_unreachable: (['timed_out', 'connection_failed', 'cut_off', 'failed'] as const).map((fault) => ({
    kind: 'treezor_unreachable',
    call: 'GET /v1/users/42',
    transport: { fault, causes: detail },
  })),
  treezor_answer_lost: [
    { kind: 'treezor_answer_lost', call: 'POST /v1/users/42/kycliveness', transport: { fault: 'cut_off', causes: '' } },
  ],
  treezor_unexpected_answer: (
    [
      { problem: 'not_json', detail: null },
      { problem: 'not_json', detail },
      { problem: 'not_a_list', name: 'users' },
      { problem: 'missing', names: ['identification', 'user_kyc'] },
      { problem: 'bad_value', detail },
      { problem: 'no_http_url' },
    ] satisfies Unexpected[]
  ).map((problem) => ({ kind: 'treezor_unexpected_answer', call: 'GET /v1/users/42', problem })),
  treezor_config: (
    [
      { problem: 'client_certificate', detail },
      { problem: 'extra_ca', detail },
      { problem: 'extra_ca_empty' },
      { problem: 'base_url_not_url', base: 'acme', detail },
      { problem: 'base_url_refused', origin: 'http://acme.example', rule: 'plain_http_elsewhere' },
      { problem: 'credentials_empty' },
      { problem: 'no_attempts' },
      { problem: 'http_client', detail },
      { problem: 'call_url', path: '/v1/users', detail },
      { problem: 'access_tag' },
      { problem: 'page_range' },
    ] as const
  ).map((problem) => ({ kind: 'treezor_config', problem })),
  document_not_saved: (['create_temporary', 'open_temporary', 'write', 'sync', 'move_into_place'] as const).map(
    (step) => ({ kind: 'document_not_saved', document: 7, path, step, detail }),
  ),
  download_refused: DOWNLOAD_REFUSALS.map((reason) => ({ kind: 'download_refused', document: 7, reason })),
  document_too_large: [{ kind: 'document_too_large', document: 7, size: 10, limit: 5 }],
  download_failed: [
    ...ATTEMPT_FAILURES.map((last): Of<'download_failed'> => ({ kind: 'download_failed', document: 7, attempts: 3, last })),
    { kind: 'download_failed', document: 7, attempts: 1, last: { failure: 'status', status: 404 } },
  ],
  cache_folder: [{ kind: 'cache_folder', path, detail }],
  cache_open: [{ kind: 'cache_open', path, detail }],
  cache_migration: [{ kind: 'cache_migration', path, target: 10, detail }],
  cache_newer_schema: [{ kind: 'cache_newer_schema', path, found: 11, known: 10 }],
  cache_not_migrated: [{ kind: 'cache_not_migrated', path, found: 9, target: 10 }],
  cache_failed: [{ kind: 'cache_failed', detail }],
  cache_stored: [
    ...(
      [
        'user_profile',
        'audit_outcome',
        'case_state',
        'review_state',
        'user_id',
        'download',
        'document',
        'case_event',
        'deadline',
      ] as const
    ).map((what): Of<'cache_stored'> => ({ kind: 'cache_stored', what, problem: { problem: 'not_its_shape' } })),
    ...(
      [
        { problem: 'not_json', detail },
        { problem: 'unknown', value: '99' },
        { problem: 'invalid', field: 'documentId', value: '0' },
        { problem: 'deadlines', why: { problem: 'out_of_bounds', state: 'link_issued', seconds: 1 } },
      ] as const
    ).map((problem): Of<'cache_stored'> => ({ kind: 'cache_stored', what: 'case_event', problem })),
  ],
  queue_position: (['not_made_here', 'other_sort', 'key_not_of_sort'] as const).map((problem) => ({
    kind: 'queue_position',
    problem,
  })),
  page_size: [{ kind: 'page_size', asked: 900, max: 500 }],
  search_too_long: [{ kind: 'search_too_long', length: 300 }],
  unknown_user: [{ kind: 'unknown_user', user }],
  unknown_document: [{ kind: 'unknown_document', document: 7 }],
  export_failed: [{ kind: 'export_failed', detail }],
  invalid_redirect_url: [{ kind: 'invalid_redirect_url', detail }],
  redirect_not_https: [{ kind: 'redirect_not_https' }],
  demo: [
    ...(['remove_old_files', 'create_folder', 'start_relay', 'set_policy', 'start_sandbox', 'make_client'] as const).map(
      (step): Of<'demo'> => ({ kind: 'demo', step, cause: { cause: 'system', detail } }),
    ),
    ...DEMO_CAUSES.map((cause): Of<'demo'> => ({ kind: 'demo', step: 'start_relay', cause })),
  ],
  action_not_audited: [{ kind: 'action_not_audited', action: 'download_document', user, cause: locked }],
  audit_trail: (['key_not_ours', 'key_missing', 'anchor_not_ours'] as const).map((problem) => ({
    kind: 'audit_trail',
    cache: path,
    problem,
  })),
  invalid_note: TEXT.map((problem) => ({ kind: 'invalid_note', user, problem })),
  no_hub: [{ kind: 'no_hub', what: 'write_note' }],
  invalid_justification: TEXT.map((problem) => ({ kind: 'invalid_justification', user, problem })),
  invalid_assignee: TEXT.map((problem) => ({ kind: 'invalid_assignee', user, problem })),
  claim_refused: [
    { kind: 'claim_refused', what: 'take_case', user, refusal: { refusal: 'held_by', holder: 'Léa', since: '2026-11-30T09:00:00Z' } },
  ],
  claim_race_lost: [{ kind: 'claim_race_lost', tries: 3 }],
  held_by_colleague: [
    { kind: 'held_by_colleague', what: 'record_decision', user: 42, holder: 'Zoé', lapses_at: '2025-05-03T15:50:00Z' },
  ],
  invalid_deadlines: (
    [
      { problem: 'unknown_state', name: 'opened' },
      { problem: 'not_waiting', state: 'review_validated' },
      { problem: 'out_of_bounds', state: 'link_issued', seconds: 5 },
    ] as const
  ).map((problem) => ({ kind: 'invalid_deadlines', problem })),
  needs_approval: [
    { kind: 'needs_approval', action: 'request_review', user, proposal: null, proposer: null },
    { kind: 'needs_approval', action: 'request_review', user, proposal: 9, proposer: 'Léa' },
  ],
  relay: HUB.map((problem) => ({ kind: 'relay', problem })),
  hub: HUB.map((cause) => ({ kind: 'hub', what: 'record_decision', user, cause })),
  internal: [
    { kind: 'internal', fault: { fault: 'download_folder', path, detail } },
    { kind: 'internal', fault: { fault: 'export_folder', path, detail } },
    { kind: 'internal', fault: { fault: 'export_not_named', path, detail } },
    { kind: 'internal', fault: { fault: 'cache_not_owner_only', path, detail } },
    { kind: 'internal', fault: { fault: 'cache_thread', detail } },
    { kind: 'internal', fault: { fault: 'cache_stopped' } },
    { kind: 'internal', fault: { fault: 'no_demo_sandbox' } },
  ],
  not_ready: [
    { kind: 'not_ready', why: null },
    { kind: 'not_ready', why: { kind: 'cache_open', path, detail } },
    { kind: 'not_ready', why: { kind: 'settings_file', path, problem: { problem: 'unreadable', detail } } },
  ],
  user_id_not_positive: [{ kind: 'user_id_not_positive' }],
  document_id_not_positive: [{ kind: 'document_id_not_positive' }],
  identification_id_invalid: [{ kind: 'identification_id_invalid' }],
  not_downloaded_here: [{ kind: 'not_downloaded_here' }],
  file_gone: [{ kind: 'file_gone', path }],
  file_manager: [{ kind: 'file_manager', detail }],
  purge_count: [{ kind: 'purge_count', max: 500 }],
  clipboard: [{ kind: 'clipboard', detail }],
  redirect_too_long: [{ kind: 'redirect_too_long' }],
  not_a_redirect: [{ kind: 'not_a_redirect' }],
  too_many_users: [{ kind: 'too_many_users', max: 500 }],
};

const ALL: ErrorWords[] = Object.values(SAMPLES).flat();

// Words of the English sentences that no French sentence of the catalogue uses.
const ENGLISH = /\b(the|was|were|could|cannot|is|not|and|of|to|has|been|with|your|retry|this|it|its|no)\b/i;

function textIn(language: 'en' | 'fr', words: ErrorWords): string {
  localStorage.setItem(localStorageKey, language);
  return errorText(words);
}

afterEach(() => localStorage.removeItem(localStorageKey));

describe('every typed error, read in French', () => {
  test('the samples cover typed parts of every kind', () => {
    expect(ALL.length).toBeGreaterThan(100);
  });

  test.each(ALL.map((words) => [JSON.stringify(words), words] as const))('%s has no English left', (_, words) => {
    const fr = textIn('fr', words);
    const en = textIn('en', words);
    expect(fr).not.toBe(en);
    expect(fr).not.toMatch(ENGLISH);
    expect(en).toMatch(ENGLISH);
  });

  test('says in French why a purge left a file in place', () => {
    localStorage.setItem(localStorageKey, 'fr');
    for (const why of [
      { why: 'unreadable', detail },
      { why: 'not_a_regular_file' },
      { why: 'changed' },
      { why: 'not_deleted', detail },
    ] as const) {
      expect(leftInPlace(why)).not.toMatch(ENGLISH);
    }
  });

  test("keeps a detail from outside as a quotation inside the officer's sentence", () => {
    expect(textIn('fr', { kind: 'internal', fault: { fault: 'download_folder', path, detail: 'Permission denied (os error 13)' } })).toBe(
      'KYC Desk a échoué : le dossier de téléchargement /srv/kyc/desk.json n’a pas pu être créé (Permission denied (os error 13)) ; choisissez un autre dossier dans les Paramètres. Redémarrez KYC Desk ; si cela se reproduit, signalez-le.',
    );
  });

  test('says why a download failed and what to do, the system’s own words quoted', () => {
    expect(
      textIn('fr', {
        kind: 'download_failed',
        document: 7,
        attempts: 3,
        last: { failure: 'dropped', received: 1000, transport: { fault: 'cut_off', causes: 'connection reset' } },
      }),
    ).toBe(
      'Le document 7 n’a pas pu être téléchargé en 3 tentatives, chacune avec une URL neuve ; à la dernière, la connexion a été coupée après 1000 octets (la réponse a été coupée : connection reset) : vérifiez le réseau, puis téléchargez de nouveau. Rien n’a été enregistré.',
    );
    expect(
      textIn('fr', {
        kind: 'download_refused',
        document: 7,
        reason: { refusal: 'redirected_elsewhere', from: origin, to: 'https://elsewhere.example' },
      }),
    ).toBe(
      'Le document 7 n’a pas été téléchargé, et rien n’a été enregistré : l’hébergeur du fichier https://files.example a renvoyé le téléchargement vers https://elsewhere.example, un autre serveur, et un téléchargement ne suit aucune redirection hors de son hôte : signalez-le à Treezor.',
    );
  });

  test("words the hub's verdict, and quotes one it does not know, even one named like a property of every object", () => {
    const answered = (verdict: string): ErrorWords => ({
      kind: 'relay',
      problem: {
        problem: 'declined',
        status: 409,
        refusal: { refusal: 'already_answered', by: 'Léa', verdict },
        message: 'Léa has already approved this proposal',
      },
    });
    expect(textIn('fr', answered('approved'))).toContain('Léa l’a déjà approuvée ;');
    expect(textIn('fr', answered('rejected'))).toContain('Léa l’a déjà rejetée ;');
    expect(textIn('fr', answered('postponed'))).toContain('Léa y a déjà répondu (« postponed ») ;');
    expect(textIn('fr', answered('constructor'))).toContain('Léa y a déjà répondu (« constructor ») ;');
    // A role is quoted the same way when this window does not know it.
    const forbidden: ErrorWords = {
      kind: 'relay',
      problem: { problem: 'declined', status: 403, refusal: { refusal: 'forbidden', role: 'toString' }, message: 'forbidden' },
    };
    expect(textIn('fr', forbidden)).toContain('(toString)');
  });

  test("words the hub's refusal from its code, not from its English message", () => {
    const revoked: ErrorWords = {
      kind: 'relay',
      problem: {
        problem: 'refused',
        refusal: { refusal: 'credential_revoked', officer: 'Zoé Martin', on: null },
        message: 'the credential of Zoé Martin was revoked',
      },
    };
    expect(textIn('fr', revoked)).toBe(
      'Le flux du relais a échoué : le relais a refusé l’identifiant : l’identifiant de Zoé Martin a été révoqué ; demandez-en un nouveau à l’administrateur du hub et saisissez-le dans les Paramètres',
    );
  });
});

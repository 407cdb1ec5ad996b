/**
 * A backend error in the window's language. The backend sends what failed as a typed kind and its
 * parameters (`ErrorWords`, generated from `desk::words` and the shell's own); each kind has its
 * sentence here, `error_<kind>` in both catalogues; their typed parts are worded in `problems.ts`.
 * What comes from outside is quoted as it came: Treezor's own messages (they are the record), the
 * system's descriptions of a fault, and the hub's words for a refusal code this window does not
 * know. The English `message` beside the words is for logs, never shown.
 */
import type { Barrier } from '../bindings/Barrier';
import type { ClaimProblem } from '../bindings/ClaimProblem';
import type { Deed } from '../bindings/Deed';
import type { ErrorWords } from '../bindings/ErrorWords';
import type { HubProblem } from '../bindings/HubProblem';
import type { KeychainOperation } from '../bindings/KeychainOperation';
import type { LostAnswer } from '../bindings/LostAnswer';
import type { Kept } from '../bindings/Kept';
import type { Setting } from '../bindings/Setting';
import type { SettingProblem } from '../bindings/SettingProblem';
import type { TreezorProblem } from '../bindings/TreezorProblem';
import { refusalWords } from '../case/permission';
import { formatDateTime } from '../format';
import { m } from './locale';
import {
  attemptFailure,
  configProblem,
  cursorProblem,
  deadlineProblem,
  demoCause,
  demoStep,
  downloadRefusal,
  fault,
  fileStep,
  hubAnswer,
  hubRefusal,
  keychainProblem,
  settingsFileProblem,
  storedProblem,
  storedValue,
  textProblem,
  trailProblem,
  transport,
  unexpected,
  viewRefusal,
} from './problems';

type Kind = ErrorWords['kind'];
type Of<K extends Kind> = Extract<ErrorWords, { kind: K }>;

const DEEDS: Record<Deed, () => string> = {
  start_verification: m.deed_start_verification,
  retrieve_documents: m.deed_retrieve_documents,
  download_document: m.deed_download_document,
  request_review: m.deed_request_review,
  copy_customer_text: m.deed_copy_customer_text,
  copy_verification_link: m.deed_copy_verification_link,
  write_note: m.deed_write_note,
  take_case: m.deed_take_case,
  release_case: m.deed_release_case,
  reassign_case: m.deed_reassign_case,
  take_next_case: m.deed_take_next_case,
  renew_claim: m.deed_renew_claim,
  record_decision: m.deed_record_decision,
  close_accepted: m.deed_close_accepted,
  propose_action: m.deed_propose_action,
  answer_proposal: m.deed_answer_proposal,
  set_four_eyes_policy: m.deed_set_four_eyes_policy,
  set_deadlines: m.deed_set_deadlines,
};

function claimProblem(p: ClaimProblem): string {
  switch (p.refusal) {
    case 'held_by':
      return m.claim_problem_held_by({ holder: p.holder, since: formatDateTime(p.since) });
    case 'not_the_holder':
      return m.claim_problem_not_the_holder({ holder: p.holder });
    case 'not_held':
      return m.claim_problem_not_held();
    case 'senior_only':
      return m.claim_problem_senior_only();
  }
}

const KEPT: Record<Kept, () => string> = {
  treezor_client_secret: m.kept_treezor_client_secret,
  relay_feed_token: m.kept_relay_feed_token,
  audit_key: m.kept_audit_key,
  audit_anchor: m.kept_audit_anchor,
};

const OPERATIONS: Record<KeychainOperation, () => string> = {
  open: m.keychain_open,
  read: m.keychain_read,
  save: m.keychain_save,
  delete: m.keychain_delete,
};

const SETTINGS: Record<Setting, () => string> = {
  treezor_base_url: m.setting_treezor_base_url,
  treezor_client_id: m.setting_treezor_client_id,
  treezor_client_certificate: m.setting_treezor_client_certificate,
  treezor_client_key: m.setting_treezor_client_key,
  treezor_extra_ca: m.setting_treezor_extra_ca,
  relay_url: m.setting_relay_url,
  retention: m.setting_retention,
  demo_pace: m.setting_demo_pace,
};

function settingProblem(p: SettingProblem): string {
  switch (p.problem) {
    case 'empty':
      return m.setting_problem_empty();
    case 'not_https':
      return m.setting_problem_not_https();
    case 'not_url':
      return m.setting_problem_not_url({ detail: p.detail });
    case 'user_info':
      return m.setting_problem_user_info();
    case 'no_host':
      return m.setting_problem_no_host();
    case 'plain_http_elsewhere':
      return m.setting_problem_plain_http_elsewhere();
    case 'empty_with_secret':
      return m.setting_problem_empty_with_secret({ secret: KEPT[p.secret]() });
    case 'client_id_empty':
      return m.setting_problem_client_id_empty();
    case 'certificate_without_key':
      return m.setting_problem_certificate_without_key();
    case 'retention_out_of_range':
      return m.setting_problem_retention_out_of_range({ days: p.days });
    case 'production_host':
      return m.setting_problem_production_host();
    case 'not_a_pace':
      return m.setting_problem_not_a_pace({ given: p.given });
    case 'file_unreadable':
      return m.setting_problem_file_unreadable({ path: p.path, detail: p.detail });
  }
}

function barrier(reason: Barrier): string {
  switch (reason) {
    case 'not_the_users_document':
      return m.desk_refusal_not_the_users_document();
    case 'no_outcome_yet':
      return m.desk_refusal_no_outcome_yet();
    case 'no_such_link':
      return m.desk_refusal_no_such_link();
    default:
      return refusalWords(reason);
  }
}

/** What the keychain holds, named. */
export function keptText(kept: Kept): string {
  return KEPT[kept]();
}

function treezorProblem(problem: TreezorProblem): string {
  switch (problem.problem) {
    case 'missing_attributes':
      return m.treezor_problem_missing_attributes({ missing: problem.missing.join(', ') });
    case 'bad_request':
      return m.treezor_problem_bad_request();
    case 'unauthorized':
      return m.treezor_problem_unauthorized();
    case 'forbidden':
      return m.treezor_problem_forbidden();
    case 'not_found':
      return m.treezor_problem_not_found();
    case 'documents_not_storable':
      return m.treezor_problem_documents_not_storable();
    case 'not_processed':
      return m.treezor_problem_not_processed();
    case 'identification_gone':
      return m.treezor_problem_identification_gone();
    case 'download_not_enabled':
      return m.treezor_problem_download_not_enabled();
    case 'rate_limited':
      return m.treezor_problem_rate_limited();
    case 'unavailable':
      return m.treezor_problem_unavailable();
    case 'other':
      return m.treezor_problem_other();
  }
}

/** Why the relay (the team's hub) did not answer as it should. */
export function hubProblemText(problem: HubProblem): string {
  switch (problem.problem) {
    case 'unreachable':
      return m.hub_problem_unreachable({ url: problem.url, detail: transport(problem.transport) });
    case 'run_not_seen':
      return m.hub_problem_run_not_seen({ url: problem.url, proposal: problem.proposal });
    case 'unauthorized':
      return m.hub_problem_unauthorized();
    case 'refused':
      return m.hub_problem_refused({ refusal: hubRefusal(problem.refusal) });
    case 'declined':
      return m.hub_problem_declined({ status: problem.status, refusal: hubRefusal(problem.refusal) });
    case 'claim':
      return m.hub_problem_claim({ refusal: claimProblem(problem.refusal) });
    case 'status':
      return m.hub_problem_status({ status: problem.status, detail: problem.detail });
    case 'outdated':
      return m.hub_problem_outdated({ answer: hubAnswer(problem.answer) });
    case 'malformed':
      return m.hub_problem_malformed({ answer: hubAnswer(problem.answer), detail: problem.detail });
  }
}

/** How a start's answer was lost: the connection's fault, or the status (the same in every language). */
function lostAnswer(lost: LostAnswer): string {
  return lost.lost === 'status' ? `HTTP ${lost.status}` : transport(lost.transport);
}

/** Treezor's own words, verbatim, with its code and request id when it gave them. */
function treezorSaid(w: Of<'treezor_refusal'>): string {
  const said = [w.message ? m.treezor_said({ message: w.message }) : ''];
  // Identifiers to quote to Treezor's support: the same in every language.
  if (w.code) said.push(`(code ${w.code})`);
  if (w.request_id) said.push(`[requestId ${w.request_id}]`);
  return said.filter((s) => s !== '').join(' ');
}

const WORDS: { [K in Kind]: (w: Of<K>) => string } = {
  keychain_locked: (w) => m.error_keychain_locked({ operation: OPERATIONS[w.operation](), secret: KEPT[w.secret]() }),
  keychain_unavailable: (w) =>
    m.error_keychain_unavailable({
      operation: OPERATIONS[w.operation](),
      secret: KEPT[w.secret](),
      problem: keychainProblem(w.problem),
    }),
  missing_secret: (w) => m.error_missing_secret({ secret: KEPT[w.secret]() }),
  secret_for_another_origin: (w) =>
    m.error_secret_for_another_origin({
      secret: KEPT[w.secret](),
      setting: SETTINGS[w.setting](),
      entered_for: w.entered_for,
      now: w.now,
    }),
  invalid_setting: (w) => m.error_invalid_setting({ setting: SETTINGS[w.setting](), problem: settingProblem(w.problem) }),
  invalid_setting_in_file: (w) =>
    m.error_invalid_setting_in_file({
      path: w.path,
      setting: SETTINGS[w.setting](),
      file_key: w.file_key,
      problem: settingProblem(w.problem),
    }),
  settings_file: (w) => m.error_settings_file({ path: w.path, problem: settingsFileProblem(w.problem) }),
  no_home_folder: () => m.error_no_home_folder(),
  settings_refused: () => m.error_settings_refused(),
  treezor_not_configured: () => m.error_treezor_not_configured(),
  not_allowed: (w) => m.error_not_allowed({ action: DEEDS[w.action](), user: w.user, reason: barrier(w.reason) }),
  needs_confirmation: (w) => m.error_needs_confirmation({ action: DEEDS[w.action](), user: w.user }),
  not_viewable: (w) => m.error_not_viewable({ document: w.document, reason: viewRefusal(w.reason) }),
  missing_attributes: (w) => m.error_missing_attributes({ user: w.user, missing: w.missing.join(', ') }),
  start_answer_lost: (w) => m.error_start_answer_lost({ user: w.user, detail: lostAnswer(w.lost) }),
  treezor_refusal: (w) =>
    [m.error_treezor_refusal({ call: w.call, status: w.status, problem: treezorProblem(w.problem) }), treezorSaid(w)]
      .filter((s) => s !== '')
      .join(' '),
  treezor_credentials: (w) => m.error_treezor_credentials({ status: w.status, message: w.message }),
  treezor_unreachable: (w) => m.error_treezor_unreachable({ call: w.call, detail: transport(w.transport) }),
  treezor_answer_lost: (w) => m.error_treezor_answer_lost({ call: w.call, detail: transport(w.transport) }),
  treezor_unexpected_answer: (w) => m.error_treezor_unexpected_answer({ call: w.call, problem: unexpected(w.problem) }),
  treezor_config: (w) => m.error_treezor_config({ problem: configProblem(w.problem) }),
  document_not_saved: (w) =>
    m.error_document_not_saved({ document: w.document, path: w.path, step: fileStep(w.step), detail: w.detail }),
  download_refused: (w) => m.error_download_refused({ document: w.document, reason: downloadRefusal(w.reason) }),
  document_too_large: (w) => m.error_document_too_large({ document: w.document, size: w.size, limit: w.limit }),
  download_failed: (w) =>
    m.error_download_failed({ document: w.document, attempts: w.attempts, last: attemptFailure(w.last) }),
  cache_folder: (w) => m.error_cache_folder({ path: w.path, detail: w.detail }),
  cache_open: (w) => m.error_cache_open({ path: w.path, detail: w.detail }),
  cache_migration: (w) => m.error_cache_migration({ path: w.path, target: w.target, detail: w.detail }),
  cache_newer_schema: (w) => m.error_cache_newer_schema({ path: w.path, found: w.found, known: w.known }),
  cache_not_migrated: (w) => m.error_cache_not_migrated({ path: w.path, found: w.found, target: w.target }),
  cache_failed: (w) => m.error_cache_failed({ detail: w.detail }),
  cache_stored: (w) => m.error_cache_stored({ what: storedValue(w.what), problem: storedProblem(w.problem) }),
  queue_position: (w) => m.error_queue_position({ problem: cursorProblem(w.problem) }),
  page_size: (w) => m.error_page_size({ asked: w.asked, max: w.max }),
  search_too_long: (w) => m.error_search_too_long({ length: w.length }),
  unknown_user: (w) => m.error_unknown_user({ user: w.user }),
  unknown_document: (w) => m.error_unknown_document({ document: w.document }),
  export_failed: (w) => m.error_export_failed({ detail: w.detail }),
  invalid_redirect_url: (w) => m.error_invalid_redirect_url({ detail: w.detail }),
  redirect_not_https: () => m.error_redirect_not_https(),
  demo: (w) => m.error_demo({ step: demoStep(w.step), cause: demoCause(w.cause, hubProblemText) }),
  action_not_audited: (w) =>
    m.error_action_not_audited({ action: DEEDS[w.action](), user: w.user, cause: errorText(w.cause) }),
  audit_trail: (w) => m.error_audit_trail({ cache: w.cache, problem: trailProblem(w.problem) }),
  invalid_note: (w) => m.error_invalid_note({ user: w.user, problem: textProblem(w.problem) }),
  relay: (w) => m.error_relay({ problem: hubProblemText(w.problem) }),
  no_hub: (w) => m.error_no_hub({ what: DEEDS[w.what]() }),
  // A refusal says what to do itself: retrying the same request would be refused again, as it
  // would by a relay too old for it.
  hub: (w) => {
    const what = DEEDS[w.what]();
    const cause = hubProblemText(w.cause);
    const refused = w.cause.problem === 'declined' || w.cause.problem === 'claim' || w.cause.problem === 'outdated';
    if (w.user === null) {
      return refused ? m.error_hub_team_refused({ what, cause }) : m.error_hub_team({ what, cause });
    }
    return refused
      ? m.error_hub_refused({ what, user: w.user, cause })
      : m.error_hub({ what, user: w.user, cause });
  },
  invalid_justification: (w) => m.error_invalid_justification({ user: w.user, problem: textProblem(w.problem) }),
  invalid_assignee: (w) => m.error_invalid_assignee({ user: w.user, problem: textProblem(w.problem) }),
  claim_refused: (w) =>
    m.error_claim_refused({ what: DEEDS[w.what](), user: w.user, refusal: claimProblem(w.refusal) }),
  claim_race_lost: (w) => m.error_claim_race_lost({ tries: w.tries }),
  invalid_deadlines: (w) => m.error_invalid_deadlines({ problem: deadlineProblem(w.problem) }),
  held_by_colleague: (w) =>
    m.error_held_by_colleague({
      what: DEEDS[w.what](),
      user: w.user,
      holder: w.holder,
      lapses: formatDateTime(w.lapses_at),
    }),
  needs_approval: (w) =>
    w.proposal === null || w.proposer === null
      ? m.error_needs_approval({ action: DEEDS[w.action](), user: w.user })
      : m.error_needs_approval_pending({
          action: DEEDS[w.action](),
          user: w.user,
          proposal: w.proposal,
          proposer: w.proposer,
        }),
  internal: (w) => m.error_internal({ fault: fault(w.fault) }),
  not_ready: (w) => (w.why === null ? m.error_not_ready_stopped() : m.error_not_ready({ why: errorText(w.why) })),
  user_id_not_positive: () => m.error_user_id_not_positive(),
  document_id_not_positive: () => m.error_document_id_not_positive(),
  identification_id_invalid: () => m.error_identification_id_invalid(),
  not_downloaded_here: () => m.error_not_downloaded_here(),
  file_gone: (w) => m.error_file_gone({ path: w.path }),
  file_manager: (w) => m.error_file_manager({ detail: w.detail }),
  purge_count: (w) => m.error_purge_count({ max: w.max }),
  clipboard: (w) => m.error_clipboard({ detail: w.detail }),
  redirect_too_long: () => m.error_redirect_too_long(),
  not_a_redirect: () => m.error_not_a_redirect(),
  too_many_users: (w) => m.error_too_many_users({ max: w.max }),
};

/** What the error says, in the window's language. */
export function errorText(words: ErrorWords): string {
  return (WORDS[words.kind] as (w: ErrorWords) => string)(words);
}

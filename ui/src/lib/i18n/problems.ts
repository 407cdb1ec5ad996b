/**
 * The typed parts of the backend's errors, in the window's language: why the settings file, the
 * audit trail, a team text, the demo or the dashboard itself failed, why a document is not shown
 * or not downloaded, why the keychain or a queue position failed, and why the team's hub refused.
 * Each name has its words in both catalogues (checked against the generated unions by
 * `errors.test.ts`). A `detail` is the system's own description, quoted; what
 * surrounds it, and what the officer can do, is worded here.
 */
import type { AttemptFailure } from '../bindings/AttemptFailure';
import type { Claimant } from '../bindings/Claimant';
import type { ConfigProblem } from '../bindings/ConfigProblem';
import type { CursorProblem } from '../bindings/CursorProblem';
import type { DeadlineError } from '../bindings/DeadlineError';
import type { DemoCause } from '../bindings/DemoCause';
import type { DemoStep } from '../bindings/DemoStep';
import type { DocumentFormat } from '../bindings/DocumentFormat';
import type { DownloadRefusal } from '../bindings/DownloadRefusal';
import type { Fault } from '../bindings/Fault';
import type { FileStep } from '../bindings/FileStep';
import type { HubAnswer } from '../bindings/HubAnswer';
import type { HubProblem } from '../bindings/HubProblem';
import type { HubRefusal } from '../bindings/HubRefusal';
import type { KeychainProblem } from '../bindings/KeychainProblem';
import type { LeftInPlace } from '../bindings/LeftInPlace';
import type { SettingsFileProblem } from '../bindings/SettingsFileProblem';
import type { StoredProblem } from '../bindings/StoredProblem';
import type { StoredValue } from '../bindings/StoredValue';
import type { TextProblem } from '../bindings/TextProblem';
import type { TrailProblem } from '../bindings/TrailProblem';
import type { Transport } from '../bindings/Transport';
import type { TransportFault } from '../bindings/TransportFault';
import type { Unexpected } from '../bindings/Unexpected';
import type { UrlRefusal } from '../bindings/UrlRefusal';
import type { ViewRefusal } from '../bindings/ViewRefusal';
import { refusalWords } from '../case/permission';
import { formatDateTime } from '../format';
import { STATES } from '../status';
import { m } from './locale';

export function settingsFileProblem(p: SettingsFileProblem): string {
  switch (p.problem) {
    case 'not_settings_json':
      return m.settings_file_problem_not_settings_json({ detail: p.detail });
    case 'unreadable':
      return m.settings_file_problem_unreadable({ detail: p.detail });
    case 'not_written':
      return m.settings_file_problem_not_written({ detail: p.detail });
  }
}

const TRAIL: Record<TrailProblem, () => string> = {
  key_not_ours: m.trail_problem_key_not_ours,
  key_missing: m.trail_problem_key_missing,
  anchor_not_ours: m.trail_problem_anchor_not_ours,
};

export function trailProblem(p: TrailProblem): string {
  return TRAIL[p]();
}

/** Read after the text it is about ("its text …", "the justification …"). */
export function textProblem(p: TextProblem): string {
  switch (p.problem) {
    case 'empty':
      return m.text_problem_empty();
    case 'too_long':
      return m.text_problem_too_long({ max: p.max, given: p.given });
    case 'control_character':
      return m.text_problem_control_character();
    case 'control_character_in_name':
      return m.text_problem_control_character_in_name();
    case 'edge_space':
      return m.text_problem_edge_space();
  }
}

/** Why the team's deadlines were refused, read after "were not changed:". */
export function deadlineProblem(p: DeadlineError): string {
  switch (p.problem) {
    case 'unknown_state':
      return m.deadline_problem_unknown_state({ name: p.name });
    case 'not_waiting':
      return m.deadline_problem_not_waiting({ state: STATES[p.state].label });
    case 'out_of_bounds':
      return m.deadline_problem_out_of_bounds({ state: STATES[p.state].label, seconds: p.seconds });
  }
}

const DEMO_STEPS: Record<DemoStep, () => string> = {
  remove_old_files: m.demo_step_remove_old_files,
  create_folder: m.demo_step_create_folder,
  start_relay: m.demo_step_start_relay,
  set_policy: m.demo_step_set_policy,
  start_sandbox: m.demo_step_start_sandbox,
  make_client: m.demo_step_make_client,
};

export function demoStep(step: DemoStep): string {
  return DEMO_STEPS[step]();
}

/**
 * Why a step of the demo's start failed, read inside parentheses after the step; the hub's problem
 * is worded by `errors.ts`, which passes its wording in.
 */
export function demoCause(c: DemoCause, hub: (p: HubProblem) => string): string {
  switch (c.cause) {
    case 'system':
      return m.demo_cause_system({ detail: c.detail });
    case 'listen':
      return m.demo_cause_listen({ addr: c.addr, detail: c.detail });
    case 'store':
      return m.demo_cause_store({ detail: c.detail });
    case 'newer_store':
      return m.demo_cause_newer_store({ found: c.found, known: c.known });
    case 'officer_name':
      return m.demo_cause_officer_name({ name: c.name, problem: textProblem(c.problem) });
    case 'hub':
      return m.demo_cause_hub({ problem: hub(c.problem) });
    case 'treezor':
      return m.demo_cause_treezor({ problem: configProblem(c.problem) });
    case 'inside':
      return m.demo_cause_inside();
  }
}

/** Why the keychain failed when it is not locked; it ends with what the officer can do. */
export function keychainProblem(p: KeychainProblem): string {
  switch (p.problem) {
    case 'no_secret_service':
      return m.keychain_problem_no_secret_service();
    case 'refused':
      return m.keychain_problem_refused({ detail: p.detail });
    case 'not_text':
      return m.keychain_problem_not_text();
    case 'ambiguous':
      return m.keychain_problem_ambiguous({ entries: p.entries });
    case 'platform':
      return m.keychain_problem_platform({ detail: p.detail });
  }
}

const CURSOR_PROBLEMS: Record<CursorProblem, () => string> = {
  not_made_here: m.cursor_problem_not_made_here,
  other_sort: m.cursor_problem_other_sort,
  key_not_of_sort: m.cursor_problem_key_not_of_sort,
};

/** Why a queue position was refused, read after "is not valid:". */
export function cursorProblem(p: CursorProblem): string {
  return CURSOR_PROBLEMS[p]();
}

const STORED_VALUES: Record<StoredValue, () => string> = {
  user_profile: m.stored_value_user_profile,
  audit_outcome: m.stored_value_audit_outcome,
  case_state: m.stored_value_case_state,
  review_state: m.stored_value_review_state,
  user_id: m.stored_value_user_id,
  download: m.stored_value_download,
  document: m.stored_value_document,
  case_event: m.stored_value_case_event,
  deadline: m.stored_value_deadline,
};

/** What stored value could not be read back, named. */
export function storedValue(v: StoredValue): string {
  return STORED_VALUES[v]();
}

/** Why a stored value could not be read back; the stored value itself is quoted, as is the parser. */
export function storedProblem(p: StoredProblem): string {
  switch (p.problem) {
    case 'not_json':
      return m.stored_problem_not_json({ detail: p.detail });
    case 'not_its_shape':
      return m.stored_problem_not_its_shape();
    case 'unknown':
      return m.stored_problem_unknown({ value: p.value });
    case 'invalid':
      return m.stored_problem_invalid({ value: p.value, field: p.field });
    case 'deadlines':
      return m.stored_problem_deadlines({ problem: deadlineProblem(p.why) });
  }
}

/** Why a purge left a file in place, read after its name. */
export function leftInPlace(l: LeftInPlace): string {
  switch (l.why) {
    case 'unreadable':
      return m.left_in_place_unreadable({ detail: l.detail });
    case 'not_a_regular_file':
      return m.left_in_place_not_a_regular_file();
    case 'changed':
      return m.left_in_place_changed();
    case 'not_deleted':
      return m.left_in_place_not_deleted({ detail: l.detail });
  }
}

const HUB_ANSWERS: Record<HubAnswer, () => string> = {
  feed_page: m.hub_answer_feed_page,
  who_am_i: m.hub_answer_who_am_i,
  deadlines: m.hub_answer_deadlines,
  team_record: m.hub_answer_team_record,
  trail_entry: m.hub_answer_trail_entry,
  trail_check: m.hub_answer_trail_check,
};

/** Which of the relay's answers, named. */
export function hubAnswer(a: HubAnswer): string {
  return HUB_ANSWERS[a]();
}

export function fault(f: Fault): string {
  switch (f.fault) {
    case 'download_folder':
      return m.fault_download_folder({ path: f.path, detail: f.detail });
    case 'export_folder':
      return m.fault_export_folder({ path: f.path, detail: f.detail });
    case 'export_not_named':
      return m.fault_export_not_named({ path: f.path, detail: f.detail });
    case 'cache_not_owner_only':
      return m.fault_cache_not_owner_only({ path: f.path, detail: f.detail });
    case 'cache_thread':
      return m.fault_cache_thread({ detail: f.detail });
    case 'cache_stopped':
      return m.fault_cache_stopped();
    case 'no_demo_sandbox':
      return m.fault_no_demo_sandbox();
  }
}

const FORMATS: Record<DocumentFormat, () => string> = {
  jpeg: m.document_format_jpeg,
  png: m.document_format_png,
  webp: m.document_format_webp,
  heic: m.document_format_heic,
  pdf: m.document_format_pdf,
};

const CLAIMANTS: Record<Claimant, () => string> = {
  name: m.claimant_name,
  file_host: m.claimant_file_host,
};

const URL_REFUSALS: Record<UrlRefusal, () => string> = {
  user_info: m.url_refusal_user_info,
  no_host: m.url_refusal_no_host,
  plain_http_elsewhere: m.url_refusal_plain_http_elsewhere,
  not_https: m.url_refusal_not_https,
};

/** Why a rule stopped a download; it ends with what the officer can do. */
export function downloadRefusal(r: DownloadRefusal): string {
  switch (r.refusal) {
    case 'not_a_url':
      return m.download_refusal_not_a_url({ detail: r.detail });
    case 'url_refused':
      return m.download_refusal_url_refused({ origin: r.origin, rule: URL_REFUSALS[r.rule]() });
    case 'url_not_checked':
      return m.download_refusal_url_not_checked({ origin: r.origin });
    case 'redirected_elsewhere':
      return r.to === null
        ? m.download_refusal_redirected_unreadable({ from: r.from })
        : m.download_refusal_redirected_elsewhere({ from: r.from, to: r.to });
    case 'announced_too_large':
      return m.download_refusal_announced_too_large({ announced: r.announced, limit: r.limit });
    case 'sent_too_large':
      return m.download_refusal_sent_too_large({ limit: r.limit });
  }
}

const TRANSPORT_FAULTS: Record<TransportFault, () => string> = {
  timed_out: m.transport_fault_timed_out,
  connection_failed: m.transport_fault_connection_failed,
  cut_off: m.transport_fault_cut_off,
  failed: m.transport_fault_failed,
};

/** A request that got no whole answer: what went wrong, and the system's own causes quoted. */
export function transport(t: Transport): string {
  const fault = TRANSPORT_FAULTS[t.fault]();
  return t.causes === '' ? fault : m.transport_causes({ fault, causes: t.causes });
}

/** Why one attempt of a download failed; it ends with what the officer can do. */
export function attemptFailure(f: AttemptFailure): string {
  switch (f.failure) {
    case 'no_attempt':
      return m.attempt_failure_no_attempt();
    case 'url_too_old':
      return m.attempt_failure_url_too_old({ seconds: f.seconds });
    case 'url_expires_soon':
      return m.attempt_failure_url_expires_soon({ seconds: f.seconds });
    case 'url_expired':
      return m.attempt_failure_url_expired();
    case 'unreachable':
      return m.attempt_failure_unreachable({ transport: transport(f.transport) });
    case 'url_refused':
      return m.attempt_failure_url_refused({ status: f.status });
    case 'unavailable':
      return m.attempt_failure_unavailable({ status: f.status });
    case 'status':
      return m.attempt_failure_status({ status: f.status });
    case 'dropped':
      return m.attempt_failure_dropped({ received: f.received, transport: transport(f.transport) });
    case 'cut_short':
      return m.attempt_failure_cut_short({ received: f.received, announced: f.announced });
  }
}

/** What is wrong with the Treezor client's configuration; it ends with what to do. */
export function configProblem(p: ConfigProblem): string {
  switch (p.problem) {
    case 'client_certificate':
      return m.config_problem_client_certificate({ detail: p.detail });
    case 'extra_ca':
      return m.config_problem_extra_ca({ detail: p.detail });
    case 'extra_ca_empty':
      return m.config_problem_extra_ca_empty();
    case 'base_url_not_url':
      return m.config_problem_base_url_not_url({ base: p.base, detail: p.detail });
    case 'base_url_refused':
      return m.config_problem_base_url_refused({ origin: p.origin, rule: URL_REFUSALS[p.rule]() });
    case 'credentials_empty':
      return m.config_problem_credentials_empty();
    case 'no_attempts':
      return m.config_problem_no_attempts();
    case 'http_client':
      return m.config_problem_http_client({ detail: p.detail });
    case 'call_url':
      return m.config_problem_call_url({ path: p.path, detail: p.detail });
    case 'access_tag':
      return m.config_problem_access_tag();
    case 'page_range':
      return m.config_problem_page_range();
  }
}

/** Why Treezor's answer could not be read; the names are Treezor's own fields. */
export function unexpected(p: Unexpected): string {
  switch (p.problem) {
    case 'not_json':
      return p.detail === null ? m.unexpected_not_json() : m.unexpected_not_json_detail({ detail: p.detail });
    case 'not_a_list':
      return m.unexpected_not_a_list({ name: p.name });
    case 'missing':
      return m.unexpected_missing({ names: p.names.join(', ') });
    case 'bad_value':
      return m.unexpected_bad_value({ detail: p.detail });
    case 'no_http_url':
      return m.unexpected_no_http_url();
  }
}

const FILE_STEPS: Record<FileStep, () => string> = {
  create_temporary: m.file_step_create_temporary,
  open_temporary: m.file_step_open_temporary,
  write: m.file_step_write,
  sync: m.file_step_sync,
  move_into_place: m.file_step_move_into_place,
};

/** The step of saving a document that the system refused. */
export function fileStep(step: FileStep): string {
  return FILE_STEPS[step]();
}

export function viewRefusal(r: ViewRefusal): string {
  switch (r.why) {
    case 'case':
      return m.view_refusal_case({ refusal: refusalWords(r.refusal) });
    case 'not_the_users_document':
      return m.view_refusal_not_the_users_document();
    case 'too_large':
      return m.view_refusal_too_large({ size_mb: r.size_mb, limit_mb: r.limit_mb });
    case 'download_refused':
      return m.view_refusal_download_refused({ reason: downloadRefusal(r.reason) });
    case 'unknown':
      return r.claimed === null || r.by === null
        ? m.view_refusal_unknown()
        : m.view_refusal_unknown_claimed({ by: CLAIMANTS[r.by](), claimed: FORMATS[r.claimed]() });
    case 'mismatch':
      return m.view_refusal_mismatch({ by: CLAIMANTS[r.by](), claimed: FORMATS[r.claimed](), found: FORMATS[r.found]() });
    case 'empty':
      return m.view_refusal_empty({ format: FORMATS[r.format](), width: r.width, height: r.height });
    case 'too_many_pixels':
      return m.view_refusal_too_many_pixels({ format: FORMATS[r.format](), width: r.width, height: r.height });
    case 'damaged':
      return m.view_refusal_damaged({ format: FORMATS[r.format]() });
  }
}

// Maps, not objects: a name the hub sends is never looked up among an object's own properties
// (`constructor`, `toString`).
const VERDICTS = new Map<string, (p: { by: string }) => string>([
  ['approved', m.hub_refusal_already_approved],
  ['rejected', m.hub_refusal_already_rejected],
]);

const ROLES = new Map<string, () => string>([
  ['officer', m.role_officer],
  ['senior', m.role_senior],
  ['auditor', m.role_auditor],
]);

export function hubRefusal(r: HubRefusal): string {
  switch (r.refusal) {
    case 'credential_revoked':
      return r.on === null
        ? m.hub_refusal_credential_revoked({ officer: r.officer })
        : m.hub_refusal_credential_revoked_on({ officer: r.officer, on: formatDateTime(r.on) });
    case 'officer_credential_required':
      return m.hub_refusal_officer_credential_required();
    case 'forbidden':
      // A role a newer hub knows and this window does not is named as the hub names it.
      return m.hub_refusal_forbidden({ role: ROLES.get(r.role)?.() ?? r.role });
    case 'senior_only':
      return m.hub_refusal_senior_only();
    case 'own_proposal':
      return m.hub_refusal_own_proposal();
    case 'already_answered':
      // A verdict a newer hub knows and this window does not is quoted as the hub names it.
      return VERDICTS.get(r.verdict)?.({ by: r.by }) ?? m.hub_refusal_already_answered({ by: r.by, verdict: r.verdict });
    case 'unknown_proposal':
      return m.hub_refusal_unknown_proposal({ proposal: r.proposal });
    case 'other_case':
      return m.hub_refusal_other_case({ proposal: r.proposal, user: r.user });
    case 'already_run':
      return m.hub_refusal_already_run({ proposal: r.proposal, by: r.by });
    case 'not_approved':
      return m.hub_refusal_not_approved({ proposal: r.proposal });
    case 'proposal_rejected':
      return m.hub_refusal_proposal_rejected({ proposal: r.proposal, by: r.by });
    case 'unknown_assignee':
      return m.hub_refusal_unknown_assignee({ officer: r.officer });
    case 'too_large':
      return m.hub_refusal_too_large({ limit: r.limit });
    case 'other':
      return m.hub_refusal_other({ code: r.code, message: r.message });
  }
}

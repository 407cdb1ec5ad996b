/**
 * The window's one way in to the backend. Every Tauri command and event is reached from here, with
 * the payload types generated from the Rust declarations (`./bindings`, kept current by the Rust
 * test `the_ui_types_match_the_rust_types`). Components import these functions, never `invoke` or
 * `listen`.
 */
import { Channel, invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';

import type { Action } from './bindings/Action';
import type { AppStatus } from './bindings/AppStatus';
import type { AuditCheck } from './bindings/AuditCheck';
import type { AuditExport } from './bindings/AuditExport';
import type { CaseFile } from './bindings/CaseFile';
import type { CaseClaim } from './bindings/CaseClaim';
import type { CatalogueEntry } from './bindings/CatalogueEntry';
import type { ClaimView } from './bindings/ClaimView';
import type { Changed } from './bindings/Changed';
import type { Confirmation } from './bindings/Confirmation';
import type { CopyRequest } from './bindings/CopyRequest';
import type { ConnectionCheck } from './bindings/ConnectionCheck';
import type { DecodedRedirect } from './bindings/DecodedRedirect';
import type { DocumentsChecked } from './bindings/DocumentsChecked';
import type { DownloadProgress } from './bindings/DownloadProgress';
import type { ErrorCode } from './bindings/ErrorCode';
import type { ErrorDetail } from './bindings/ErrorDetail';
import type { ExportFormat } from './bindings/ExportFormat';
import type { IdentityCheck } from './bindings/IdentityCheck';
import type { IpcError } from './bindings/IpcError';
import type { LocalFiles } from './bindings/LocalFiles';
import type { Note } from './bindings/Note';
import type { NoteWritten } from './bindings/NoteWritten';
import type { Decision } from './bindings/Decision';
import type { DecisionKind } from './bindings/DecisionKind';
import type { FourEyes } from './bindings/FourEyes';
import type { GuardedAction } from './bindings/GuardedAction';
import type { Recorded } from './bindings/Recorded';
import type { Verdict } from './bindings/Verdict';
import type { Notice } from './bindings/Notice';
import type { QueueFilter } from './bindings/QueueFilter';
import type { Policy } from './bindings/Policy';
import type { TeamRules } from './bindings/TeamRules';
import type { QueuePage } from './bindings/QueuePage';
import type { PurgeReport } from './bindings/PurgeReport';
import type { PurgeRequest } from './bindings/PurgeRequest';
import type { QueueQuery } from './bindings/QueueQuery';
import type { ReviewRequested } from './bindings/ReviewRequested';
import type { Saved } from './bindings/Saved';
import type { SavedDocument } from './bindings/SavedDocument';
import type { SettingsInput } from './bindings/SettingsInput';
import type { SettingsView } from './bindings/SettingsView';
import type { StartedVerification } from './bindings/StartedVerification';
import type { StateCounts } from './bindings/StateCounts';
import type { SyncHealth } from './bindings/SyncHealth';
import type { TeamState } from './bindings/TeamState';
import { errorText } from './i18n/errors';
import { m } from './i18n/locale';

export type { Action } from './bindings/Action';
export type { AmlFlag } from './bindings/AmlFlag';
export type { Awaited } from './bindings/Awaited';
export type { AppStatus } from './bindings/AppStatus';
export type { AuditCheck } from './bindings/AuditCheck';
export type { AuditExport } from './bindings/AuditExport';
export type { CaseClaim } from './bindings/CaseClaim';
export type { CaseDetail } from './bindings/CaseDetail';
export type { CaseFile } from './bindings/CaseFile';
export type { CaseState } from './bindings/CaseState';
export type { CatalogueEntry } from './bindings/CatalogueEntry';
export type { Caution } from './bindings/Caution';
export type { CheckStep } from './bindings/CheckStep';
export type { Confirmation } from './bindings/Confirmation';
export type { ConnectionCheck } from './bindings/ConnectionCheck';
export type { ChildWithoutDocuments } from './bindings/ChildWithoutDocuments';
export type { ClaimView } from './bindings/ClaimView';
export type { CopyRequest } from './bindings/CopyRequest';
export type { DecodedRedirect } from './bindings/DecodedRedirect';
export type { DocumentsChecked } from './bindings/DocumentsChecked';
export type { DownloadProgress } from './bindings/DownloadProgress';
export type { Environment } from './bindings/Environment';
export type { ErrorDetail } from './bindings/ErrorDetail';
export type { ErrorWords } from './bindings/ErrorWords';
export type { Family } from './bindings/Family';
export type { FieldCheck } from './bindings/FieldCheck';
export type { IdentityCheck } from './bindings/IdentityCheck';
export type { InterruptedDownload } from './bindings/InterruptedDownload';
export type { Language } from './bindings/Language';
export type { LocalDocument } from './bindings/LocalDocument';
export type { LocalFiles } from './bindings/LocalFiles';
export type { Note } from './bindings/Note';
export type { NoteWritten } from './bindings/NoteWritten';
export type { Decision } from './bindings/Decision';
export type { DecisionKind } from './bindings/DecisionKind';
export type { FourEyes } from './bindings/FourEyes';
export type { GuardedAction } from './bindings/GuardedAction';
export type { ProposalRecord } from './bindings/ProposalRecord';
export type { Recorded } from './bindings/Recorded';
export type { Verdict } from './bindings/Verdict';
export type { PurgeReport } from './bindings/PurgeReport';
export type { PurgeRequest } from './bindings/PurgeRequest';
export type { QueueFilter } from './bindings/QueueFilter';
export type { Holding } from './bindings/Holding';
export type { TeamRules } from './bindings/TeamRules';
export type { ReadOnly } from './bindings/ReadOnly';
export type { Policy } from './bindings/Policy';
export type { Rule } from './bindings/Rule';
export type { QueuePage } from './bindings/QueuePage';
export type { QueueQuery } from './bindings/QueueQuery';
export type { QueueRow } from './bindings/QueueRow';
export type { Relative } from './bindings/Relative';
export type { ReviewState } from './bindings/ReviewState';
export type { Saved } from './bindings/Saved';
export type { SecretState } from './bindings/SecretState';
export type { SavedDocument } from './bindings/SavedDocument';
export type { Settings } from './bindings/Settings';
export type { SettingsInput } from './bindings/SettingsInput';
export type { SettingsView } from './bindings/SettingsView';
export type { Sort } from './bindings/Sort';
export type { StartedVerification } from './bindings/StartedVerification';
export type { StateCounts } from './bindings/StateCounts';
export type { StoredDocument } from './bindings/StoredDocument';
export type { SyncHealth } from './bindings/SyncHealth';
export type { TeamState } from './bindings/TeamState';
export type { TimelineEntry } from './bindings/TimelineEntry';

/**
 * Why a backend call failed: one of the backend's codes, or `unreachable` when the call never got
 * to a command (not granted to this window, not registered, or no backend at all).
 */
export type DeskErrorCode = ErrorCode | 'unreachable';

/**
 * A failed backend call. Switch on `code`; `message` is written for the officer in the window's
 * language (worded from the backend's typed `words`, see `i18n/errors.ts`).
 */
export class DeskError extends Error {
  readonly code: DeskErrorCode;
  readonly detail: ErrorDetail | null;

  constructor(code: DeskErrorCode, message: string, detail: ErrorDetail | null = null) {
    super(message);
    this.name = 'DeskError';
    this.code = code;
    this.detail = detail;
  }
}

function isIpcError(value: unknown): value is IpcError {
  if (typeof value !== 'object' || value === null) return false;
  const { code, words } = value as Record<string, unknown>;
  return (
    typeof code === 'string' &&
    typeof words === 'object' &&
    words !== null &&
    typeof (words as Record<string, unknown>).kind === 'string'
  );
}

/** What the backend's words say, in the window's language; its English when a kind is unknown. */
function worded(error: IpcError): string {
  try {
    return errorText(error.words);
  } catch {
    // A backend newer than this window: its English is better than nothing.
    return error.message;
  }
}

/** Turns whatever a rejected `invoke` gave into a {@link DeskError}. */
export function toDeskError(reason: unknown): DeskError {
  if (reason instanceof DeskError) {
    return reason;
  }
  if (isIpcError(reason)) {
    return new DeskError(reason.code, worded(reason), reason.detail ?? null);
  }
  const detail = reason instanceof Error ? reason.message : String(reason);
  return new DeskError('unreachable', m.backend_unreachable({ detail }));
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toDeskError(reason);
  }
}

/** The guide's 30 refusal reason codes, in its order. */
export function reasonCatalogue(): Promise<CatalogueEntry[]> {
  return call<CatalogueEntry[]>('reason_catalogue');
}

/** Which world the desk talks to, who the officer is, and how the sync is doing. */
export function appStatus(): Promise<AppStatus> {
  return call<AppStatus>('app_status');
}

/** One keyset page of the queue. */
export function queuePage(query: QueueQuery): Promise<QueuePage> {
  return call<QueuePage>('queue_page', { query });
}

/** Cases per state under a filter (its own states ignored). */
export function queueCounts(filter: QueueFilter): Promise<StateCounts> {
  return call<StateCounts>('queue_counts', { filter });
}

/** One case in full. */
export function caseFile(user: number): Promise<CaseFile> {
  return call<CaseFile>('case_file', { user });
}

/** The `id`, `event` and `response_code` of a redirect URL, explained. */
export function decodeRedirect(url: string): Promise<DecodedRedirect> {
  return call<DecodedRedirect>('decode_redirect', { url });
}

/** The team's internal notes on a case, oldest first, as this desk last had them from the hub. */
export function caseNotes(user: number): Promise<Note[]> {
  return call<Note[]>('case_notes', { user });
}

/**
 * Writes an internal note on a case at the team's hub. It comes back to every desk, this one
 * included, through the hub's feed, with the author the hub names.
 */
export function writeNote(user: number, text: string): Promise<NoteWritten> {
  return call<NoteWritten>('write_note', { user, text });
}

/** Who holds a case, whether it is this officer, and whether the team state is the hub's current one. */
export function caseClaim(user: number): Promise<ClaimView> {
  return call<ClaimView>('case_claim', { user });
}

/** The live claims among the users of a page of the queue. */
export function queueClaims(users: number[]): Promise<CaseClaim[]> {
  return call<CaseClaim[]>('queue_claims', { users });
}

/** Whether the team state shown is the hub's current one, or as of its last answer. */
export function teamState(): Promise<TeamState> {
  return call<TeamState>('team_state');
}

/** Takes a case for the officer; the hub decides, and refuses naming who holds it. */
export function claimCase(user: number): Promise<void> {
  return call<void>('claim_case', { user });
}

/** Lets go of a case the officer holds. */
export function releaseCase(user: number): Promise<void> {
  return call<void>('release_case', { user });
}

/** Gives a case to another officer of the team (seniors only). */
export function reassignCase(user: number, to: string): Promise<void> {
  return call<void>('reassign_case', { user, to });
}

/** Takes the case that has waited longest for an officer and that nobody holds; `null`: none waits. */
export function nextUnclaimed(): Promise<number | null> {
  return call<number | null>('next_unclaimed');
}

/** The decisions on a case, oldest first, as this desk last had them from the hub. */
export function caseDecisions(user: number): Promise<Decision[]> {
  return call<Decision[]>('case_decisions', { user });
}

/** Records the officer's decision at the hub; closing as accepted may need an approval first. */
export function recordDecision(
  user: number,
  decision: DecisionKind,
  justification: string,
): Promise<Recorded> {
  return call<Recorded>('record_decision', { user, decision, justification });
}

/** Four eyes on a case: what the team's policy binds, the proposals and their answers. */
export function caseFourEyes(user: number): Promise<FourEyes> {
  return call<FourEyes>('case_four_eyes', { user });
}

/** Proposes an action the policy binds, for a senior officer other than this one to approve. */
export function proposeAction(
  user: number,
  action: GuardedAction,
  justification: string,
): Promise<Recorded> {
  return call<Recorded>('propose_action', { user, action, justification });
}

/** Approves or rejects a colleague's proposal; the hub decides whether this officer may. */
export function answerProposal(
  user: number,
  proposal: number,
  verdict: Verdict,
  justification: string,
): Promise<Recorded> {
  return call<Recorded>('answer_proposal', { user, proposal, verdict, justification });
}

/** The team's four-eyes policy and deadlines, and why this desk may not change them, if so. */
export function teamRules(): Promise<TeamRules> {
  return call<TeamRules>('team_rules');
}

/** Sets what needs a second officer, for the whole team (the hub takes it from a senior only). */
export function setFourEyesPolicy(policy: Policy): Promise<Recorded> {
  return call<Recorded>('set_four_eyes_policy', { policy });
}

/** Sets the team's deadlines, state name to seconds (the hub takes them from a senior only). */
export function setDeadlines(deadlines: Record<string, number>): Promise<TeamRules> {
  return call<TeamRules>('set_deadlines', { deadlines });
}

export function startVerification(
  user: number,
  redirectUrl: string | null,
  confirmation: Confirmation,
): Promise<StartedVerification> {
  return call<StartedVerification>('start_verification', { user, redirectUrl, confirmation });
}

export function retrieveDocuments(user: number): Promise<void> {
  return call<void>('retrieve_documents', { user });
}

/** Reads Treezor's list of the user's documents now and compares it with the webhooks. */
export function checkDocuments(user: number): Promise<DocumentsChecked> {
  return call<DocumentsChecked>('check_documents', { user });
}

/** Downloads a document; `onProgress` hears every chunk. */
export function downloadDocument(
  user: number,
  document: number,
  onProgress: (progress: DownloadProgress) => void,
): Promise<SavedDocument> {
  const channel = new Channel<DownloadProgress>(onProgress);
  return call<SavedDocument>('download_document', { user, document, onProgress: channel });
}

/**
 * A document's bytes for the viewer, fetched into the backend's memory inside the 30-second URL
 * window and checked there for what they are. They arrive as an ArrayBuffer: no URL, no file.
 */
export function viewDocument(user: number, document: number): Promise<ArrayBuffer> {
  return call<ArrayBuffer>('view_document', { user, document });
}

/** The identity the customer declared beside what the provider read on their document. */
export function identityCheck(user: number): Promise<IdentityCheck> {
  return call<IdentityCheck>('identity_check', { user });
}

export function requestReview(user: number, confirmation: Confirmation): Promise<ReviewRequested> {
  return call<ReviewRequested>('request_review', { user, confirmation });
}

/** Records in the audit log that the officer declined to confirm `action`. */
export function cancelAction(user: number, action: Action): Promise<void> {
  return call<void>('cancel_action', { user, action });
}

/** Opens the file manager on a downloaded document. */
export function showInFolder(user: number, document: number): Promise<void> {
  return call<void>('show_in_folder', { user, document });
}

/**
 * Verifies the whole audit trail: every entry's MAC under the key in the keychain, the chain, and
 * that the trail still reaches the anchor the keychain holds.
 */
export function verifyAudit(): Promise<AuditCheck> {
  return call<AuditCheck>('verify_audit');
}

/** Exports the audit log, or one user's trail, into the download folder. */
export function exportAudit(user: number | null, format: ExportFormat): Promise<AuditExport> {
  return call<AuditExport>('export_audit', { user, format });
}

export function settingsView(): Promise<SettingsView> {
  return call<SettingsView>('settings_view');
}

export function saveSettings(input: SettingsInput): Promise<Saved> {
  return call<Saved>('save_settings', { input });
}

export function checkTreezor(): Promise<ConnectionCheck> {
  return call<ConnectionCheck>('check_treezor');
}

export function checkRelay(): Promise<ConnectionCheck> {
  return call<ConnectionCheck>('check_relay');
}

/**
 * Puts what `what` names on the system clipboard: the backend builds the text (the customer text
 * from the case, a link the case holds), so the page can never choose it.
 */
export function copyToClipboard(what: CopyRequest): Promise<void> {
  return call<void>('copy_to_clipboard', { what });
}

/** The documents downloaded on this machine, with their age, and downloads a crash cut short. */
export function localFiles(): Promise<LocalFiles> {
  return call<LocalFiles>('local_files');
}

/** Removes downloaded documents from this machine; only unchanged files are deleted. */
export function purgeDocuments(request: PurgeRequest): Promise<PurgeReport> {
  return call<PurgeReport>('purge_documents', { request });
}

/** Cases changed: `users` lists them, or is empty when everything should be reloaded. */
export function onChanged(handler: (changed: Changed) => void): Promise<UnlistenFn> {
  return listen<Changed>('desk://changed', (event) => handler(event.payload));
}

/** The sync loop's health moved. */
export function onHealth(handler: (health: SyncHealth) => void): Promise<UnlistenFn> {
  return listen<SyncHealth>('desk://health', (event) => handler(event.payload));
}

/** Verifications were processed or reviews decided (counts only). */
export function onNotice(handler: (notice: Notice) => void): Promise<UnlistenFn> {
  return listen<Notice>('desk://notice', (event) => handler(event.payload));
}

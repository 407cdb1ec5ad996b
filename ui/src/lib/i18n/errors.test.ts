import { afterEach, describe, expect, test } from 'vitest';

import { bindingNames as names, LANGUAGES, readCatalogue } from '../../../catalogues.js';
import type { AttemptFailure } from '../bindings/AttemptFailure';
import type { DownloadRefusal } from '../bindings/DownloadRefusal';
import { localStorageKey } from '../paraglide/runtime.js';
import { errorText } from './errors';

// Every name the backend can send has its words in both catalogues, read from the generated
// bindings: a new error kind (or action, setting, ...) without words fails here.
const WORDED: [string, string | undefined, string][] = [
  ['Words', 'kind', 'error_'],
  ['ShellWords', 'kind', 'error_'],
  ['Deed', undefined, 'deed_'],
  ['Kept', undefined, 'kept_'],
  ['KeychainOperation', undefined, 'keychain_'],
  ['Setting', undefined, 'setting_'],
  ['SettingProblem', 'problem', 'setting_problem_'],
  ['DeskRefusal', undefined, 'desk_refusal_'],
  ['Refusal', undefined, 'refusal_'],
  ['TreezorProblem', 'problem', 'treezor_problem_'],
  ['HubProblem', 'problem', 'hub_problem_'],
  ['HubRefusal', 'refusal', 'hub_refusal_'],
  ['SettingsFileProblem', 'problem', 'settings_file_problem_'],
  ['TrailProblem', undefined, 'trail_problem_'],
  ['TextProblem', 'problem', 'text_problem_'],
  ['DeadlineError', 'problem', 'deadline_problem_'],
  ['DemoStep', undefined, 'demo_step_'],
  ['Fault', 'fault', 'fault_'],
  ['ViewRefusal', 'why', 'view_refusal_'],
  ['DocumentFormat', undefined, 'document_format_'],
  ['Claimant', undefined, 'claimant_'],
  ['DownloadRefusal', 'refusal', 'download_refusal_'],
  ['UrlRefusal', undefined, 'url_refusal_'],
  ['AttemptFailure', 'failure', 'attempt_failure_'],
  ['TransportFault', undefined, 'transport_fault_'],
  ['FileStep', undefined, 'file_step_'],
  ['ConfigProblem', 'problem', 'config_problem_'],
  ['Unexpected', 'problem', 'unexpected_'],
  ['CursorProblem', undefined, 'cursor_problem_'],
  ['DemoCause', 'cause', 'demo_cause_'],
  ['HubAnswer', undefined, 'hub_answer_'],
  ['KeychainProblem', 'problem', 'keychain_problem_'],
  ['StoredValue', undefined, 'stored_value_'],
  ['StoredProblem', 'problem', 'stored_problem_'],
  ['LeftInPlace', 'why', 'left_in_place_'],
];

afterEach(() => localStorage.removeItem(localStorageKey));

describe("the backend's errors", () => {
  test.each(WORDED)('every name of %s has words in both catalogues', (type, tag, prefix) => {
    const found = names(type, tag);
    expect(found.length, type).toBeGreaterThan(1);
    for (const language of LANGUAGES) {
      const catalogue = readCatalogue(language);
      const missing = found.filter((name) => !(`${prefix}${name}` in catalogue));
      expect(missing, `${language}: ${type}`).toEqual([]);
    }
  });

  test('are read from the generated unions, so a kind without words is caught', () => {
    expect(names('Words', 'kind')).toContain('keychain_locked');
    expect(names('ShellWords', 'kind')).toContain('not_a_redirect');
    expect(names('Setting')).toContain('treezor_base_url');
  });

  test("a hub's refusal says what to do, not to retry what would be refused again", () => {
    const text = errorText({
      kind: 'hub',
      what: 'answer_proposal',
      user: 100002,
      cause: { problem: 'declined', status: 403, refusal: { refusal: 'own_proposal' }, message: 'own proposal' },
    });
    expect(text).toContain('a different senior officer must approve or reject it.');
    expect(text).not.toContain('retry');
  });

  test('a relay too old for a record is not to be retried, and an unreadable answer is named', () => {
    const outdated = errorText({
      kind: 'hub',
      what: 'write_note',
      user: 4,
      cause: { problem: 'outdated', answer: 'team_record' },
    });
    expect(outdated).toBe(
      'Writing a note for user 4 was refused by the hub: the relay is too old for a team record (HTTP 404): upgrade it to a current hub. Nothing changed for the team.',
    );
    expect(
      errorText({
        kind: 'relay',
        problem: { problem: 'malformed', answer: 'who_am_i', detail: 'expected value at line 1 column 1' },
      }),
    ).toContain('the relay’s answer (who the credential belongs to) is not what a KYC Desk relay answers (expected value at line 1 column 1)');
  });

  test('a keychain with no Secret Service, and a demo that could not start, say what to do', () => {
    expect(
      errorText({
        kind: 'keychain_unavailable',
        secret: 'treezor_client_secret',
        operation: 'read',
        problem: { problem: 'no_secret_service' },
      }),
    ).toBe(
      'The keychain could not read the Treezor client secret: no Secret Service is running on the session bus. Start GNOME Keyring or KWallet in your session (or log in to a desktop session), then retry.',
    );
    expect(
      errorText({
        kind: 'demo',
        step: 'start_sandbox',
        cause: { cause: 'listen', addr: '127.0.0.1:8787', detail: 'Address already in use (os error 98)' },
      }),
    ).toBe(
      'The demo could not start: the demo sandbox did not start (nothing could listen on 127.0.0.1:8787: Address already in use (os error 98)). Restart KYC Desk; if it happens again, report it.',
    );
  });

  test('a failed download says what to do about its cause', () => {
    const failed = (last: AttemptFailure) => errorText({ kind: 'download_failed', document: 7, attempts: 3, last });
    expect(failed({ failure: 'url_refused', status: 403 })).toBe(
      'Document 7 could not be downloaded in 3 attempts, each with a fresh URL; at the last one, the file host refused the URL (HTTP 403): it had expired or was altered; download again, as a URL lives 30 seconds. Nothing was saved.',
    );
    expect(failed({ failure: 'unreachable', transport: { fault: 'timed_out', causes: '' } })).toContain(
      'the file host could not be reached (it timed out): check the network, then download again.',
    );
    expect(failed({ failure: 'url_expired' })).toContain("check this computer’s clock");
    expect(errorText({ kind: 'download_failed', document: 7, attempts: 1, last: { failure: 'status', status: 404 } })).toBe(
      'Document 7 could not be downloaded: the file host answered HTTP 404 and did not send the file: report it to Treezor. Nothing was saved.',
    );
  });

  test("a refused download names the rule, and a view refused by it says so", () => {
    const reason: DownloadRefusal = { refusal: 'url_refused', origin: 'http://files.example', rule: 'plain_http_elsewhere' };
    expect(errorText({ kind: 'download_refused', document: 7, reason })).toBe(
      'Document 7 was not downloaded, and nothing was saved: Treezor’s download URL for http://files.example is refused, as it is plain http:// to another machine, where only https:// is allowed: report it to Treezor.',
    );
    expect(errorText({ kind: 'not_viewable', document: 7, reason: { why: 'download_refused', reason } })).toContain(
      'is not shown: its download was refused: Treezor’s download URL for http://files.example is refused',
    );
  });

  test("a proposal answered before names who answered and how", () => {
    const answered = (verdict: string) =>
      errorText({
        kind: 'hub',
        what: 'answer_proposal',
        user: 100002,
        cause: {
          problem: 'declined',
          status: 409,
          refusal: { refusal: 'already_answered', by: 'Léa', verdict },
          message: 'Léa has already approved this proposal',
        },
      });
    expect(answered('approved')).toContain('Léa already approved it; propose again if it must be reconsidered.');
    expect(answered('rejected')).toContain('Léa already rejected it;');
    expect(answered('postponed')).toContain('Léa has already answered it (“postponed”);');
  });

  test('read in English, with what the officer can do', () => {
    expect(errorText({ kind: 'keychain_locked', secret: 'treezor_client_secret', operation: 'read' })).toBe(
      'The keychain is locked, so KYC Desk could not read the Treezor client secret. Unlock your login keyring (log in again, or open “Passwords and Keys”) and retry.',
    );
  });

  test("read in French, Treezor's own message kept verbatim", () => {
    localStorage.setItem(localStorageKey, 'fr');
    expect(
      errorText({
        kind: 'treezor_refusal',
        call: 'PUT /v1/users/42/kycliveness',
        status: 406,
        problem: { problem: 'not_processed' },
        message: 'The last identification is not processed',
        code: null,
        request_id: 'r-9',
      }),
    ).toBe(
      'PUT /v1/users/42/kycliveness a échoué (HTTP 406) : la dernière vérification n’est pas encore traitée : attendez le webhook kycliveness.update. Treezor a répondu : The last identification is not processed [requestId r-9]',
    );
    expect(
      errorText({
        kind: 'action_not_audited',
        action: 'start_verification',
        user: 7,
        cause: { kind: 'keychain_locked', secret: 'audit_anchor', operation: 'read' },
      }),
    ).toBe(
      'Le lancement d’une vérification pour l’utilisateur 7 n’a pas eu lieu, faute de pouvoir l’inscrire au journal d’audit : Le trousseau est verrouillé : KYC Desk n’a pas pu lire l’ancre du journal d’audit. Déverrouillez votre trousseau de session (reconnectez-vous, ou ouvrez « Mots de passe et clés ») et réessayez. Rien n’a été envoyé à Treezor.',
    );
    expect(errorText({ kind: 'not_allowed', action: 'request_review', user: 3, reason: 'review_in_progress' })).toBe(
      'La demande de revue KYC n’est pas possible pour l’utilisateur 3 : ' + readCatalogue('fr').refusal_review_in_progress,
    );
  });
});

/**
 * A connection check in the window's language: the backend sends each step's name and what it
 * found, typed; the words are here and in the catalogues.
 */
import type { ConnectionCheck } from '../api';
import type { CheckStep } from '../bindings/CheckStep';
import type { Found } from '../bindings/Found';
import type { StepName } from '../bindings/StepName';
import { errorText, hubProblemText, keptText } from '../i18n/errors';
import { m } from '../i18n/locale';

/** One step as the window shows it. */
export type StepLine = { step: string; ok: boolean; detail: string };

/** A check as the window shows it. */
export type CheckLines = { ok: boolean; steps: StepLine[] };

const STEPS: Record<StepName, () => string> = {
  settings: m.check_step_settings,
  client_secret: m.check_step_client_secret,
  client: m.check_step_client,
  token_and_users: m.check_step_token_and_users,
  feed_token: m.check_step_feed_token,
  feed: m.check_step_feed,
};

function found(what: Found): string {
  switch (what.found) {
    case 'demo_sandbox':
      return m.found_demo_sandbox();
    case 'demo_relay':
      return m.found_demo_relay({ url: what.url });
    case 'treezor_at':
      return `${what.base_url} (${what.client_id})`;
    case 'relay_at':
      return what.url;
    case 'no_relay_url':
      return m.found_no_relay_url();
    case 'secret_found':
      return m.found_secret_found({ origin: what.origin });
    case 'secret_missing':
      return m.found_secret_missing({ secret: keptText(what.secret) });
    case 'secret_for_another_origin':
      return m.found_secret_for_another_origin({
        secret: keptText(what.secret),
        entered_for: what.entered_for,
        now: what.now,
      });
    case 'treezor_answered':
      return m.found_treezor_answered();
    case 'events_applied':
      return m.found_events_applied({ count: what.count });
    case 'feed_accepted':
      return m.found_feed_accepted({ events: what.events });
    case 'relay':
      return hubProblemText(what.problem);
    case 'failed':
      return errorText(what.words);
  }
}

function line(step: CheckStep): StepLine {
  return { step: STEPS[step.step](), ok: step.ok, detail: found(step.found) };
}

/** The backend's check, worded. */
export function checkLines(check: ConnectionCheck): CheckLines {
  return { ok: check.ok, steps: check.steps.map(line) };
}

/** A check that could not run at all, with why. */
export function checkNotRun(why: string): CheckLines {
  return { ok: false, steps: [{ step: m.settings_check_step(), ok: false, detail: why }] };
}

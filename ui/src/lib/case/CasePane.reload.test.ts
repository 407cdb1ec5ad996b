import { emit } from '@tauri-apps/api/event';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import { afterEach, describe, expect, test } from 'vitest';

import { backend, demoStatus, documentsReceivedCase, ipcError } from '../../test/fixtures';
import type { CaseFile, ClaimView, FourEyes } from '../api';
import { live } from '../live.svelte';
import CasePane from './CasePane.svelte';

// What a feed change does to the case on screen: the sync loop names the user, the pane and each
// panel read their part again, and each answer replaces what it shows. Until then, and after, the
// officer's buttons, draft text and open viewer stay where they are: a click is never lost to a
// reload.

const FOUR_EYES: FourEyes = {
  applies: true,
  policy: { request_review: 'aml_flagged', start_verification: 'aml_flagged', close_accepted: 'aml_flagged' },
  aml_flagged: false,
  bound: [],
  approved: [],
  proposals: [],
};
const UNCLAIMED: ClaimView = { claim: null, mine: false, team: { kind: 'live' } };

/** The case file's next answer, held until the test lets it go. */
function held() {
  let release: (file: CaseFile) => void = () => {};
  let fail: (reason: unknown) => void = () => {};
  const answer = new Promise<CaseFile>((resolve, reject) => {
    release = resolve;
    fail = reject;
  });
  return { answer, release, fail };
}

/** A desk whose case file answers `next()`; the team's panels answer at once. */
function desk(next: () => CaseFile | Promise<CaseFile>) {
  return backend({
    app_status: demoStatus(),
    case_file: () => next(),
    case_claim: UNCLAIMED,
    claim_case: null,
    case_notes: [],
    case_four_eyes: FOUR_EYES,
    case_decisions: [],
    // The viewer stays on its loading state: this test is about its opening.
    view_document: () => new Promise(() => {}),
    identity_check: () => new Promise(() => {}),
  });
}

let stop: () => void = () => {};
afterEach(() => stop());

/** The case of user 42, open with every panel read. */
async function opened() {
  stop = await live.start();
  render(CasePane, { user: 42, onopen: () => {}, onclose: () => {} });
  const claim = await screen.findByRole('region', { name: 'Who holds this case' });
  const take = await within(claim).findByRole('button', { name: 'Take this case' });
  const notes = await screen.findByRole('region', { name: /Team notes/ });
  await within(notes).findByText('No note on this case yet.');
  return { claim, take, notes };
}

/** The documents panel's entry for document `id`. */
function entry(id: number): HTMLElement {
  const found = document.querySelector<HTMLElement>(`li[data-document="${id}"]`);
  if (!found) throw new Error(`no entry for document ${id}`);
  return found;
}

function count(calls: { command: string }[], command: string): number {
  return calls.filter((c) => c.command === command).length;
}

describe('the case pane, while the feed changes the case', () => {
  test('a click that lands as a reload is answered reaches its button, and the draft note stays', async () => {
    let next = () => Promise.resolve(documentsReceivedCase());
    const calls = desk(() => next());
    const { claim, take, notes } = await opened();
    const box = within(notes).getByRole('textbox', { name: /New note/ });
    await fireEvent.input(box, { target: { value: 'Called the customer about the passport' } });

    // The feed brings a change: the documents were validated in Treezor.
    const reload = held();
    next = () => reload.answer;
    const files = count(calls, 'case_file');
    await emit('desk://changed', { users: [42] });
    await waitFor(() => expect(count(calls, 'case_file')).toBe(files + 1));
    const changed = documentsReceivedCase();
    changed.detail.documents[0].document.documentStatus = 'VALIDATED';
    reload.release(changed);
    await waitFor(() => expect(entry(501)).toHaveTextContent('validated'));
    await tick();

    // The officer clicks Take as the answer is shown: the button is the one they aimed at.
    await fireEvent.click(take);
    expect(count(calls, 'claim_case')).toBe(1);
    expect(take.isConnected).toBe(true);
    expect(within(claim).queryByText('Reading who holds this case…')).toBeNull();
    expect(within(notes).queryByText('Loading the notes…')).toBeNull();
    expect(within(notes).getByRole('textbox', { name: /New note/ })).toHaveValue(
      'Called the customer about the passport',
    );
  });

  test('a View click while the case is read again opens the viewer, and the answer keeps it open', async () => {
    let next = () => Promise.resolve(documentsReceivedCase());
    const calls = desk(() => next());
    await opened();
    const view = within(entry(501)).getByRole('button', {
      name: 'View',
    });

    const reload = held();
    next = () => reload.answer;
    const files = count(calls, 'case_file');
    await emit('desk://changed', { users: [42] });
    await waitFor(() => expect(count(calls, 'case_file')).toBe(files + 1));
    await fireEvent.click(view);
    expect(await screen.findByRole('dialog')).toHaveAttribute('data-document', '501');

    const changed = documentsReceivedCase();
    changed.detail.documents[0].document.documentStatus = 'VALIDATED';
    reload.release(changed);
    await waitFor(() => expect(entry(501)).toHaveTextContent('validated'));
    expect(view.isConnected).toBe(true);
    expect(screen.getByRole('dialog')).toHaveAttribute('data-document', '501');
  });

  test('a reload that fails keeps the case, the open viewer and the draft, and says what failed', async () => {
    let next = () => Promise.resolve(documentsReceivedCase());
    const calls = desk(() => next());
    const { notes } = await opened();
    await fireEvent.input(within(notes).getByRole('textbox', { name: /New note/ }), {
      target: { value: 'Draft kept' },
    });
    await fireEvent.click(
      within(entry(501)).getByRole('button', { name: 'View' }),
    );
    await screen.findByRole('dialog');

    const reload = held();
    next = () => reload.answer;
    const files = count(calls, 'case_file');
    await emit('desk://changed', { users: [42] });
    await waitFor(() => expect(count(calls, 'case_file')).toBe(files + 1));
    reload.fail(ipcError('cache', { kind: 'cache_failed', detail: 'database is locked' }));

    expect(await screen.findByText(/The cache database failed \(database is locked\)/)).toBeVisible();
    expect(screen.getByTestId('state-words')).toHaveTextContent('Documents received');
    expect(screen.getByRole('dialog')).toHaveAttribute('data-document', '501');
    expect(within(notes).getByRole('textbox', { name: /New note/ })).toHaveValue('Draft kept');

    // The next answer clears the problem.
    next = () => Promise.resolve(documentsReceivedCase());
    await emit('desk://changed', { users: [42] });
    await waitFor(() =>
      expect(screen.queryByText(/The cache database failed \(database is locked\)/)).toBeNull(),
    );
  });
});

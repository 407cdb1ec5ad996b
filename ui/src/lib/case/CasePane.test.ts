import { emit } from '@tauri-apps/api/event';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';

import { backend, documentsReceivedCase, refusedCase, ipcError } from '../../test/fixtures';
import { live } from '../live.svelte';
import CasePane from './CasePane.svelte';

function open(user = 42) {
  return render(CasePane, { user, onopen: () => {}, onclose: () => {} });
}

describe('the case view', () => {
  test('flags the AML-sensitive reason for the officer and keeps it out of the customer panel', async () => {
    backend({ case_file: refusedCase() });
    open();

    const reasons = await screen.findByRole('region', { name: /Reasons — for the officer only/ });
    const sensitive = within(reasons).getByText('2301').closest('li');
    expect(sensitive).toHaveClass('sensitive');
    expect(within(sensitive as HTMLElement).getByText('AML-sensitive — do not disclose')).toBeVisible();
    expect(within(reasons).getByRole('note')).toHaveTextContent('Do not disclose');
    const shareable = within(reasons).getByText('1301').closest('li') as HTMLElement;
    expect(within(shareable).getByText('May be explained to the customer')).toBeVisible();

    const customer = screen.getByRole('region', { name: 'What the customer may be told' });
    expect(customer).toHaveTextContent('We could not complete the verification of your identity.');
    expect(customer.textContent).not.toMatch(/2301|counterfeit|falsification|fraud/i);
  });

  test('keeps the AML flag of an earlier attempt, with its date and codes, and the attempt itself', async () => {
    const file = documentsReceivedCase();
    const refused = refusedCase();
    file.detail.view.attempts = [refused.detail.view.attempts[0], { ...file.detail.view.attempts[0], identification: 'idv-2' }];
    file.detail.view.attempts[1].reasons = [];
    file.reasons_by_attempt = [refused.reasons, []];
    file.detail.view.aml_flags = refused.detail.view.aml_flags;
    backend({ case_file: file });
    open();

    const flag = await screen.findByTestId('aml-flag');
    expect(flag).toHaveTextContent('AML flag on this person');
    expect(flag).toHaveTextContent('identification idv-1');
    expect(flag).toHaveTextContent('codes 2301');
    const earlier = screen.getByText('Earlier verification').closest('li') as HTMLElement;
    expect(earlier).toHaveTextContent('idv-1');
    expect(earlier).toHaveTextContent('2301 · AML-sensitive');
    expect(earlier).toHaveTextContent('1301');
    expect(earlier).toHaveTextContent('Refused');
  });

  test('a business shows its children and what its review waits for', async () => {
    const file = documentsReceivedCase();
    file.legal_entity = true;
    file.detail.display_name = 'Atelier Zoé SAS';
    file.detail.view.attempts = [];
    file.detail.children = [
      { user_id: 43, display_name: 'Claire Martin', profile: null, state: 'documents_received', documents: [] },
      { user_id: 44, display_name: 'Hugo Martin', profile: null, state: 'processing', documents: [] },
    ];
    file.children_without_documents = [{ user_id: 44, display_name: 'Hugo Martin' }];
    backend({ case_file: file });
    open();

    expect(await screen.findByTestId('family-summary')).toHaveTextContent(
      'Missing before the review of Atelier Zoé SAS: the documents of 1 child',
    );
    const hugo = screen.getByRole('button', { name: 'Hugo Martin' }).closest('li') as HTMLElement;
    expect(hugo).toHaveAttribute('data-needs', 'missing');
    expect(hugo).toHaveTextContent("the parent's review waits for them");
    expect(screen.queryByRole('button', { name: /Start verification/ })).toBeNull();
  });

  test("asks the backend to copy the case's customer text, never handing it the words", async () => {
    const calls = backend({ case_file: refusedCase(), copy_to_clipboard: null });
    open();

    const customer = await screen.findByRole('region', { name: 'What the customer may be told' });
    await fireEvent.click(within(customer).getByRole('button', { name: /Copy/ }));

    expect(calls.find((c) => c.command === 'copy_to_clipboard')?.args).toEqual({
      what: { kind: 'customer_text', user: 42, language: 'en' },
    });
    expect(await within(customer).findByText('Copied the customer text')).toBeVisible();
  });

  test("shows and copies the customer text in the customer's language, the profile's by default", async () => {
    const file = refusedCase();
    file.customer_language = 'fr';
    const calls = backend({ case_file: file, copy_to_clipboard: null });
    open();

    const customer = await screen.findByRole('region', { name: 'What the customer may be told' });
    expect(within(customer).getByTestId('customer-text')).toHaveTextContent(
      'Nous n’avons pas pu finaliser la vérification de votre identité.',
    );
    expect(within(customer).getByRole('button', { name: 'Français' })).toHaveAttribute('aria-pressed', 'true');

    await fireEvent.click(within(customer).getByRole('button', { name: 'English' }));
    expect(within(customer).getByTestId('customer-text')).toHaveTextContent(
      'We could not complete the verification of your identity.',
    );
    await fireEvent.click(within(customer).getByRole('button', { name: /Copy/ }));
    expect(calls.find((c) => c.command === 'copy_to_clipboard')?.args).toEqual({
      what: { kind: 'customer_text', user: 42, language: 'en' },
    });
    localStorage.clear();
  });

  test('shows a replayed webhook as refused, at the time the payload gives', async () => {
    const file = refusedCase();
    const genuine = file.detail.timeline[0];
    file.detail.timeline.push({
      ...genuine,
      seq: 9,
      webhook_id: 'w-replayed',
      created_at: '2125-01-01T00:00:00.000Z',
      received_at: '2025-05-03T11:50:00.000Z',
      replay_of: 'w-1',
    });
    backend({ case_file: file });
    open();

    const timeline = await screen.findByRole('region', { name: 'Verification timeline' });
    const replay = within(timeline).getByText(/refused: repeats webhook/).closest('li') as HTMLElement;
    expect(replay).toHaveClass('replay');
    expect(replay).toHaveTextContent('w-1');
    expect(replay).toHaveTextContent('changed nothing');
    expect(replay.textContent).not.toMatch(/2125/);
  });

  test('shows the state and the score in words', async () => {
    backend({ case_file: refusedCase() });
    open();

    expect(await screen.findByTestId('state-words')).toHaveTextContent('Refused by the provider');
    expect(screen.getByTestId('score-words')).toHaveTextContent(
      '0 · Refused: the provider could not verify the user',
    );
  });

  test('a disabled action stays focusable and says why', async () => {
    backend({ case_file: refusedCase() });
    open();

    const retrieve = await screen.findByRole('button', { name: /Retrieve documents/ });
    expect(retrieve).toHaveAttribute('aria-disabled', 'true');
    // Two buttons disabled for the same reason share one line.
    expect(retrieve).toHaveAccessibleDescription(
      'Retrieve documents, Request KYC review: Documents can only be retrieved after a verification processed with score 1. Start a new verification.',
    );
    expect(screen.getByRole('button', { name: /Request KYC review/ })).toHaveAccessibleDescription(
      retrieve.getAttribute('aria-describedby') ? /^Retrieve documents, Request KYC review:/ : /never/,
    );
    expect(screen.getByRole('button', { name: /Start verification/ })).toHaveAttribute('aria-disabled', 'false');
  });

  test('reloads itself when the sync loop says the case changed', async () => {
    let answer = refusedCase();
    const calls = backend({ case_file: () => answer });
    const stop = await live.start().catch(() => () => {});
    open();
    await screen.findByText('Refused by the provider');

    answer = documentsReceivedCase();
    await emit('desk://changed', { users: [42] });

    await waitFor(() => expect(screen.getByTestId('state-words')).toHaveTextContent('Documents received'));
    expect(calls.filter((c) => c.command === 'case_file')).toHaveLength(2);
    stop();
  });

  test('says what failed when the case cannot be read', async () => {
    backend({
      case_file: () => {
        throw ipcError('cache', { kind: 'cache_failed', detail: 'disk full' });
      },
    });
    open();

    expect(await screen.findByRole('alert')).toHaveTextContent('The cache database failed (disk full).');
  });
});

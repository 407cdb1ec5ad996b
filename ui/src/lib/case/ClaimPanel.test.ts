import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';

import { backend, demoStatus, ipcError, NOW } from '../../test/fixtures';
import type { CaseClaim, ClaimView } from '../api';
import { live } from '../live.svelte';
import ClaimPanel from './ClaimPanel.svelte';

const held: CaseClaim = {
  user_id: 42,
  holder: 'Zoé Martin',
  since: '2025-05-03T11:00:00.000Z',
  last_activity: '2025-05-03T11:30:00.000Z',
  lapses_at: '2025-05-03T15:30:00.000Z',
};

function view(overrides: Partial<ClaimView> = {}): ClaimView {
  return { claim: null, mine: false, team: { kind: 'live' }, ...overrides };
}

function region() {
  return screen.findByRole('region', { name: 'Who holds this case' });
}

describe('who holds a case', () => {
  test('takes an unclaimed case at the hub and shows "You" once the hub holds it', async () => {
    let claim: ClaimView = view();
    const calls = backend({
      case_claim: () => claim,
      claim_case: () => {
        claim = view({ claim: held, mine: true });
        return null;
      },
    });
    render(ClaimPanel, { user: 42 });
    const panel = await region();
    expect(await within(panel).findByText('Nobody holds this case.')).toBeVisible();

    await fireEvent.click(within(panel).getByRole('button', { name: 'Take this case' }));
    await waitFor(() => expect(within(panel).getByTestId('claim-holder')).toHaveTextContent(/^You — You hold this case since/));
    expect(within(panel).getByRole('button', { name: 'Release' })).toBeEnabled();
    expect(calls.filter((c) => c.command === 'claim_case')).toEqual([{ command: 'claim_case', args: { user: 42 } }]);
  });

  test("says who holds a colleague's case and keeps Take disabled with the reason", async () => {
    backend({ case_claim: view({ claim: held }) });
    render(ClaimPanel, { user: 42 });
    const panel = await region();
    expect(await within(panel).findByTestId('claim-holder')).toHaveTextContent(/^Zoé Martin holds this case since/);
    const take = within(panel).getByRole('button', { name: 'Take this case' });
    expect(take).toBeDisabled();
    expect(take).toHaveAttribute('title', 'Zoé Martin holds this case: ask them, or a senior to reassign it.');
    expect(within(panel).getByTestId('claim-reason')).toHaveTextContent('ask them, or a senior to reassign it');
    expect(within(panel).queryByRole('button', { name: 'Reassign' })).toBeNull();
  });

  test("shows the hub's refusal as it words it", async () => {
    backend({
      case_claim: view(),
      claim_case: () => {
        throw ipcError('claim_refused', {
          kind: 'claim_refused',
          what: 'take_case',
          user: 42,
          refusal: { refusal: 'held_by', holder: 'Sam', since: '2025-05-03T11:59:00Z' },
        });
      },
    });
    render(ClaimPanel, { user: 42 });
    const panel = await region();
    await fireEvent.click(await within(panel).findByRole('button', { name: 'Take this case' }));
    expect(await within(panel).findByRole('alert')).toHaveTextContent(
      /^Taking a case for user 42 was refused by the hub: Sam holds this case since .+; ask them/,
    );
  });

  test('says as of when the team state is while the hub is away, and sends nothing', async () => {
    backend({ case_claim: view({ claim: held, mine: true, team: { kind: 'away', as_of: NOW } }) });
    render(ClaimPanel, { user: 42 });
    const panel = await region();
    expect(await within(panel).findByTestId('team-away')).toHaveTextContent(/^Team state as of .+: the hub cannot be reached/);
    expect(within(panel).getByTestId('claim-holder')).toHaveTextContent(/^You/);
    expect(within(panel).getByRole('button', { name: 'Release' })).toBeDisabled();
  });

  test('lets a senior reassign the case to a named officer', async () => {
    const status = demoStatus();
    status.sync.signed_in = { name: 'Sam', role: 'senior' };
    const calls = backend({ app_status: status, case_claim: view({ claim: held }), reassign_case: null });
    const stop = await live.start();
    render(ClaimPanel, { user: 42 });
    const panel = await region();
    const box = await within(panel).findByRole('textbox', { name: /Give it to/ });
    await fireEvent.input(box, { target: { value: 'Léa' } });
    await fireEvent.click(within(panel).getByRole('button', { name: 'Reassign' }));
    await waitFor(() =>
      expect(calls.find((c) => c.command === 'reassign_case')?.args).toEqual({ user: 42, to: 'Léa' }),
    );
    stop();
  });
});

import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';

import { backend, ipcError } from '../../test/fixtures';
import type { TeamRules as Rules } from '../api';
import TeamRules from './TeamRules.svelte';

function rules(readOnly: Rules['read_only'] = null): Rules {
  return {
    four_eyes: { request_review: 'aml_flagged', start_verification: 'aml_flagged', close_accepted: 'aml_flagged' },
    deadlines: [
      { state: 'link_issued', seconds: 900 },
      { state: 'processing', seconds: null },
      { state: 'validated', seconds: 86400 },
      { state: 'documents_requested', seconds: null },
      { state: 'documents_received', seconds: null },
      { state: 'review_requested', seconds: 172800 },
    ],
    read_only: readOnly,
  };
}

describe('the team section of Settings', () => {
  test('a senior sets the deadlines in minutes and the four-eyes policy at the hub', { timeout: 20_000 }, async () => {
    const calls = backend({
      team_rules: rules(),
      set_deadlines: (args: Record<string, unknown>) => {
        const set = rules();
        set.deadlines[2].seconds = (args.deadlines as Record<string, number>).validated;
        return set;
      },
      set_four_eyes_policy: { seq: 12 },
    });
    render(TeamRules);
    const section = await screen.findByRole('region', { name: 'Team' });
    const validated = await within(section).findByRole('spinbutton', { name: /Validated/ });
    expect(validated).toHaveValue(1440);
    await fireEvent.input(validated, { target: { value: '4320' } });
    await fireEvent.input(within(section).getByRole('spinbutton', { name: /Processing/ }), {
      target: { value: '30' },
    });
    await fireEvent.click(within(section).getByRole('button', { name: 'Save the deadlines' }));
    await within(section).findByText('Saved at the hub, for the whole team.');
    expect(calls.find((c) => c.command === 'set_deadlines')?.args).toEqual({
      deadlines: { link_issued: 900, processing: 1800, validated: 259200, review_requested: 172800 },
    });

    await fireEvent.change(within(section).getByRole('combobox', { name: /Request the KYC review/ }), {
      target: { value: 'always' },
    });
    await fireEvent.click(within(section).getByRole('button', { name: 'Save the four-eyes policy' }));
    await waitFor(() =>
      expect(calls.find((c) => c.command === 'set_four_eyes_policy')?.args).toEqual({
        policy: { request_review: 'always', start_verification: 'aml_flagged', close_accepted: 'aml_flagged' },
      }),
    );
  });

  test('an officer reads the rules only, told why', async () => {
    const calls = backend({ team_rules: rules({ reason: 'not_senior', role: 'officer' }) });
    render(TeamRules);
    const section = await screen.findByRole('region', { name: 'Team' });
    expect(await within(section).findByTestId('team-read-only')).toHaveTextContent(
      "Only a senior officer changes the team's rules",
    );
    const save = within(section).getByRole('button', { name: 'Save the deadlines' });
    expect(save).toBeDisabled();
    expect(within(section).getByRole('spinbutton', { name: /Validated/ })).toBeDisabled();
    await fireEvent.click(save);
    expect(calls.map((c) => c.command)).not.toContain('set_deadlines');
  });

  test('a hub that cannot be reached refuses the change, saying so, and the form keeps it', async () => {
    backend({
      team_rules: rules(),
      set_deadlines: () => {
        throw ipcError('hub_unreachable', {
          kind: 'hub',
          what: 'set_deadlines',
          user: null,
          cause: { problem: 'unreachable', url: 'http://127.0.0.1:9', transport: { fault: 'connection_failed', causes: 'connection refused' } },
        });
      },
    });
    render(TeamRules);
    const section = await screen.findByRole('region', { name: 'Team' });
    const validated = await within(section).findByRole('spinbutton', { name: /Validated/ });
    await fireEvent.input(validated, { target: { value: '60' } });
    await fireEvent.click(within(section).getByRole('button', { name: 'Save the deadlines' }));
    expect(await within(section).findByRole('alert')).toHaveTextContent('Setting the team');
    expect(validated).toHaveValue(60);
  });
});

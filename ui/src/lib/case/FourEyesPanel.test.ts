import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';

import { backend, demoStatus } from '../../test/fixtures';
import type { FourEyes, ProposalRecord } from '../api';
import { live } from '../live.svelte';
import FourEyesPanel from './FourEyesPanel.svelte';

const proposal: ProposalRecord = {
  seq: 12,
  author: 'Zoé Martin',
  written_at: '2025-05-03T11:50:00.000Z',
  action: 'request_review',
  justification: 'Documents arrived, score 1.',
  answer: null,
};

function fourEyes(proposals: ProposalRecord[]): FourEyes {
  return {
    applies: true,
    policy: { request_review: 'aml_flagged', start_verification: 'aml_flagged', close_accepted: 'aml_flagged' },
    aml_flagged: true,
    bound: ['request_review', 'start_verification', 'close_accepted'],
    approved: proposals.some((p) => p.answer?.verdict === 'approved') ? ['request_review'] : [],
    proposals,
  };
}

async function signedInAs(name: string, role: 'officer' | 'senior', answers: Record<string, unknown>) {
  const status = demoStatus();
  status.sync.signed_in = { name, role };
  const calls = backend({ app_status: status, ...answers });
  const stop = await live.start();
  render(FourEyesPanel, { user: 42 });
  return { calls, stop };
}

describe('four eyes', () => {
  test('the proposer cannot answer their own proposal, and is told why', async () => {
    const { stop } = await signedInAs('Zoé Martin', 'senior', { case_four_eyes: fourEyes([proposal]) });
    const item = await screen.findByTestId('proposal');
    expect(item).toHaveTextContent('Proposed by Zoé Martin');
    expect(within(item).getByTestId('cannot-answer')).toHaveTextContent(
      'You proposed this: a different senior officer approves or rejects it.',
    );
    expect(within(item).getByRole('button', { name: 'Approve' })).toBeDisabled();
    expect(within(item).getByRole('button', { name: 'Reject' })).toBeDisabled();
    stop();
  });

  test('an officer who is not a senior cannot answer', async () => {
    const { stop } = await signedInAs('Max', 'officer', { case_four_eyes: fourEyes([proposal]) });
    const item = await screen.findByTestId('proposal');
    expect(within(item).getByTestId('cannot-answer')).toHaveTextContent('Only a senior officer');
    stop();
  });

  test('a different senior approves with a justification, and the action shows as approved', async () => {
    let held = [proposal];
    const { calls, stop } = await signedInAs('Sam', 'senior', {
      case_four_eyes: () => fourEyes(held),
      answer_proposal: (args: Record<string, unknown>) => {
        held = [
          {
            ...proposal,
            answer: {
              seq: 13,
              verdict: 'approved',
              by: 'Sam',
              written_at: '2025-05-03T11:55:00.000Z',
              justification: args.justification as string,
            },
          },
        ];
        return { seq: 13 };
      },
    });
    const item = await screen.findByTestId('proposal');
    const approve = within(item).getByRole('button', { name: 'Approve' });
    expect(approve).toBeDisabled();
    await fireEvent.input(within(item).getByRole('textbox', { name: 'Your justification' }), {
      target: { value: 'Checked the video.' },
    });
    await fireEvent.click(approve);
    expect(await screen.findByText('Approved by Sam')).toBeVisible();
    expect(screen.getByTestId('bound')).toHaveTextContent('Request the KYC review (approved)');
    expect(calls.find((c) => c.command === 'answer_proposal')?.args).toEqual({
      user: 42,
      proposal: 12,
      verdict: 'approved',
      justification: 'Checked the video.',
    });
    stop();
  });

  test('proposes a bound action with a justification', async () => {
    const { calls, stop } = await signedInAs('Zoé Martin', 'officer', {
      case_four_eyes: fourEyes([]),
      propose_action: { seq: 14 },
    });
    const panel = await screen.findByRole('region', { name: 'Four eyes' });
    await within(panel).findByTestId('bound');
    await fireEvent.change(within(panel).getByRole('combobox', { name: 'Action to propose' }), {
      target: { value: 'start_verification' },
    });
    await fireEvent.input(within(panel).getByRole('textbox', { name: /Justification/ }), {
      target: { value: 'New ID card arrived.' },
    });
    await fireEvent.click(within(panel).getByRole('button', { name: 'Propose' }));
    expect(await within(panel).findByRole('status')).toHaveTextContent('Proposal recorded at the hub');
    expect(calls.find((c) => c.command === 'propose_action')?.args).toEqual({
      user: 42,
      action: 'start_verification',
      justification: 'New ID card arrived.',
    });
    stop();
  });
});

import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';

import { backend, ipcError } from '../../test/fixtures';
import type { Decision } from '../api';
import DecisionsPanel from './DecisionsPanel.svelte';

const fiu: Decision = {
  seq: 9,
  author: 'Zoé Martin',
  written_at: '2025-05-03T11:50:00.000Z',
  decision: 'report_to_fiu',
  justification: 'Counterfeit document (2304), second attempt under another name.',
};

function region() {
  return screen.findByRole('region', { name: /Decisions/ });
}

describe('decisions', () => {
  test('lists each decision with its author, time and justification, an FIU report marked', async () => {
    backend({ case_decisions: [fiu] });
    render(DecisionsPanel, { user: 42 });
    const decision = await screen.findByTestId('decision');
    expect(decision).toHaveTextContent('Report to the FIU');
    expect(decision).toHaveTextContent('FIU report');
    expect(decision).toHaveTextContent('Zoé Martin');
    expect(decision).toHaveTextContent('second attempt under another name');
  });

  test('records the chosen decision with its justification at the hub', async () => {
    let held: Decision[] = [];
    const calls = backend({
      case_decisions: () => held,
      record_decision: (args: Record<string, unknown>) => {
        held = [{ ...fiu, seq: 10, author: 'Sam', decision: 'escalate', justification: args.justification as string }];
        return { seq: 10 };
      },
    });
    render(DecisionsPanel, { user: 42 });
    const panel = await region();
    await within(panel).findByText('No decision on this case yet.');
    const record = within(panel).getByRole('button', { name: 'Record the decision' });
    expect(record).toBeDisabled();
    await fireEvent.change(within(panel).getByRole('combobox', { name: 'Decision' }), {
      target: { value: 'escalate' },
    });
    await fireEvent.input(within(panel).getByRole('textbox', { name: /Justification/ }), {
      target: { value: 'Needs a senior: second refusal.' },
    });
    await fireEvent.click(record);
    expect(await within(panel).findByTestId('decision')).toHaveTextContent('Escalate to a senior');
    expect(calls.find((c) => c.command === 'record_decision')?.args).toEqual({
      user: 42,
      decision: 'escalate',
      justification: 'Needs a senior: second refusal.',
    });
  });

  test('a case a colleague holds: the decisions show, recording one says who holds it', async () => {
    const calls = backend({ case_decisions: [fiu], record_decision: { seq: 11 } });
    render(DecisionsPanel, { user: 42, heldBy: 'Sam Petit' });
    const panel = await region();
    await within(panel).findByTestId('decision');
    await fireEvent.input(within(panel).getByRole('textbox', { name: /Justification/ }), {
      target: { value: 'Needs a senior.' },
    });
    const record = within(panel).getByRole('button', { name: 'Record the decision' });
    expect(record).toBeDisabled();
    expect(within(panel).getByTestId('held')).toHaveTextContent('Held by Sam Petit');
    await fireEvent.click(record);
    expect(calls.map((c) => c.command)).not.toContain('record_decision');
  });

  test('keeps the text and says why when four eyes refuses to close', async () => {
    backend({
      case_decisions: [],
      record_decision: () => {
        throw ipcError('needs_approval', {
          kind: 'needs_approval',
          action: 'close_accepted',
          user: 42,
          proposal: null,
          proposer: null,
        });
      },
    });
    render(DecisionsPanel, { user: 42 });
    const panel = await region();
    await fireEvent.change(within(panel).getByRole('combobox', { name: 'Decision' }), {
      target: { value: 'close_accepted' },
    });
    const box = within(panel).getByRole('textbox', { name: /Justification/ });
    await fireEvent.input(box, { target: { value: 'All documents valid.' } });
    await fireEvent.click(within(panel).getByRole('button', { name: 'Record the decision' }));
    expect(await within(panel).findByRole('alert')).toHaveTextContent(
      /^Closing as accepted on user 42 needs a second officer/,
    );
    expect(box).toHaveValue('All documents valid.');
  });
});

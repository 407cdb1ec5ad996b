import { emit } from '@tauri-apps/api/event';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';

import { backend, queueRow } from '../../test/fixtures';
import type { QueueQuery, StateCounts } from '../api';
import { live } from '../live.svelte';
import { STATE_ORDER } from '../status';
import QueuePane from './QueuePane.svelte';

function counts(total: number, refused = 0): StateCounts {
  return {
    states: STATE_ORDER.map((s) => [s, s === 'refused' ? refused : s === 'processing' ? total - refused : 0]),
    total,
  };
}

const rows = [
  queueRow(11, { display_name: 'Zoé Lefèvre', state: 'refused', score: 0, reasons: ['1301', '2301'], aml_flagged: true }),
  queueRow(12, { display_name: 'Hugo Martin' }),
  queueRow(13, { display_name: 'Anaïs Dubois' }),
];

function queries(calls: { command: string; args: Record<string, unknown> }[]): QueueQuery[] {
  return calls.filter((c) => c.command === 'queue_page').map((c) => c.args.query as QueueQuery);
}

describe('the queue', () => {
  test('shows each case with its state, score, reasons and AML badge', async () => {
    backend({ queue_page: { rows, next: null, previous: null, total: 3 }, queue_counts: counts(3, 1) });
    render(QueuePane, { opened: null, compact: false, onopen: () => {} });

    const row = (await screen.findByText('Zoé Lefèvre')).closest('[role=row]') as HTMLElement;
    expect(within(row).getByText('11')).toBeVisible();
    expect(within(row).getByText('Refused')).toBeVisible();
    expect(within(row).getByText('0')).toBeVisible();
    expect(within(row).getByText('1301 2301')).toBeVisible();
    expect(within(row).getByText('AML')).toBeVisible();
    expect(screen.getByRole('grid', { name: 'Cases' })).toHaveAttribute('aria-rowcount', '4');
    expect(await screen.findByText('3 cases')).toBeVisible();
  });

  test('shows when each case is due and sorts by it, late first', async () => {
    const soon = new Date(Date.now() + 12 * 60_000 + 30_000).toISOString();
    const past = new Date(Date.now() - 3 * 3_600_000 - 30_000).toISOString();
    const due = [
      queueRow(21, { display_name: 'Late Lina', state: 'validated', due_at: past }),
      queueRow(22, { display_name: 'Soon Sami', state: 'link_issued', due_at: soon }),
      queueRow(23, { display_name: 'Done Dana', state: 'review_validated' }),
    ];
    const calls = backend({ queue_page: { rows: due, next: null, previous: null, total: 3 }, queue_counts: counts(3) });
    render(QueuePane, { opened: null, compact: false, onopen: () => {} });

    const row = async (name: string) => (await screen.findByText(name)).closest('[role=row]') as HTMLElement;
    expect(within(await row('Late Lina')).getByText('late by 3 h')).toBeVisible();
    expect(within(await row('Soon Sami')).getByText('due in 12 min')).toBeVisible();
    expect(within(await row('Done Dana')).queryByText(/due in|late by/)).toBeNull();

    await fireEvent.change(screen.getByRole('combobox', { name: 'Sort by' }), { target: { value: 'due:ascending' } });
    await waitFor(() => expect(queries(calls).at(-1)?.sort).toEqual({ key: 'due', direction: 'ascending' }));
  });

  test('asks for the counts only once the first page is answered', async () => {
    let answer: (page: unknown) => void = () => {};
    const page = new Promise((resolve) => (answer = resolve));
    const calls = backend({ queue_page: () => page, queue_counts: counts(3, 1) });
    render(QueuePane, { opened: null, compact: false, onopen: () => {} });

    await waitFor(() => expect(queries(calls)).toHaveLength(1));
    expect(calls.map((c) => c.command)).not.toContain('queue_counts');

    answer({ rows, next: null, previous: null, total: 3 });
    await waitFor(() => expect(calls.map((c) => c.command)).toContain('queue_counts'));
    expect(await screen.findByText('Zoé Lefèvre')).toBeVisible();
  });

  test('filters by state, with the count of each', async () => {
    const calls = backend({ queue_page: { rows, next: null, previous: null, total: 3 }, queue_counts: counts(3, 1) });
    render(QueuePane, { opened: null, compact: false, onopen: () => {} });

    const refused = await screen.findByRole('button', { name: /Refused\s*1/ });
    await fireEvent.click(refused);

    expect(refused).toHaveAttribute('aria-pressed', 'true');
    await waitFor(() => expect(queries(calls).at(-1)?.filter.states).toEqual(['refused']));
  });

  test('filters Mine and Unclaimed with the state filters, from buttons in the tab order', async () => {
    const calls = backend({ queue_page: { rows, next: null, previous: null, total: 3 }, queue_counts: counts(3, 1) });
    render(QueuePane, { opened: null, compact: false, onopen: () => {} });
    const group = await screen.findByRole('group', { name: 'Whose cases' });

    const mine = within(group).getByRole('button', { name: 'Mine' });
    expect(mine.tabIndex).toBe(0);
    await fireEvent.click(mine);
    await fireEvent.click(await screen.findByRole('button', { name: /Refused\s*1/ }));
    expect(mine).toHaveAttribute('aria-pressed', 'true');
    await waitFor(() => {
      const filter = queries(calls).at(-1)?.filter;
      expect([filter?.holding, filter?.states]).toEqual(['mine', ['refused']]);
    });
    expect(calls.filter((c) => c.command === 'queue_counts').at(-1)?.args.filter).toMatchObject({ holding: 'mine' });

    await fireEvent.click(within(group).getByRole('button', { name: 'Unclaimed' }));
    await waitFor(() => expect(queries(calls).at(-1)?.filter.holding).toBe('unclaimed'));
    await fireEvent.click(within(group).getByRole('button', { name: "Everyone's" }));
    await waitFor(() => expect(queries(calls).at(-1)?.filter.holding).toBeNull());
  });

  test('searches by name, email or id', async () => {
    const calls = backend({ queue_page: { rows, next: null, previous: null, total: 3 }, queue_counts: counts(3) });
    render(QueuePane, { opened: null, compact: false, onopen: () => {} });

    await fireEvent.input(screen.getByRole('searchbox'), { target: { value: ' zoé ' } });

    await waitFor(() => expect(queries(calls).at(-1)?.filter.search).toBe('zoé'));
  });

  test('moves with the arrow keys and opens with Enter', async () => {
    const opened: number[] = [];
    backend({ queue_page: { rows, next: null, previous: null, total: 3 }, queue_counts: counts(3) });
    render(QueuePane, { opened: null, compact: false, onopen: (user: number) => opened.push(user) });
    await screen.findByText('Hugo Martin');

    await fireEvent.keyDown(window, { key: 'ArrowDown' });
    await fireEvent.keyDown(window, { key: 'ArrowDown' });
    await waitFor(() => expect(screen.getByText('row 2', { exact: false })).toBeVisible());
    await fireEvent.keyDown(window, { key: 'Enter' });

    expect(opened).toEqual([12]);
    expect(screen.getByText('Hugo Martin').closest('[role=row]')).toHaveClass('cursor');
  });

  test('/ focuses the search', async () => {
    backend({ queue_page: { rows, next: null, previous: null, total: 3 }, queue_counts: counts(3) });
    render(QueuePane, { opened: null, compact: false, onopen: () => {} });
    await screen.findByText('Hugo Martin');

    await fireEvent.keyDown(window, { key: '/' });

    expect(screen.getByRole('searchbox')).toHaveFocus();
  });

  test('reads the rows again when the sync loop announces changes, keeping the cursor', async () => {
    let answer = { rows, next: null, previous: null, total: 3 };
    const calls = backend({ queue_page: () => answer, queue_counts: counts(3) });
    const stop = await live.start().catch(() => () => {});
    render(QueuePane, { opened: null, compact: false, onopen: () => {} });
    await screen.findByText('Hugo Martin');
    await fireEvent.keyDown(window, { key: 'ArrowDown' });
    await fireEvent.keyDown(window, { key: 'ArrowDown' });

    answer = { rows: [queueRow(14, { display_name: 'Léa Petit' }), ...rows], next: null, previous: null, total: 4 };
    await emit('desk://changed', { users: [14] });

    expect(await screen.findByText('Léa Petit')).toBeVisible();
    expect(screen.getByText('Hugo Martin').closest('[role=row]')).toHaveClass('cursor');
    expect(queries(calls).length).toBeGreaterThanOrEqual(2);
    stop();
  });

  test('with nothing matching, says how to widen the filters', async () => {
    backend({ queue_page: { rows: [], next: null, previous: null, total: 0 }, queue_counts: counts(0) });
    render(QueuePane, { opened: null, compact: false, onopen: () => {} });
    await fireEvent.click(screen.getByRole('checkbox', { name: 'AML-flagged only' }));

    expect(await screen.findByText('No case matches these filters.')).toBeVisible();
    expect(screen.getByRole('button', { name: 'Clear filters' })).toBeVisible();
  });
});

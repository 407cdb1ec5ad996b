import { emit } from '@tauri-apps/api/event';
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';

import { backend, refusedCase, ipcError } from '../../test/fixtures';
import type { Note } from '../api';
import { live } from '../live.svelte';
import CasePane from './CasePane.svelte';
import NotesPanel from './NotesPanel.svelte';

const first: Note = {
  seq: 7,
  author: 'Zoé Martin',
  written_at: '2025-05-03T11:50:00.000Z',
  text: 'Called back: the customer will retry tonight.\nKeep the case.',
};

function notesRegion() {
  return screen.findByRole('region', { name: /Team notes/ });
}

describe('team notes', () => {
  test('lists each note with its author, time and text, line breaks kept', async () => {
    const calls = backend({ case_notes: [first] });
    render(NotesPanel, { user: 42 });

    const note = await screen.findByTestId('note');
    expect(note).toHaveTextContent('Zoé Martin');
    expect(within(note).getByText(/Called back/)).toHaveTextContent(
      'Called back: the customer will retry tonight. Keep the case.',
    );
    expect(within(note).getByText(/Called back/).textContent).toContain('\n');
    expect(note.querySelector('time')).toHaveAttribute('datetime', first.written_at);
    expect(calls).toEqual([{ command: 'case_notes', args: { user: 42 } }]);
  });

  test('writes a note at the hub, empties the box only once the hub holds it, and shows it', async () => {
    let held: Note[] = [];
    const calls = backend({
      case_notes: () => held,
      write_note: (args: Record<string, unknown>) => {
        held = [{ ...first, seq: 8, author: 'Sam', text: args.text as string }];
        return { seq: 8 };
      },
    });
    render(NotesPanel, { user: 42 });
    const region = await notesRegion();
    expect(await within(region).findByText('No note on this case yet.')).toBeVisible();

    const add = within(region).getByRole('button', { name: 'Add note' });
    expect(add).toBeDisabled();
    const box = within(region).getByRole('textbox', { name: /New note/ });
    await fireEvent.input(box, { target: { value: 'Asked for a clearer passport scan.' } });
    await fireEvent.click(add);

    expect(await within(region).findByText('Asked for a clearer passport scan.')).toBeVisible();
    expect(within(region).getByTestId('note')).toHaveTextContent('Sam');
    expect(box).toHaveValue('');
    expect(within(region).getByRole('status')).toHaveTextContent('Recorded at the hub');
    expect(calls.find((c) => c.command === 'write_note')?.args).toEqual({
      user: 42,
      text: 'Asked for a clearer passport scan.',
    });
  });

  test("keeps the text and says why when the hub refuses or is away", async () => {
    backend({
      case_notes: [],
      write_note: () => {
        throw ipcError('hub_unreachable', {
          kind: 'hub',
          what: 'write_note',
          user: 42,
          cause: { problem: 'status', status: 503, detail: 'the hub did not answer' },
        });
      },
    });
    render(NotesPanel, { user: 42 });
    const region = await notesRegion();
    const box = within(region).getByRole('textbox', { name: /New note/ });
    await fireEvent.input(box, { target: { value: 'Do not lose me' } });
    await fireEvent.click(within(region).getByRole('button', { name: 'Add note' }));

    expect(await within(region).findByRole('alert')).toHaveTextContent(
      'Writing a note for user 42 was not recorded at the hub: the relay answered HTTP 503 (the hub did not answer). Nothing changed for the team; retry once the hub answers. Your text is kept above.',
    );
    expect(box).toHaveValue('Do not lose me');
  });

  test('refuses to send a note over the bound, and counts its characters', async () => {
    backend({ case_notes: [] });
    render(NotesPanel, { user: 42 });
    const region = await notesRegion();
    const box = within(region).getByRole('textbox', { name: /New note/ });
    await fireEvent.input(box, { target: { value: 'x'.repeat(4001) } });

    expect(within(region).getByText('4,001 / 4,000')).toHaveClass('over');
    expect(within(region).getByRole('button', { name: 'Add note' })).toBeDisabled();
  });

  test("reloads when the sync loop says the case changed (a colleague's note arrived)", async () => {
    let held: Note[] = [];
    const calls = backend({ case_notes: () => held });
    const stop = await live.start().catch(() => () => {});
    render(NotesPanel, { user: 42 });
    const region = await notesRegion();
    await within(region).findByText('No note on this case yet.');

    held = [first];
    await emit('desk://changed', { users: [42] });

    expect(await within(region).findByTestId('note', {}, { timeout: 2000 })).toHaveTextContent('Zoé Martin');
    expect(calls.filter((c) => c.command === 'case_notes')).toHaveLength(2);
    stop();
  });

  test('sits in the case apart from what the customer may be told', async () => {
    backend({ case_file: refusedCase(), case_notes: [first] });
    render(CasePane, { user: 42, onopen: () => {}, onclose: () => {} });

    const region = await notesRegion();
    expect(await within(region).findByTestId('note')).toHaveTextContent('Called back');
    const customer = screen.getByRole('region', { name: 'What the customer may be told' });
    expect(customer.textContent).not.toContain('Called back');
    expect(customer.contains(region)).toBe(false);
  });
});

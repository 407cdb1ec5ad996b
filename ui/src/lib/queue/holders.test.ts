import { emit } from '@tauri-apps/api/event';
import { render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';

import { backend, demoStatus, queueRow } from '../../test/fixtures';
import type { CaseClaim } from '../api';
import { live } from '../live.svelte';
import { STATE_ORDER } from '../status';
import QueuePane from './QueuePane.svelte';

const rows = [queueRow(11, { display_name: 'Zoé Lefèvre' }), queueRow(12, { display_name: 'Hugo Martin' }), queueRow(13)];

function claim(user: number, holder: string): CaseClaim {
  const at = '2025-05-03T11:00:00.000Z';
  return { user_id: user, holder, since: at, last_activity: at, lapses_at: '2025-05-03T15:00:00.000Z' };
}

function holderOf(name: string): HTMLElement {
  return within(screen.getByText(name).closest('[role=row]') as HTMLElement).getByTestId('holder');
}

describe('who holds each case in the queue', () => {
  test('names the holder of each case in view, "You" for the officer, and follows changes', async () => {
    const status = demoStatus();
    status.sync.signed_in = { name: 'Sam', role: 'officer' };
    let claims = [claim(11, 'Zoé Martin'), claim(12, 'Sam')];
    const calls = backend({
      app_status: status,
      queue_page: { rows, next: null, previous: null, total: 3 },
      queue_counts: { states: STATE_ORDER.map((s) => [s, s === 'processing' ? 3 : 0]), total: 3 },
      queue_claims: () => claims,
    });
    const stop = await live.start();
    render(QueuePane, { opened: null, compact: false, onopen: () => {} });

    expect(screen.getByRole('columnheader', { name: 'Held by' })).toBeVisible();
    await screen.findByText('Zoé Lefèvre');
    await waitFor(() => expect(holderOf('Zoé Lefèvre')).toHaveTextContent('Zoé Martin'));
    expect(holderOf('Hugo Martin')).toHaveTextContent('You');
    expect(holderOf('Customer 13').textContent).toBe('');
    expect(calls.find((c) => c.command === 'queue_claims')?.args).toEqual({ users: [11, 12, 13] });

    // A colleague releases: the hub's feed announces the case, and the queue reads claims again.
    claims = [claim(12, 'Sam')];
    await emit('desk://changed', { users: [11] });
    await waitFor(() => expect(holderOf('Zoé Lefèvre').textContent).toBe(''));
    stop();
  }, 20_000);
});

import { emit } from '@tauri-apps/api/event';
import { render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';

import { backend, demoStatus } from '../../test/fixtures';
import { live } from '../live.svelte';
import DemoBanner from './DemoBanner.svelte';
import StatusBar from './StatusBar.svelte';

describe('the status bar', () => {
  test('shows the relay, Treezor and the last sync, and follows the health events', async () => {
    backend({ app_status: demoStatus() });
    const stop = await live.start();
    render(StatusBar);

    expect(screen.getByTestId('relay-status')).toHaveTextContent('Relay connected · up to date');
    expect(screen.getByTestId('treezor-status')).toHaveTextContent('Treezor ready');
    expect(screen.getByText(/Officer/)).toHaveTextContent('officer.test');

    await emit('desk://health', {
      ...demoStatus().sync,
      connection: 'disconnected',
      last_error: 'The relay at http://127.0.0.1:4200 could not be reached.',
    });

    await waitFor(() =>
      expect(screen.getByTestId('relay-status')).toHaveTextContent(
        'Relay disconnected: The relay at http://127.0.0.1:4200 could not be reached.',
      ),
    );
    stop();
  });

  test('names the officer the hub signed in, and shows the hub\'s words when it revokes them', async () => {
    const status = demoStatus();
    status.sync.signed_in = { name: 'Zoé Martin', role: 'senior' };
    backend({ app_status: status });
    const stop = await live.start();
    render(StatusBar);

    expect(screen.getByTestId('officer')).toHaveTextContent('Signed in as Zoé Martin · senior');

    const revoked =
      'the relay refused the credential: the credential of Zoé Martin was revoked; ask the hub\'s administrator for a new one and enter it in Settings';
    await emit('desk://health', { ...status.sync, connection: 'disconnected', last_error: revoked, signed_in: null });

    await waitFor(() => expect(screen.getByTestId('relay-status')).toHaveTextContent(`Relay disconnected: ${revoked}`));
    expect(screen.getByTestId('officer')).toHaveTextContent('Officer officer.test');
    stop();
  });

  test('a lagging sync says how far behind it is', async () => {
    const status = demoStatus();
    status.sync.lag = 1250;
    backend({ app_status: status });
    const stop = await live.start();
    render(StatusBar);

    expect(screen.getByTestId('relay-status')).toHaveTextContent('catching up, 1,250 events behind');
    stop();
  });
});

describe('the demo banner', () => {
  test('says plainly that the data is a demo, and where to play the customer', async () => {
    backend({ app_status: demoStatus() });
    const stop = await live.start();
    render(DemoBanner);

    expect(screen.getByRole('note', { name: 'Demo mode' })).toHaveTextContent('no real customer');
    expect(screen.getByTestId('sandbox-url')).toHaveTextContent('http://127.0.0.1:4100/sandbox/');
    stop();
  });
});

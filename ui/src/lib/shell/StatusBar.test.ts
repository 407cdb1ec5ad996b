import { emit } from '@tauri-apps/api/event';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, test, vi } from 'vitest';

import { backend, demoStatus } from '../../test/fixtures';
import { live } from '../live.svelte';
import DemoBanner from './DemoBanner.svelte';
import SettingsRefused from './SettingsRefused.svelte';
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
      last_error: '(English for logs)',
      problem: { kind: 'relay', problem: { problem: 'unreachable', url: 'http://127.0.0.1:4200', detail: 'connection refused' } },
    });

    await waitFor(() =>
      expect(screen.getByTestId('relay-status')).toHaveTextContent(
        'Relay disconnected: the relay at http://127.0.0.1:4200 cannot be reached (connection refused).',
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

    // Worded from the hub's code and its parameters; its English message is for the logs.
    const said = 'the credential of Zoé Martin was revoked; ask the hub’s administrator for a new one and enter it in Settings';
    const revoked = `the relay refused the credential: ${said}`;
    await emit('desk://health', {
      ...status.sync,
      connection: 'disconnected',
      last_error: '(English for logs)',
      problem: {
        kind: 'relay',
        problem: {
          problem: 'refused',
          refusal: { refusal: 'credential_revoked', officer: 'Zoé Martin', on: null },
          message: '(English for logs)',
        },
      },
      signed_in: null,
    });

    await waitFor(() => expect(screen.getByTestId('relay-status')).toHaveTextContent(`Relay disconnected: ${revoked}`));
    expect(screen.getByTestId('officer')).toHaveTextContent('Officer officer.test');
    stop();
  });

  test('counts the late cases, and says nothing while none is late', async () => {
    const status = demoStatus();
    status.sync.late = 1200;
    backend({ app_status: status });
    const stop = await live.start();
    render(StatusBar);

    expect(screen.getByTestId('late-count')).toHaveTextContent('1,200 late');
    await emit('desk://health', { ...status.sync, late: 0 });
    await waitFor(() => expect(screen.queryByTestId('late-count')).toBeNull());
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

describe('a settings file refused at start', () => {
  test('says so above every screen, naming the field, and leads to the settings', async () => {
    const status = demoStatus();
    status.mode = { kind: 'live' };
    status.startup_problem = {
      kind: 'invalid_setting_in_file',
      path: '/home/o/.config/kyc-desk/settings.json',
      setting: 'relay_url',
      file_key: 'relay.url',
      problem: { problem: 'user_info' },
    };
    backend({ app_status: status });
    const stop = await live.start();
    const onopen = vi.fn();
    render(SettingsRefused, { onopen });

    const banner = screen.getByRole('alert', { name: 'Settings refused' });
    expect(banner).toHaveTextContent('NOT CONNECTED');
    expect(banner).toHaveTextContent('its relay URL ("relay.url") is not valid');
    expect(banner).toHaveTextContent('contacts neither Treezor nor the relay');
    await fireEvent.click(screen.getByRole('button', { name: 'Open Settings' }));
    expect(onopen).toHaveBeenCalledOnce();
    stop();
  });

  test('is not there when the settings were accepted', async () => {
    backend({ app_status: demoStatus() });
    const stop = await live.start();
    render(SettingsRefused, { onopen: () => {} });

    expect(screen.queryByRole('alert', { name: 'Settings refused' })).toBeNull();
    stop();
  });
});

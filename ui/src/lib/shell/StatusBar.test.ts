import { emit } from '@tauri-apps/api/event';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, test, vi } from 'vitest';

import { backend, demoStatus } from '../../test/fixtures';
import { clock } from '../clock.svelte';
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
      problem: { kind: 'relay', problem: { problem: 'unreachable', url: 'http://127.0.0.1:4200', transport: { fault: 'connection_failed', causes: 'connection refused' } } },
    });

    await waitFor(() =>
      expect(screen.getByTestId('relay-status')).toHaveTextContent(
        'Relay disconnected: the relay at http://127.0.0.1:4200 cannot be reached (the connection failed: connection refused).',
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

  test('with a late count and a notice, the connections keep their words; the times give way, whole in a tooltip', async () => {
    const status = demoStatus();
    status.sync.late = 12;
    backend({ app_status: status });
    const stop = await live.start();
    render(StatusBar);
    await emit('desk://notice', { verifications_processed: 3, review_decisions: 2 });

    const notice = await screen.findByText('3 verifications processed, 2 KYC review decisions');
    expect(screen.getByTestId('late-count')).toHaveTextContent('12 late');
    // Neither connection may be cut short: only an error's words give way.
    expect(screen.getByTestId('relay-status')).not.toHaveClass('shrinks');
    expect(screen.getByTestId('treezor-status')).not.toHaveClass('shrinks');
    const times = screen.getByTestId('last-event');
    expect(times).toHaveClass('gives-way');
    expect(times).toHaveAttribute('title', times.textContent);
    expect(notice.closest('[title]')).toHaveAttribute('title', '3 verifications processed, 2 KYC review decisions');

    await emit('desk://health', {
      ...status.sync,
      connection: 'disconnected',
      last_error: '(English for logs)',
      problem: { kind: 'relay', problem: { problem: 'unreachable', url: 'http://127.0.0.1:4200', transport: { fault: 'connection_failed', causes: 'connection refused' } } },
    });
    await waitFor(() => expect(screen.getByTestId('relay-status')).toHaveClass('shrinks'));
    stop();
  });

  test("reads the desk's clock: the offset the desk gives moves the window's times", async () => {
    const status = demoStatus();
    const justNow = new Date().toISOString();
    status.sync.last_event_at = justNow;
    status.sync.last_contact_at = justNow;
    backend({ app_status: status });
    const stop = await live.start();
    render(StatusBar);
    expect(screen.getByTestId('last-event')).toHaveTextContent('Last event just now');

    // The demo's sandbox moved three hours ahead: so did the desk, and so does the window.
    await emit('desk://health', { ...status.sync, clock_offset_ms: 3 * 3_600_000 });
    await waitFor(() => expect(screen.getByTestId('last-event')).toHaveTextContent('Last event 3 h ago'));
    await emit('desk://health', { ...status.sync, clock_offset_ms: 0 });
    await waitFor(() => expect(clock.read() - Date.now()).toBeLessThan(1_000));
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

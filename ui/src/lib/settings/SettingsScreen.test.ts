import { emit } from '@tauri-apps/api/event';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';

import { backend, demoStatus, ipcError } from '../../test/fixtures';
import type { SettingsInput, SettingsView, TeamRules } from '../api';
import { live } from '../live.svelte';
import SettingsScreen from './SettingsScreen.svelte';

/** The team's rules as a desk without a hub reads them: the Team section shows them read-only. */
const TEAM_RULES: TeamRules = {
  four_eyes: { request_review: 'aml_flagged', start_verification: 'aml_flagged', close_accepted: 'aml_flagged' },
  deadlines: [{ state: 'validated', seconds: 86400 }],
  read_only: { reason: 'no_hub' },
};

function demoView(saved = false): SettingsView {
  return {
    settings: { treezor: null, relay: null, download_dir: null, retention: { closed_case_days: 90 } },
    client_secret: saved ? { state: 'saved', origin: 'https://acme.api.treezor.com' } : { state: 'missing' },
    feed_token: saved ? { state: 'saved', origin: 'https://relay.acme.example' } : { state: 'missing' },
    keychain_problem: null,
  };
}

describe('settings', () => {
  test('saves the settings and sends the secrets to the keychain, never showing them back', async () => {
    let saved = false;
    const calls = backend({
      team_rules: TEAM_RULES,
      settings_view: () => demoView(saved),
      save_settings: () => {
        saved = true;
        return { restart_needed: true, outcome: 'restart_to_leave_demo', enter_again: [], message: '(English for logs)' };
      },
      app_status: null,
    });
    render(SettingsScreen);
    await screen.findByText('No client secret in the keychain.');

    await fireEvent.click(screen.getByLabelText('Production'));
    await fireEvent.input(screen.getByLabelText('Base URL'), { target: { value: 'https://acme.api.treezor.com' } });
    await fireEvent.input(screen.getByLabelText('Client id'), { target: { value: 'acme-client' } });
    await fireEvent.input(screen.getByLabelText(/Client secret/), { target: { value: 's3cret-value' } });
    await fireEvent.input(screen.getByLabelText('Relay URL'), { target: { value: 'https://relay.acme.example' } });
    await fireEvent.input(screen.getByLabelText(/Feed token/), { target: { value: 'feed-token-value' } });
    expect(screen.getByLabelText(/Days a case stays closed/)).toHaveValue(90);
    await fireEvent.input(screen.getByLabelText(/Days a case stays closed/), { target: { value: '30' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));

    expect(await screen.findByText(/Restart KYC Desk to leave the demo/)).toBeVisible();
    const input = calls.find((c) => c.command === 'save_settings')?.args.input as SettingsInput;
    expect(input).toEqual({
      settings: {
        treezor: {
          environment: 'production',
          base_url: 'https://acme.api.treezor.com',
          client_id: 'acme-client',
          scopes: [],
          client_certificate: null,
          client_key: null,
          extra_ca: null,
        },
        relay: { url: 'https://relay.acme.example' },
        download_dir: null,
        retention: { closed_case_days: 30 },
      },
      client_secret: 's3cret-value',
      feed_token: 'feed-token-value',
    });
    await waitFor(() =>
      expect(screen.getByText('✓ A client secret is saved in the keychain, for https://acme.api.treezor.com.')).toBeVisible(),
    );
    expect(screen.getByLabelText(/Client secret/)).toHaveValue('');
    expect(document.body.textContent).not.toContain('s3cret-value');
  });

  test("leaves a saved secret alone when its field is left empty", async () => {
    const calls = backend({
      team_rules: TEAM_RULES,
      settings_view: demoView(true),
      save_settings: { restart_needed: false, outcome: 'saved', enter_again: [], message: '(English for logs)' },
      app_status: null,
    });
    render(SettingsScreen);
    await screen.findByText('✓ A feed token is saved in the keychain, for https://relay.acme.example.');

    await fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));

    await screen.findByText('Settings saved.');
    const input = calls.find((c) => c.command === 'save_settings')?.args.input as SettingsInput;
    expect(input.client_secret).toBeNull();
    expect(input.feed_token).toBeNull();
  });

  test('a connection test says which step worked and which did not', async () => {
    backend({
      team_rules: TEAM_RULES,
      settings_view: demoView(),
      check_relay: {
        ok: false,
        steps: [
          { step: 'settings', ok: true, found: { found: 'relay_at', url: 'https://relay.acme.example' }, detail: '' },
          {
            step: 'feed_token',
            ok: false,
            found: { found: 'secret_missing', secret: 'relay_feed_token' },
            detail: '(English for logs)',
          },
        ],
      },
    });
    render(SettingsScreen);

    await fireEvent.click(screen.getByRole('button', { name: 'Test relay connection' }));

    const result = await screen.findByRole('status', { name: 'Relay check' });
    await waitFor(() => expect(result).toHaveTextContent('Relay: a step failed.'));
    const [settings, token] = within(result).getAllByRole('listitem');
    expect(settings).toHaveTextContent('Settings worked: https://relay.acme.example');
    expect(token).toHaveTextContent('Feed token failed: the relay feed token is not in the keychain: enter it and save');
  });

  test('says who the hub signs in with the saved credential, and where an officer credential goes', async () => {
    const status = { ...demoStatus(), mode: { kind: 'live' as const } };
    status.sync.signed_in = { name: 'Zoé Martin', role: 'senior' };
    backend({
      team_rules: TEAM_RULES, settings_view: demoView(true), app_status: status });
    const stop = await live.start();
    render(SettingsScreen);

    expect(screen.getByTestId('signed-in')).toHaveTextContent('The hub signs you in as Zoé Martin · senior');

    await emit('desk://health', { ...status.sync, signed_in: null });
    await waitFor(() =>
      expect(screen.getByTestId('signed-in')).toHaveTextContent('enter yours here instead of the shared feed token'),
    );
    stop();
  });

  test("an invalid setting is refused with the backend's words", async () => {
    backend({
      team_rules: TEAM_RULES,
      settings_view: demoView(),
      save_settings: () => {
        throw ipcError('invalid_setting', {
          kind: 'invalid_setting',
          setting: 'treezor_base_url',
          problem: { problem: 'not_https' },
        });
      },
    });
    render(SettingsScreen);
    await fireEvent.input(screen.getByLabelText('Base URL'), { target: { value: 'http://acme' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('it must start with https://');
  });

  test('a secret saved for another server than the URL names is asked for again', async () => {
    const view = demoView(true);
    view.settings.relay = { url: 'https://relay.other.example' };
    view.feed_token = { state: 'for_another_origin', origin: 'https://relay.acme.example' };
    backend({
      team_rules: TEAM_RULES, settings_view: view });
    render(SettingsScreen);

    const said = await screen.findByRole('alert');
    expect(said).toHaveTextContent(
      'The feed token in the keychain was entered for https://relay.acme.example, and the URL now points to another server, so it is not used there. Enter it again.',
    );
    expect(screen.getByLabelText(/Feed token/)).toHaveAttribute('placeholder', 'Enter it again for this URL');
    expect(screen.getByText(/A client secret is saved in the keychain/)).toBeVisible();
  });
});

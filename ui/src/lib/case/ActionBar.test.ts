import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';

import { backend, documentsReceivedCase, refusedCase } from '../../test/fixtures';
import type { CaseFile } from '../api';
import ActionBar from './ActionBar.svelte';
import CasePane from './CasePane.svelte';

const started = {
  user_id: 42,
  identification: 'idv-2',
  url: 'http://127.0.0.1:4100/verify/idv-2',
  issued_at: new Date().toISOString(),
  expires_at: new Date(Date.now() + 15 * 60 * 1000).toISOString(),
  liveness_type: 'video_certified',
};

function inProgress(): CaseFile {
  const file = refusedCase();
  file.detail.view.state = 'link_issued';
  file.actions[0] = {
    action: 'start_verification',
    permission: { verdict: 'needs_confirmation', why: 'replaces_verification_in_progress' },
    message: 'A verification is in progress for this user. Starting a new one replaces it.',
  };
  return file;
}

describe('starting a verification', () => {
  test('shows the link to send, with its copy button and its countdown', async () => {
    const calls = backend({ start_verification: started, copy_to_clipboard: null });
    render(ActionBar, { file: refusedCase() });

    await fireEvent.click(screen.getByRole('button', { name: /Start verification/ }));
    const dialog = screen.getByRole('dialog');
    await fireEvent.input(within(dialog).getByLabelText('Redirect URL (optional)'), {
      target: { value: ' https://bank.example/back ' },
    });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Start verification' }));

    expect(await within(dialog).findByTestId('identification-url')).toHaveTextContent(started.url);
    expect(dialog).toHaveTextContent(/Expires in 1[45]:\d\d/);
    expect(calls.find((c) => c.command === 'start_verification')?.args).toEqual({
      user: 42,
      redirectUrl: 'https://bank.example/back',
      confirmation: 'unconfirmed',
    });
    await fireEvent.click(within(dialog).getByRole('button', { name: /Copy/ }));
    expect(calls.at(-1)).toEqual({
      command: 'copy_to_clipboard',
      args: { what: { kind: 'verification_link', user: 42, identification: started.identification } },
    });
  });

  test("lists the attributes Treezor's 428 names", async () => {
    backend({
      start_verification: () => {
        throw {
          code: 'missing_attributes',
          message: 'Treezor refused to start a verification for user 42: the user has no birthday.',
          detail: { kind: 'missing_attributes', attributes: ['birthday'] },
        };
      },
    });
    render(ActionBar, { file: refusedCase() });

    await fireEvent.click(screen.getByRole('button', { name: /Start verification/ }));
    await fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Start verification' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('the user has no birthday');
    expect(within(alert).getByRole('listitem')).toHaveTextContent('birthday');
  });

  test('asks to confirm before replacing a verification in progress, and audits a refusal', async () => {
    const calls = backend({ start_verification: started, cancel_action: null });
    render(ActionBar, { file: inProgress() });

    await fireEvent.click(screen.getByRole('button', { name: /Start verification/ }));
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).getByRole('note')).toHaveTextContent('A verification is in progress');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(calls).toEqual([
      { command: 'cancel_action', args: { user: 42, action: 'start_verification' } },
    ]);

    await fireEvent.click(screen.getByRole('button', { name: /Start verification/ }));
    await fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Replace and start' }));
    expect(calls.at(-1)?.args.confirmation).toBe('confirmed');
  });
});

describe('requesting the review', () => {
  test('names the children without documents before asking to confirm', async () => {
    const file = documentsReceivedCase();
    file.detail.children = [
      { user_id: 43, display_name: 'Hugo Martin', profile: null, state: 'no_verification', documents: [] },
    ];
    const calls = backend({ request_review: { user_id: 42, children_without_documents: [] } });
    render(ActionBar, { file });

    await fireEvent.click(screen.getByRole('button', { name: /Request KYC review/ }));
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).getByRole('note')).toHaveTextContent('Hugo Martin (43)');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Request anyway' }));

    expect(calls).toEqual([{ command: 'request_review', args: { user: 42, confirmation: 'confirmed' } }]);
  });

  test('Ctrl+Enter offers the next step, and does it once confirmed', async () => {
    const calls = backend({ case_file: documentsReceivedCase(), request_review: { user_id: 42, children_without_documents: [] } });
    render(CasePane, { user: 42, onopen: () => {}, onclose: () => {} });
    const review = await screen.findByRole('button', { name: /Request KYC review/ });
    expect(review).toHaveClass('primary');

    await fireEvent.keyDown(window, { key: 'Enter', ctrlKey: true });
    const dialog = screen.getByRole('dialog', { name: 'Request the KYC review' });
    expect(calls.some((c) => c.command === 'request_review')).toBe(false);
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Request the review' }));

    expect(calls.at(-1)).toEqual({ command: 'request_review', args: { user: 42, confirmation: 'unconfirmed' } });
  });
});

describe('the audit trail', () => {
  test("exports the case's trail and says where", async () => {
    const calls = backend({ export_audit: { path: '/home/officer/Downloads/KYC Desk/audit/a.csv', entries: 4 } });
    render(ActionBar, { file: refusedCase() });

    await fireEvent.click(screen.getByRole('button', { name: 'CSV' }));

    expect(await screen.findByText(/Exported 4 audit entries to/)).toHaveTextContent('a.csv');
    expect(calls).toEqual([{ command: 'export_audit', args: { user: 42, format: 'csv' } }]);
  });
});

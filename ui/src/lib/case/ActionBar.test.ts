import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';

import { backend, documentsReceivedCase, refusedCase, ipcError } from '../../test/fixtures';
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

/** A refusal for shareable reasons only: no AML flag, so a new verification needs no confirmation. */
function shareableRefusal(): CaseFile {
  const file = refusedCase();
  file.detail.view.aml_flags = [];
  return file;
}

function inProgress(): CaseFile {
  const file = shareableRefusal();
  file.detail.view.state = 'link_issued';
  file.actions[0] = {
    action: 'start_verification',
    permission: { verdict: 'needs_confirmation', why: ['replaces_verification_in_progress'] },
  };
  return file;
}

describe('starting a verification', () => {
  test('shows the link to send, with its copy button and when it expires', async () => {
    const calls = backend({ start_verification: started, copy_to_clipboard: null });
    render(ActionBar, { file: shareableRefusal(), onopen: () => {} });

    await fireEvent.click(screen.getByRole('button', { name: /Start verification/ }));
    const dialog = screen.getByRole('dialog');
    await fireEvent.input(within(dialog).getByLabelText('Redirect URL (optional)'), {
      target: { value: ' https://bank.example/back ' },
    });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Start verification' }));

    expect(await within(dialog).findByTestId('identification-url')).toHaveTextContent(started.url);
    expect(within(dialog).getByTestId('link-expiry')).toHaveTextContent(
      'expires about 15 minutes after the customer opens it',
    );
    expect(dialog).not.toHaveTextContent('SEPA');
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
        throw ipcError(
          'missing_attributes',
          { kind: 'missing_attributes', user: 42, missing: ['birthday'] },
          { kind: 'missing_attributes', attributes: ['birthday'] },
        );
      },
    });
    render(ActionBar, { file: shareableRefusal(), onopen: () => {} });

    await fireEvent.click(screen.getByRole('button', { name: /Start verification/ }));
    await fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Start verification' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('the user has no birthday');
    expect(within(alert).getByRole('listitem')).toHaveTextContent('birthday');
  });

  test('asks to confirm before replacing a verification in progress, and audits a refusal', async () => {
    const calls = backend({ start_verification: started, cancel_action: null });
    render(ActionBar, { file: inProgress(), onopen: () => {} });

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
    file.children_without_documents = [{ user_id: 43, display_name: 'Hugo Martin' }];
    file.actions[3] = {
      action: 'request_review',
      permission: { verdict: 'needs_confirmation', why: ['children_without_documents'] },
    };
    const calls = backend({ request_review: { user_id: 42, children_without_documents: [] } });
    render(ActionBar, { file, onopen: () => {} });

    await fireEvent.click(screen.getByRole('button', { name: /Request KYC review/ }));
    const dialog = screen.getByRole('dialog');
    expect(within(dialog).getByRole('note')).toHaveTextContent('Hugo Martin (43)');
    expect(within(dialog).getByRole('note')).toHaveTextContent('In most cases');
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

describe('an AML-flagged person', () => {
  test('a new verification asks to confirm, naming the flag with its date and codes', async () => {
    const file = refusedCase();
    file.actions[0] = {
      action: 'start_verification',
      permission: { verdict: 'needs_confirmation', why: ['aml_flagged'] },
    };
    const calls = backend({ start_verification: started, cancel_action: null });
    render(ActionBar, { file, onopen: () => {} });

    await fireEvent.click(screen.getByRole('button', { name: /Start verification/ }));
    const dialog = screen.getByRole('dialog');
    const note = within(dialog).getByRole('note');
    expect(note).toHaveTextContent('This person has an AML flag.');
    expect(within(note).getByRole('list', { name: 'AML flags' })).toHaveTextContent('idv-1');
    expect(within(note).getByRole('list', { name: 'AML flags' })).toHaveTextContent('codes 2301');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Start despite the AML flag' }));
    expect(calls.at(-1)).toEqual({
      command: 'start_verification',
      args: { user: 42, redirectUrl: null, confirmation: 'confirmed' },
    });
  });
});

describe('the Liveness method', () => {
  test('says Treezor requires a SEPA transfer into the wallet', async () => {
    backend({ start_verification: { ...started, liveness_type: 'liveness' } });
    render(ActionBar, { file: shareableRefusal(), onopen: () => {} });
    await fireEvent.click(screen.getByRole('button', { name: /Start verification/ }));
    await fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Start verification' }));
    expect(await screen.findByTestId('sepa-note')).toHaveTextContent(
      "Treezor requires a SEPA transfer into the customer's wallet as an extra validation step",
    );
  });
});

describe('businesses and their children', () => {
  test('a legal entity is not offered a live verification', () => {
    const file = documentsReceivedCase();
    file.legal_entity = true;
    backend({});
    render(ActionBar, { file, onopen: () => {} });
    expect(screen.queryByRole('button', { name: /Start verification/ })).toBeNull();
    expect(screen.queryByRole('button', { name: /Retrieve documents/ })).toBeNull();
    expect(screen.getByRole('button', { name: /Request KYC review/ })).toBeInTheDocument();
  });

  test('the review on a child warns that it usually goes on the parent and opens it', async () => {
    const file = documentsReceivedCase();
    file.detail.parent = {
      user_id: 7,
      display_name: 'Atelier Zoé SAS',
      profile: null,
      state: 'no_verification',
      documents: [],
    };
    file.actions[3] = {
      action: 'request_review',
      permission: { verdict: 'needs_confirmation', why: ['review_goes_on_parent'] },
    };
    const opened: number[] = [];
    const calls = backend({ cancel_action: null });
    render(ActionBar, { file, onopen: (user) => opened.push(user) });

    await fireEvent.click(screen.getByRole('button', { name: /Request KYC review/ }));
    const dialog = screen.getByRole('dialog');
    expect(dialog).toHaveTextContent('In most cases the KYC review is requested for the parent');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Open Atelier Zoé SAS' }));
    expect(opened).toEqual([7]);
    expect(calls).toEqual([{ command: 'cancel_action', args: { user: 42, action: 'request_review' } }]);
  });

  test('the review dialog names the empty profile fields first', async () => {
    const file = documentsReceivedCase();
    file.empty_profile_fields = ['phone', 'nationality'];
    backend({});
    render(ActionBar, { file, onopen: () => {} });
    await fireEvent.click(screen.getByRole('button', { name: /Request KYC review/ }));
    expect(screen.getByTestId('empty-fields')).toHaveTextContent("Empty in Treezor's profile: phone, nationality");
  });
});

describe('the audit trail', () => {
  test("exports the case's trail and says where", async () => {
    const calls = backend({ export_audit: { path: '/home/officer/Downloads/KYC Desk/audit/a.csv', entries: 4 } });
    render(ActionBar, { file: refusedCase(), onopen: () => {} });

    await fireEvent.click(screen.getByRole('button', { name: 'CSV' }));

    expect(await screen.findByText(/Exported 4 audit entries to/)).toHaveTextContent('a.csv');
    expect(calls).toEqual([{ command: 'export_audit', args: { user: 42, format: 'csv' } }]);
  });
});

describe('a case a colleague holds', () => {
  test('every action says who holds it and runs nothing', async () => {
    const calls = backend({ retrieve_documents: null });
    render(ActionBar, { file: shareableRefusal(), onopen: () => {}, heldBy: 'Sam Petit' });

    for (const name of [/Start verification/, /Retrieve documents/, /Request KYC review/]) {
      const button = screen.getByRole('button', { name });
      expect(button).toHaveAttribute('aria-disabled', 'true');
      expect(button).toHaveAttribute('title', 'Held by Sam Petit');
      await fireEvent.click(button);
    }
    expect(screen.getByText('Held by Sam Petit')).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(calls.map((c) => c.command)).not.toContain('retrieve_documents');
  });
});

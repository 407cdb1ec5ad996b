import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';

import { backend, documentsReceivedCase, refusedCase, ipcError } from '../../test/fixtures';
import type { CaseFile, DownloadProgress } from '../api';
import { localStorageKey } from '../paraglide/runtime.js';
import DocumentsPanel from './DocumentsPanel.svelte';

type Progress = { onmessage: (p: DownloadProgress) => void };

describe('documents', () => {
  test('downloads one with its progress and the 30-second window, then offers its folder', async () => {
    let send: (p: DownloadProgress) => void = () => {};
    let finish: (value: unknown) => void = () => {};
    const calls = backend({
      download_document: (args: Record<string, unknown>) => {
        send = (args.onProgress as Progress).onmessage;
        return new Promise((resolve) => (finish = resolve));
      },
      show_in_folder: null,
    });
    render(DocumentsPanel, { file: documentsReceivedCase() });

    const item = screen.getByText('Passport').closest('li') as HTMLElement;
    await fireEvent.click(within(item).getByRole('button', { name: 'Download' }));
    expect(within(item).getByRole('status')).toHaveTextContent(/Download URL valid 30 s: starting, 30 s left/);

    send({ document_id: 501, bytes: 0, total: 1000 });
    send({ document_id: 501, bytes: 400, total: 1000 });
    await Promise.resolve();
    expect(await within(item).findByRole('progressbar')).toHaveAttribute('aria-valuenow', '40');
    expect(within(item).getByRole('status')).toHaveTextContent(/First byte \d+\.\d s after asking for the URL: inside its 30-second window/);

    // The URL expired mid-way: the desk fetched a new one and started over.
    send({ document_id: 501, bytes: 0, total: 1000 });
    await Promise.resolve();
    expect(await within(item).findByText(/new URL fetched \(attempt 2\)/)).toBeVisible();

    finish({
      document_id: 501,
      user_id: 42,
      path: '/tmp/downloads/user-42/501.pdf',
      size: 1000,
      sha256: 'ab'.repeat(32),
      urls_asked: 2,
    });
    expect(await within(item).findByText('/tmp/downloads/user-42/501.pdf')).toBeVisible();
    expect(item).toHaveTextContent('2 download URLs were needed');
    await fireEvent.click(within(item).getByRole('button', { name: 'Show in folder' }));
    expect(calls.map((c) => c.command)).toEqual(['download_document', 'show_in_folder']);
    expect(calls[1].args).toEqual({ user: 42, document: 501 });
  });

  test("says why a download failed, in the backend's words", async () => {
    backend({
      download_document: () => {
        throw ipcError('treezor_refused', {
          kind: 'treezor_refusal',
          call: 'GET /v1/documents/501/download',
          status: 501,
          problem: { problem: 'download_not_enabled' },
          message: 'Not Implemented',
          code: null,
          request_id: 'req-1',
        });
      },
    });
    render(DocumentsPanel, { file: documentsReceivedCase() });

    await fireEvent.click(screen.getAllByRole('button', { name: 'Download' })[0]);

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('not enabled for this Treezor account');
    // Treezor's own words stay as Treezor wrote them.
    expect(alert).toHaveTextContent('Treezor said: Not Implemented [requestId req-1]');
  });

  test('while documents are awaited, names them and checks Treezor\'s list on demand', async () => {
    const file = documentsReceivedCase();
    file.detail.view.state = 'documents_requested';
    file.detail.view.awaited = [{ kind: 'document', document: 503, document_type: 9 }];
    file.detail.view.documents = [
      { document: 502, document_type: 34, created_at: '2025-05-03T11:50:00.000Z', source: 'listing', taken_at: '2025-05-03T11:52:00.000Z' },
    ];
    const calls = backend({
      check_documents: { user_id: 42, listed: 3, recovered: [503], awaited: [] },
    });
    render(DocumentsPanel, { file });

    const awaited = screen.getByTestId('awaited');
    expect(awaited).toHaveTextContent('Identity card #503: Treezor lists it, its document.create webhook has not come');
    const synthesis = screen.getByText('Certified liveness result').closest('li') as HTMLElement;
    expect(synthesis).toHaveTextContent("taken from Treezor's list: its webhook never came");
    await fireEvent.click(within(awaited).getByRole('button', { name: 'Check documents now' }));
    expect(calls).toEqual([{ command: 'check_documents', args: { user: 42 } }]);
    expect(await within(awaited).findByRole('status')).toHaveTextContent(
      'Treezor lists 3 documents; 1 taken from the list, their webhook never having come; every document is in.',
    );
  });

  test('View opens the document inside the window, and Save a copy there is the download', async () => {
    const calls = backend({
      view_document: new Uint8Array([0xff, 0xd8, 0xff, 0xe0]).buffer,
      identity_check: { read: false, identification: null, fields: [] },
      download_document: () => ({
        document_id: 501,
        user_id: 42,
        path: '/tmp/downloads/user-42/501.pdf',
        size: 1000,
        sha256: 'ab'.repeat(32),
        urls_asked: 1,
      }),
    });
    render(DocumentsPanel, { file: documentsReceivedCase() });

    const item = screen.getByText('Passport').closest('li') as HTMLElement;
    await fireEvent.click(within(item).getByRole('button', { name: 'View' }));
    const viewer = await screen.findByRole('dialog', { name: /Passport/ });
    expect(viewer).toHaveAttribute('data-document', '501');
    await fireEvent.click(within(viewer).getAllByRole('button', { name: 'Save a copy' })[0]);
    await waitFor(() =>
      expect(within(viewer).getByTestId('save-note')).toHaveTextContent(
        'A copy was saved: /tmp/downloads/user-42/501.pdf',
      ),
    );
    expect(calls.map((c) => c.command)).toContain('download_document');
    await fireEvent.click(within(viewer).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  test('a document listed before its document.create webhook is greyed out, and says it waits for the webhook', async () => {
    const calls = backend({});
    render(DocumentsPanel, { file: listedBeforeTheirWebhooks() });

    for (const name of ['Passport', 'Certified liveness result']) {
      const item = screen.getByText(name).closest('li') as HTMLElement;
      const why = within(item).getByText(
        'Waiting for Treezor to announce this document (webhook document.create); it can be viewed and downloaded once it has.',
      );
      for (const label of ['View', 'Download']) {
        const button = within(item).getByRole('button', { name: label });
        expect(button).toHaveAttribute('aria-disabled', 'true');
        expect(button).toHaveAccessibleDescription(why.textContent ?? '');
        expect(button).toHaveAttribute('title', why.textContent);
        await fireEvent.click(button);
      }
    }
    // Not the case's refusal, which would send the officer to retrieve the documents again.
    expect(document.body).not.toHaveTextContent(/Retrieve the documents/);
    expect(calls).toEqual([]);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  test('says so in French too', () => {
    localStorage.setItem(localStorageKey, 'fr');
    try {
      backend({});
      render(DocumentsPanel, { file: listedBeforeTheirWebhooks() });
      const item = screen.getByText('#501').closest('li') as HTMLElement;
      expect(within(item).getByRole('button', { name: 'Voir' })).toHaveAccessibleDescription(
        'En attente de l’annonce de ce document par Treezor (webhook document.create) ; il pourra être vu et téléchargé une fois annoncé.',
      );
    } finally {
      localStorage.removeItem(localStorageKey);
    }
  });

  test('a usable document has no such hint', () => {
    backend({});
    render(DocumentsPanel, { file: documentsReceivedCase() });

    const view = within(screen.getByText('Passport').closest('li') as HTMLElement).getByRole('button', { name: 'View' });
    expect(view).toHaveAttribute('aria-disabled', 'false');
    expect(view).not.toHaveAttribute('aria-describedby');
    expect(document.querySelector('[data-unusable]')).toBeNull();
  });

  test('with no document yet, says what to do', () => {
    backend({});
    render(DocumentsPanel, { file: refusedCase() });

    expect(screen.getByText(/No document has arrived for this user yet/)).toBeVisible();
  });
});

/** The documents were requested: Treezor lists two, and neither document.create webhook has come. */
function listedBeforeTheirWebhooks(): CaseFile {
  const file = documentsReceivedCase();
  file.detail.view.state = 'documents_requested';
  file.detail.view.documents = [];
  file.actions = file.actions.map((a) =>
    a.action === 'download_document' ? { ...a, permission: { verdict: 'not_allowed', why: 'no_documents' } } : a,
  );
  return file;
}

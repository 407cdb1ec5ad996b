import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';

import { NOW, backend } from '../../test/fixtures';
import type { LocalDocument, LocalFiles } from '../api';
import FilesScreen from './FilesScreen.svelte';

function doc(id: number, age: number, present = true): LocalDocument {
  return {
    document_id: id,
    user_id: 42,
    path: `/home/officer/Downloads/KYC Desk/user-42/${id}-passport.pdf`,
    size: 2 * 1024 * 1024,
    sha256: 'ab'.repeat(32),
    downloaded_at: NOW,
    age_days: age,
    present,
  };
}

function files(documents: LocalDocument[], interrupted: LocalFiles['interrupted'] = []): LocalFiles {
  return {
    documents,
    interrupted,
    download_dir: '/home/officer/Downloads/KYC Desk',
    retention_days: 90,
  };
}

describe('documents on this machine', () => {
  test('lists each download with its age and removes the chosen ones after a confirmation', async () => {
    let listed = files([doc(7, 0), doc(8, 45, false)]);
    const calls = backend({
      local_files: () => listed,
      purge_documents: () => {
        listed = files([doc(8, 45, false)]);
        return { removed: [doc(7, 0).path], already_gone: [], kept: [] };
      },
    });
    render(FilesScreen);

    const rows = await screen.findAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(within(rows[1]).getByText('7-passport.pdf')).toBeVisible();
    expect(within(rows[1]).getByText('today')).toBeVisible();
    expect(within(rows[2]).getByText('45 d')).toBeVisible();
    expect(within(rows[2]).getByText('Missing')).toBeVisible();
    expect(screen.getByRole('note')).toHaveTextContent('closed for more than 90 days');

    const remove = screen.getByRole('button', { name: 'Remove chosen (0)' });
    expect(remove).toBeDisabled();
    await fireEvent.click(screen.getByLabelText('Choose document 7'));
    await fireEvent.click(screen.getByRole('button', { name: 'Remove chosen (1)' }));

    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('Delete the chosen document from this computer?');
    expect(calls.some((c) => c.command === 'purge_documents')).toBe(false);
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Remove' }));

    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('1 removed.'));
    const purge = calls.find((c) => c.command === 'purge_documents');
    expect(purge?.args).toEqual({ request: { kind: 'documents', document_ids: [7] } });
    await waitFor(() => expect(screen.queryByText('7-passport.pdf')).toBeNull());
  });

  test('removes every download older than the days given, and cancelling removes nothing', async () => {
    const calls = backend({
      local_files: files([doc(7, 10), doc(8, 45), doc(9, 60)]),
      purge_documents: { removed: [], already_gone: [], kept: [[doc(9, 60).path, { why: 'changed' }]] },
    });
    render(FilesScreen);
    await screen.findByText('9-passport.pdf');

    await fireEvent.input(screen.getByRole('spinbutton'), { target: { value: '40' } });
    const older = screen.getByRole('button', { name: 'Remove those (2)' });
    await fireEvent.click(older);
    await fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Cancel' }));
    expect(calls.some((c) => c.command === 'purge_documents')).toBe(false);

    await fireEvent.click(older);
    await fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('0 removed, 1 kept.'));
    expect(screen.getByRole('status')).toHaveTextContent(
      '9-passport.pdf: its content changed since the download, so it is not the downloaded document any more',
    );
    expect(calls.find((c) => c.command === 'purge_documents')?.args).toEqual({
      request: { kind: 'older_than_days', days: 40 },
    });
  });

  test('reports downloads a crash cut short, and says so when nothing is downloaded', async () => {
    backend({
      local_files: files([], [{ user_id: 42, document_id: 7, started_at: NOW, partial_files_removed: 1 }]),
    });
    render(FilesScreen);
    expect(await screen.findByRole('alert')).toHaveTextContent('Downloads interrupted when KYC Desk last stopped.');
    expect(screen.getByRole('alert')).toHaveTextContent('1 partial file removed');
    expect(screen.getByText(/No document has been downloaded on this machine/)).toBeVisible();
  });

  test('a listing that fails says why and offers to try again', async () => {
    backend({});
    render(FilesScreen);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The documents could not be listed: The cache database failed (no answer for local_files in this test).');
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeVisible();
  });
});

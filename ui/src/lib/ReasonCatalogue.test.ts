import { mockIPC } from '@tauri-apps/api/mocks';
import { render, screen, within } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';

import { ipcError } from '../test/fixtures';
import type { CatalogueEntry } from './api';
import ReasonCatalogue from './ReasonCatalogue.svelte';

const entries: CatalogueEntry[] = [
  {
    code: 1301,
    message:
      'Applicant’s document video is too blurry (mostly due to too much movement but if this error persists the camera quality might be at fault)',
    family: 'capture',
    family_label: 'Capture quality',
    aml_sensitive: false,
  },
  {
    code: 2301,
    message: 'Applicant has submitted a counterfeit or falsification',
    family: 'fraud',
    family_label: 'Fraud suspicion',
    aml_sensitive: true,
  },
  {
    code: 2404,
    message: 'The applicant has recently performed a fraud attempt',
    family: 'prohibited_behaviour',
    family_label: 'Prohibited behaviour',
    aml_sensitive: true,
  },
];

function backendWith(catalogue: CatalogueEntry[]): string[] {
  const calls: string[] = [];
  mockIPC((command) => {
    calls.push(command);
    if (command === 'reason_catalogue') {
      return catalogue;
    }
    throw new Error(`unexpected command ${command}`);
  });
  return calls;
}

async function rowFor(code: number): Promise<HTMLElement> {
  const header = await screen.findByRole('rowheader', { name: String(code) });
  const row = header.closest('tr');
  if (!row) throw new Error(`no row holds code ${code}`);
  return row;
}

describe('the reason-code screen', () => {
  test('lists every code the backend gives, with its family and the guide message', async () => {
    const calls = backendWith(entries);
    render(ReasonCatalogue);

    const row = await rowFor(1301);
    expect(within(row).getByText('Capture quality')).toBeInTheDocument();
    expect(within(row).getByText(entries[0].message)).toBeInTheDocument();
    expect(screen.getAllByRole('row')).toHaveLength(1 + entries.length);
    expect(screen.getByText('3 codes ·', { exact: false })).toHaveTextContent(
      '3 codes · 2 AML-sensitive',
    );
    expect(calls).toEqual(['reason_catalogue']);
  });

  test('marks AML-sensitive codes, and only them, as not to be disclosed', async () => {
    backendWith(entries);
    render(ReasonCatalogue);

    for (const code of [2301, 2404]) {
      expect(within(await rowFor(code)).getByText('AML-sensitive — do not disclose')).toBeVisible();
    }
    const shareable = await rowFor(1301);
    expect(within(shareable).queryByText('AML-sensitive — do not disclose')).toBeNull();
    expect(within(shareable).getByText('May be explained to the customer')).toBeInTheDocument();
  });

  test("shows the backend's message when the catalogue cannot be read", async () => {
    mockIPC(() => {
      throw ipcError('cache', { kind: 'cache_failed', detail: 'disk I/O error' });
    });
    render(ReasonCatalogue);

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The cache database failed (disk I/O error).',
    );
    expect(screen.queryByRole('table')).toBeNull();
  });

  test('says it is loading until the backend answers', () => {
    mockIPC(() => new Promise(() => {}));
    render(ReasonCatalogue);

    expect(screen.getByRole('status')).toHaveTextContent('Loading the reason codes');
  });
});

import { mockIPC } from '@tauri-apps/api/mocks';
import { render, screen, within } from '@testing-library/svelte';
import { afterEach, expect, test } from 'vitest';

import type { CatalogueEntry } from './api';
import { localStorageKey } from './paraglide/runtime.js';
import ReasonCatalogue from './ReasonCatalogue.svelte';

afterEach(() => localStorage.removeItem(localStorageKey));

test("in French, Treezor's message stays verbatim with the officer's explanation in French beside it", async () => {
  localStorage.setItem(localStorageKey, 'fr');
  const entries: CatalogueEntry[] = [
    {
      code: 2202,
      message: 'Applicant presented the document on a screen',
      family: 'document_presentation',
      family_label: 'Document presentation',
      aml_sensitive: false,
    },
    {
      code: 2304,
      message: 'Applicant is not the rightful owner of the document',
      family: 'fraud',
      family_label: 'Fraud suspicion',
      aml_sensitive: true,
    },
  ];
  mockIPC((command) => {
    if (command === 'reason_catalogue') return entries;
    throw new Error(`unexpected command ${command}`);
  });
  render(ReasonCatalogue);

  expect(await screen.findByRole('heading', { name: 'Codes de refus' })).toBeVisible();
  expect(await screen.findByText(/^2 codes ·/)).toBeVisible();
  expect(screen.getByText('1 sensible LCB-FT')).toBeVisible();
  const row = screen.getByRole('rowheader', { name: '2304' }).closest('tr') as HTMLElement;
  expect(within(row).getByText('Applicant is not the rightful owner of the document')).toHaveAttribute('lang', 'en');
  expect(within(row).getByText('Le client n’est pas le titulaire légitime du document.')).toBeVisible();
  expect(within(row).getByText('Soupçon de fraude')).toBeVisible();
  expect(within(row).getByText('Sensible LCB-FT — ne pas divulguer')).toBeVisible();
});

import { afterEach, expect, test, vi } from 'vitest';

import { localStorageKey } from './paraglide/runtime.js';

afterEach(() => localStorage.removeItem(localStorageKey));

async function formatIn(language: 'fr' | 'en') {
  localStorage.setItem(localStorageKey, language);
  vi.resetModules();
  return import('./format');
}

test('dates, numbers, sizes and ages follow the window language', async () => {
  const fr = await formatIn('fr');
  expect(fr.formatDateTime('2025-05-03T12:05:09Z')).toMatch(/^03 mai 2025/);
  expect(fr.formatCount(1234567)).toBe('1\u202f234\u202f567');
  expect(fr.formatBytes(25 * 1024 * 1024)).toBe('25,0 Mio');
  expect(fr.formatAgo('2025-05-03T12:00:00Z', Date.parse('2025-05-03T12:12:00Z'))).toBe('il y a 12 min');
  expect(fr.formatSpan(5 * 24 * 3600 * 1000)).toBe('5 j');

  const en = await formatIn('en');
  expect(en.formatDateTime('2025-05-03T12:05:09Z')).toMatch(/^03 May 2025/);
  expect(en.formatCount(1234567)).toBe('1,234,567');
  expect(en.formatBytes(25 * 1024 * 1024)).toBe('25.0 MiB');
  expect(en.formatAgo('2025-05-03T12:00:00Z', Date.parse('2025-05-03T12:12:00Z'))).toBe('12 min ago');
});

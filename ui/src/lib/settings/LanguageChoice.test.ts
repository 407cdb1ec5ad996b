import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, expect, test, vi } from 'vitest';

import { localStorageKey } from '../paraglide/runtime.js';
import LanguageChoice from './LanguageChoice.svelte';

afterEach(() => {
  localStorage.removeItem(localStorageKey);
  vi.unstubAllGlobals();
});

test("follows the computer until the officer picks a language, which is kept and reloads the window", async () => {
  const reload = vi.fn();
  vi.stubGlobal('location', { ...window.location, reload, href: window.location.href });
  render(LanguageChoice);

  const system = screen.getByRole('radio', { name: /As the computer/ });
  expect(system).toBeChecked();
  await fireEvent.click(screen.getByRole('radio', { name: 'Français' }));
  expect(localStorage.getItem(localStorageKey)).toBe('fr');

  await fireEvent.click(screen.getByRole('radio', { name: /As the computer/ }));
  expect(localStorage.getItem(localStorageKey)).toBeNull();
  expect(reload).toHaveBeenCalled();
});

/**
 * The window's language: the officer's choice in Settings, else the computer's, else English
 * (the strategy is in `i18n.config.js`). Changing it reloads the window, so every screen, date and
 * number is rendered once in one language.
 */
import {
  baseLocale,
  getLocale,
  localStorageKey,
  locales,
  setLocale,
  type Locale,
} from '../paraglide/runtime.js';

export { m } from '../paraglide/messages.js';
export { getLocale, locales, type Locale };

/** What Settings offers: a language, or "as the computer". */
export type Preference = Locale | 'system';

function isLocale(value: string | null): value is Locale {
  return value !== null && (locales as readonly string[]).includes(value);
}

/** The officer's choice, or `system` when they made none. */
export function preference(): Preference {
  const saved = localStorage.getItem(localStorageKey);
  return isLocale(saved) ? saved : 'system';
}

/** The computer's language, when it is one of ours (`fr-BE` counts as French). */
export function systemLocale(): Locale {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const primary = tag.split(/[-_]/)[0].toLowerCase();
    if (isLocale(primary)) return primary;
  }
  return baseLocale;
}

/** Applies the officer's choice; the window reloads in that language. */
export function choose(choice: Preference): void {
  if (choice === 'system') {
    localStorage.removeItem(localStorageKey);
    window.location.reload();
  } else {
    void setLocale(choice);
  }
}

/** The tag `Intl` formats dates, times and numbers with. */
export function intlLocale(locale: Locale = getLocale()): string {
  return locale === 'fr' ? 'fr-FR' : 'en-GB';
}

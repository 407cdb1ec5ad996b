/**
 * The language the officer chose for one customer's text, kept per case on this computer. Without a
 * choice: the language the customer's profile suggests, else the officer's own.
 */
import type { Language } from '../api';
import { getLocale } from '../i18n/locale';

const key = (user: number) => `kyc-desk.customer-language.${user}`;

export function customerLanguage(user: number, suggested: Language | null): Language {
  const saved = localStorage.getItem(key(user));
  if (saved === 'fr' || saved === 'en') return saved;
  return suggested ?? getLocale();
}

export function chooseCustomerLanguage(user: number, language: Language): void {
  localStorage.setItem(key(user), language);
}

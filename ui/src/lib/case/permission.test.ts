import { afterEach, describe, expect, test, vi } from 'vitest';

import { documentsReceivedCase, refusedCase } from '../../test/fixtures';
import type { Permission } from '../bindings/Permission';
import { localStorageKey } from '../paraglide/runtime.js';

afterEach(() => localStorage.removeItem(localStorageKey));

/** The module as the window loads it in `language` (dates are formatted when it loads). */
async function wordsIn(language: 'fr' | 'en') {
  localStorage.setItem(localStorageKey, language);
  vi.resetModules();
  return { ...(await import('./permission')), ...(await import('../status')) };
}

describe('why an action is disabled, and what to confirm', () => {
  test('a refusal is worded in the window language from its typed name', async () => {
    const refused = { verdict: 'not_allowed', why: 'no_verification' } as const;
    const en = await wordsIn('en');
    expect(en.permissionWords(refused, refusedCase())).toBe(
      'There is no processed verification for this user. Start a verification first.',
    );
    const fr = await wordsIn('fr');
    expect(fr.permissionWords(refused, refusedCase())).toBe(
      'Cet utilisateur n’a aucune vérification traitée. Lancez d’abord une vérification.',
    );
    expect(fr.permissionWords({ verdict: 'allowed' }, refusedCase())).toBeNull();
  });

  test("a caution names what it is about in this case: the AML flag's codes, the children, the parent", async () => {
    const file = documentsReceivedCase();
    file.detail.view.aml_flags = [{ raised_at: '2025-05-03T11:45:00.000Z', identification: 'idv-1', codes: ['2301'] }];
    file.children_without_documents = [{ user_id: 43, display_name: 'Hugo Martin' }];
    file.detail.parent = { user_id: 7, display_name: 'Atelier Zoé SAS', profile: null, state: 'no_verification', documents: [] };
    const confirm: Permission = {
      verdict: 'needs_confirmation',
      why: ['aml_flagged', 'children_without_documents', 'review_goes_on_parent'],
    };

    const fr = (await wordsIn('fr')).permissionWords(confirm, file) ?? '';
    expect(fr).toContain('Cette personne fait l’objet d’un signalement LCB-FT');
    expect(fr).toContain('par l’identification idv-1 (codes 2301)');
    expect(fr).toContain('Sans documents : Hugo Martin (43).');
    expect(fr).toContain('Le parent est Atelier Zoé SAS (7).');

    const en = (await wordsIn('en')).permissionWords(confirm, file) ?? '';
    expect(en).toContain('by identification idv-1 (codes 2301).');
    expect(en).toContain('Without documents: Hugo Martin (43).');
    expect(en).toContain('The parent is Atelier Zoé SAS (7).');
  });
});

describe('where a case stands', () => {
  test('a legal entity waits for its people’s documents, then is ready for its review', async () => {
    const file = documentsReceivedCase();
    file.legal_entity = true;
    file.detail.view.state = 'no_verification';
    file.children_without_documents = [{ user_id: 43, display_name: 'Hugo Martin' }];
    const fr = await wordsIn('fr');
    expect(fr.caseStateWords(file)).toBe('Personne morale : en attente des documents de ses dirigeants et actionnaires');
    file.children_without_documents = [];
    expect(fr.caseStateWords(file)).toBe('Personne morale : prête pour sa revue KYC');
    const en = await wordsIn('en');
    expect(en.caseStateWords(file)).toBe('Legal entity: ready for its KYC review');
    file.legal_entity = false;
    file.detail.view.state = 'validated';
    expect(en.caseStateWords(file)).toBe('Validated: retrieve the documents');
  });
});

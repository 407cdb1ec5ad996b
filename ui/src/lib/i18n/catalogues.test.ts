import { describe, expect, test } from 'vitest';

import { catalogueProblems, LANGUAGES, readCatalogue } from '../../../catalogues.js';

// The guide's 30 codes: each has its explanation for the officer in every language.
const GUIDE_CODES = [
  1201, 1301, 1302, 1303, 1304, 1305, 1310, 1311, 1312, 1313, 1320, 1901, 1911, 2101, 2102, 2103, 2201,
  2202, 2301, 2302, 2303, 2304, 2305, 2306, 2307, 2399, 2401, 2402, 2403, 2404,
];

describe('the message catalogues', () => {
  test('hold the same messages with the same parameters in French and English', () => {
    expect(LANGUAGES).toEqual(['en', 'fr']);
    expect(catalogueProblems()).toEqual([]);
  });

  test('explain every reason code of the guide in both languages', () => {
    for (const language of LANGUAGES) {
      const catalogue = readCatalogue(language);
      for (const code of GUIDE_CODES) {
        expect(catalogue[`reason_${code}`], `${language} ${code}`).toEqual(expect.any(String));
      }
    }
  });

  test('a message missing in one language, or with other parameters, is named', () => {
    const en = { a: 'Hello {name}', b: 'Only in English', c: 'x' };
    const fr = { a: 'Bonjour {nom}', c: '' };
    expect(catalogueProblems({ en, fr })).toEqual([
      '"a" takes different parameters: en {name} vs fr {nom}',
      '"b" is missing from messages/fr.json',
      '"c" is empty in messages/fr.json',
    ]);
  });

  test('French is written in French: the texts differ from the English ones', () => {
    const en = readCatalogue('en');
    const fr = readCatalogue('fr');
    // Names of languages and words that are the same in both.
    const same = Object.keys(en).filter((key) => JSON.stringify(en[key]) === JSON.stringify(fr[key]));
    expect(same.sort()).toEqual([
      'case_aml_codes',
      'case_score',
      'catalogue_code',
      'catalogue_counts',
      'col_score',
      'col_type',
      'doc_unknown',
      'documents_url_left',
      'family_documents',
      'family_parent',
      'family_parent_role',
      'files_col_document',
      'files_count',
      'files_interrupted_document',
      'language_en',
      'language_fr',
      'notes_length',
      'settings_documents',
      'settings_production',
      'start_identification',
      'team_minutes',
      'timeline_identification',
      'timeline_score',
      'timeline_webhooks',
      'trail_intact',
      'user_type_other',
    ]);
  });
});

// Both catalogues must hold the same messages with the same parameters: a message missing in one
// language would silently show the other's words. Checked when Vite builds or serves the window
// (see vite.config.ts) and by Vitest (src/lib/i18n/catalogues.test.ts).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LANGUAGES = ['en', 'fr'];

/** The catalogue of `language`, as its file holds it. */
export function readCatalogue(language) {
  // Not `new URL(…, import.meta.url)`: Vite would take it for an asset to bundle.
  const path = join(dirname(fileURLToPath(import.meta.url)), 'messages', `${language}.json`);
  const { $schema: _schema, ...messages } = JSON.parse(readFileSync(path, 'utf8'));
  return messages;
}

/**
 * The names a generated binding's union holds (`src/lib/bindings/<type>.ts`): its `"tag": "name"`
 * members, or its string literals. What the backend can send, read from what Rust generated.
 */
export function bindingNames(type, tag) {
  const path = join(dirname(fileURLToPath(import.meta.url)), 'src', 'lib', 'bindings', `${type}.ts`);
  const text = readFileSync(path, 'utf8').replace(/\/\*\*[\s\S]*?\*\//g, '');
  const union = text.slice(text.indexOf('='));
  const pattern = tag ? new RegExp(`"${tag}": "(\\w+)"`, 'g') : /"(\w+)"/g;
  return [...union.matchAll(pattern)].map((found) => found[1]);
}

/** The `{name}` parameters and declared inputs of one message, sorted. */
export function parameters(message) {
  const found = new Set();
  const texts = [];
  if (typeof message === 'string') {
    texts.push(message);
  } else {
    for (const variant of message) {
      for (const declaration of variant.declarations ?? []) {
        const input = /^input (\w+)$/.exec(declaration);
        if (input) found.add(input[1]);
      }
      texts.push(...Object.values(variant.match ?? {}));
    }
  }
  for (const text of texts) {
    for (const [, name] of text.matchAll(/\{(\w+)\}/g)) found.add(name);
  }
  return [...found].sort();
}

/** What differs between the catalogues, in words; empty when they agree. */
export function catalogueProblems(catalogues = Object.fromEntries(LANGUAGES.map((l) => [l, readCatalogue(l)]))) {
  const problems = [];
  const keys = new Set(Object.values(catalogues).flatMap((c) => Object.keys(c)));
  for (const key of [...keys].sort()) {
    const present = LANGUAGES.filter((l) => key in catalogues[l]);
    for (const language of LANGUAGES) {
      if (!present.includes(language)) {
        problems.push(`"${key}" is missing from messages/${language}.json`);
      } else if (
        typeof catalogues[language][key] === 'string' &&
        catalogues[language][key].trim() === ''
      ) {
        problems.push(`"${key}" is empty in messages/${language}.json`);
      }
    }
    if (present.length === LANGUAGES.length) {
      const [first, ...others] = LANGUAGES.map((l) => parameters(catalogues[l][key]).join(', '));
      if (others.some((p) => p !== first)) {
        problems.push(
          `"${key}" takes different parameters: ${LANGUAGES.map((l) => `${l} {${parameters(catalogues[l][key]).join(', ')}}`).join(' vs ')}`,
        );
      }
    }
  }
  return problems;
}

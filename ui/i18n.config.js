// How the message catalogues (messages/en.json, messages/fr.json) are compiled into typed
// functions by Paraglide JS: one place, read by Vite (dev, build, Vitest) and by `npm run check`.
//
// Paraglide JS rather than svelte-i18n or i18next: those look messages up by string key at run
// time, so a missing key shows up in the window; Paraglide compiles each message to a typed
// function, so a missing key or a wrong parameter fails svelte-check, and unused messages are left
// out of the bundle.
//
// The language follows the officer's choice in Settings (kept in localStorage), else the
// computer's (navigator.languages, which WebKitGTK takes from the system locale), else English.
// The inlang plugin is loaded from node_modules, never from a CDN: builds work offline.

/** @type {import('@inlang/paraglide-js').CompilerOptions} */
export const compilerOptions = {
  project: './project.inlang',
  outdir: './src/lib/paraglide',
  strategy: ['localStorage', 'preferredLanguage', 'baseLocale'],
  localStorageKey: 'kyc-desk.language',
  emitTsDeclarations: true,
};

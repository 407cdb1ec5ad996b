/// <reference types="vitest/config" />
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig, type Plugin } from 'vite';

import { catalogueProblems } from './catalogues.js';
import { compilerOptions } from './i18n.config.js';

/** Stops a build or a dev server whose catalogues disagree (a message missing in one language). */
function completeCatalogues(): Plugin {
  return {
    name: 'kyc-desk-complete-catalogues',
    buildStart() {
      const problems = catalogueProblems();
      if (problems.length > 0) {
        this.error(`The message catalogues disagree:\n- ${problems.join('\n- ')}`);
      }
    },
  };
}

// The window loads `dist/` from inside the app binary (tauri.conf.json `frontendDist`), or this dev
// server (`devUrl`) when the binary is a plain `cargo build`.
export default defineConfig({
  plugins: [completeCatalogues(), paraglideVitePlugin(compilerOptions), svelte(), svelteTesting()],
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // WebKitGTK 2.40+ on Debian 12.
    target: 'safari16',
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test-setup.ts'],
    include: ['src/**/*.test.ts'],
    // Above the five seconds each `findBy…` may wait (test-setup.ts), so a state that never comes
    // fails with what was awaited rather than with the test's own timeout.
    testTimeout: 20000,
  },
});

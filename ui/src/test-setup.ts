import '@testing-library/jest-dom/vitest';
import { configure } from '@testing-library/svelte';
import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach } from 'vitest';

// `findBy…` and `waitFor` poll for the awaited state; one second was too short on a machine
// busy with other builds (two tests failed once there, then passed on an idle one). They still
// fail when the state never comes, only later.
configure({ asyncUtilTimeout: 5000 });

// jsdom has <dialog> but not its modal methods.
if (typeof HTMLDialogElement !== 'undefined' && !HTMLDialogElement.prototype.showModal) {
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    this.open = true;
  };
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    this.open = false;
  };
}

// jsdom lays nothing out, so it has no ResizeObserver (Svelte's size bindings use one).
if (typeof globalThis.ResizeObserver === 'undefined') {
  globalThis.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}

// jsdom keeps one window for a whole test file: drop each test's fake backend.
afterEach(() => {
  clearMocks();
});

import '@testing-library/jest-dom/vitest';
import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach } from 'vitest';

// jsdom keeps one window for a whole test file: drop each test's fake backend.
afterEach(() => {
  clearMocks();
});

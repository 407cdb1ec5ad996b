import { mockIPC } from '@tauri-apps/api/mocks';
import { describe, expect, test } from 'vitest';

import { ipcError } from '../test/fixtures';
import { DeskError, reasonCatalogue, toDeskError } from './api';

describe('backend errors', () => {
  test("keep the backend's code and word its words in the window's language", async () => {
    mockIPC(() => {
      throw ipcError('internal', { kind: 'internal', fault: { fault: 'cache_thread', detail: 'E42' } });
    });

    const failure = await reasonCatalogue().catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(DeskError);
    expect(failure).toMatchObject({
      code: 'internal',
      message: 'KYC Desk failed: the cache’s worker could not start (E42). Restart KYC Desk; if it happens again, report it.',
    });
  });

  test('a call refused before reaching a command is unreachable, with the reason', () => {
    const error = toDeskError('Command reason_catalogue not allowed by ACL');

    expect(error.code).toBe('unreachable');
    expect(error.message).toBe(
      'KYC Desk could not reach its backend: Command reason_catalogue not allowed by ACL',
    );
  });
});

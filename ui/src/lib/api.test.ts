import { mockIPC } from '@tauri-apps/api/mocks';
import { describe, expect, test } from 'vitest';

import { DeskError, reasonCatalogue, toDeskError } from './api';

describe('backend errors', () => {
  test("keep the backend's code and message", async () => {
    mockIPC(() => {
      throw { code: 'internal', message: 'Restart KYC Desk.' };
    });

    const failure = await reasonCatalogue().catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(DeskError);
    expect(failure).toMatchObject({ code: 'internal', message: 'Restart KYC Desk.' });
  });

  test('a call refused before reaching a command is unreachable, with the reason', () => {
    const error = toDeskError('Command reason_catalogue not allowed by ACL');

    expect(error.code).toBe('unreachable');
    expect(error.message).toBe(
      'KYC Desk could not reach its backend: Command reason_catalogue not allowed by ACL',
    );
  });
});

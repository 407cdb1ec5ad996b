import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';

import { backend, ipcError } from '../../test/fixtures';
import AuditTrailCheck from './AuditTrailCheck.svelte';

describe('verify audit trail', () => {
  test('says the trail is intact, with its number of entries', async () => {
    const calls = backend({
      verify_audit: { intact: true, entries: 12, broken_at: null, break_kind: null, cache_file: '/home/officer/.local/share/kyc-desk/cache.sqlite', problem: null, advice: null, hub: null },
    });
    render(AuditTrailCheck);
    await fireEvent.click(screen.getByRole('button', { name: 'Verify audit trail' }));

    expect(await screen.findByRole('status')).toHaveTextContent('Intact. 12 entries, each sealed and in place.');
    expect(calls.map((c) => c.command)).toEqual(['verify_audit']);
  });

  test('says where the trail breaks and what to do', async () => {
    backend({
      verify_audit: {
        intact: false,
        entries: 0,
        broken_at: 5,
        break_kind: 'removed',
        cache_file: '/home/officer/.local/share/kyc-desk/cache.sqlite',
        problem: '(English for logs)',
        advice: '(English for logs)',
        hub: null,
      },
    });
    render(AuditTrailCheck);
    await fireEvent.click(screen.getByRole('button', { name: 'Verify audit trail' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Broken at entry 5.');
    expect(alert).toHaveTextContent('Audit entry 5 was removed after it was written');
    expect(alert).toHaveTextContent('Keep the cache file /home/officer/.local/share/kyc-desk/cache.sqlite unchanged');
  });

  test("shows where the hub's team trail breaks beside the local verdict", async () => {
    backend({
      verify_audit: {
        intact: true,
        entries: 3,
        broken_at: null,
        break_kind: null,
        cache_file: '/home/officer/.local/share/kyc-desk/cache.sqlite',
        problem: null,
        advice: null,
        hub: {
          answered: true,
          intact: false,
          entries: 1,
          broken_at: 2,
          break_kind: 'altered',
          unreachable: null,
          problem: '(English for logs)',
        },
      },
    });
    render(AuditTrailCheck);
    await fireEvent.click(screen.getByRole('button', { name: 'Verify audit trail' }));

    expect(await screen.findByRole('status')).toHaveTextContent('Intact. 3 entries');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Team trail at the hub: broken at entry 2.');
    expect(alert).toHaveTextContent('This entry was altered');
  });

  test('a locked keychain is an error that says what to do, and can be retried', async () => {
    let locked = true;
    backend({
      verify_audit: () => {
        if (locked) {
          throw ipcError('keychain_locked', { kind: 'keychain_locked', secret: 'audit_anchor', operation: 'read' });
        }
        return { intact: true, entries: 1, broken_at: null, break_kind: null, cache_file: '/home/officer/.local/share/kyc-desk/cache.sqlite', problem: null, advice: null, hub: null };
      },
    });
    render(AuditTrailCheck);
    await fireEvent.click(screen.getByRole('button', { name: 'Verify audit trail' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Unlock your login keyring');
    locked = false;
    await fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Intact. 1 entry, each sealed and in place.');
  });
});

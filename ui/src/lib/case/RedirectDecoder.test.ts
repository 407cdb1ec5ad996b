import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, test } from 'vitest';

import { backend, ipcError } from '../../test/fixtures';
import RedirectDecoder from './RedirectDecoder.svelte';

describe('the redirect-URL decoder', () => {
  test('shows the id, the event explained and the response code', async () => {
    const calls = backend({
      decode_redirect: {
        query: { id: 'idv_123', event: 'capture_aborted', response_code: '61101' },
      },
    });
    render(RedirectDecoder);
    const url = 'https://bank.example/back?id=idv_123&event=identity_verification_capture_aborted&response_code=61101';

    await fireEvent.input(screen.getByLabelText('URL the customer was sent back to'), { target: { value: url } });
    await fireEvent.click(screen.getByRole('button', { name: 'Decode' }));

    const decoded = await screen.findByTestId('decoded-redirect');
    expect(decoded).toHaveTextContent('idv_123');
    expect(decoded).toHaveTextContent('identity_verification_capture_aborted');
    expect(decoded).toHaveTextContent('The customer left the verification before the end');
    expect(decoded).toHaveTextContent('61101');
    expect(decoded).toHaveTextContent('not a reason code');
    expect(calls).toEqual([{ command: 'decode_redirect', args: { url } }]);
  });

  test('says why a URL cannot be decoded', async () => {
    backend({
      decode_redirect: () => {
        throw ipcError('invalid_argument', { kind: 'not_a_redirect' });
      },
    });
    render(RedirectDecoder);
    await fireEvent.input(screen.getByLabelText('URL the customer was sent back to'), { target: { value: 'https://x' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Decode' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('it has none of id, event or response_code in its query');
  });
});

import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, test, vi } from 'vitest';

import { backend, document as storedDocument, ipcError } from '../../test/fixtures';
import type { IdentityCheck } from '../api';
import DocumentViewer from './DocumentViewer.svelte';

// jsdom decodes no picture and runs no pdf.js: both renderers are replaced by stand-ins that
// record what the viewer asks of them.
const picture = vi.hoisted(() => ({
  open: vi.fn(),
  draws: [] as number[],
  closed: 0,
}));
vi.mock('./picture', () => ({
  openPicture: (bytes: Uint8Array) => picture.open(bytes),
}));
const pdf = vi.hoisted(() => ({ renders: [] as { page: number; scale: number; rotation: number }[], destroyed: 0 }));
vi.mock('./pdf', () => ({
  openPdf: async () => ({
    pages: 20,
    pageSize: async () => ({ width: 794, height: 1123 }),
    render: async (page: number, _canvas: HTMLCanvasElement, scale: number, rotation: number) => {
      pdf.renders.push({ page, scale, rotation });
      return { width: 794 * scale, height: 1123 * scale };
    },
    destroy: async () => {
      pdf.destroyed += 1;
    },
  }),
}));

const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]).buffer;
const PDF = new TextEncoder().encode('%PDF-1.7\n').buffer;
const HEIC = new Uint8Array([0, 0, 0, 24, ...new TextEncoder().encode('ftypheic')]).buffer;

function identity(differs: boolean): IdentityCheck {
  return {
    read: true,
    identification: 'idv-7',
    fields: [
      { field: 'first_name', declared: 'Zoé', read: 'ZOE', agreement: 'same' },
      {
        field: 'last_name',
        declared: 'Lefèvre',
        read: differs ? 'LEFEBVRE' : 'LEFEVRE',
        agreement: differs ? 'differs' : 'same',
      },
      { field: 'birth_date', declared: '1990-04-12', read: '1990-04-12', agreement: 'same' },
    ],
  };
}

function viewer(props: { onsave?: () => Promise<string>; onclose?: () => void; type?: number } = {}) {
  const onclose = props.onclose ?? vi.fn();
  const onsave = props.onsave ?? vi.fn(async () => 'A copy was saved: /tmp/501.jpg');
  const result = render(DocumentViewer, {
    user: 42,
    document: storedDocument(501, props.type ?? 17),
    onsave,
    onclose,
  });
  const dialog = () => result.container.ownerDocument.querySelector('dialog.viewer') as HTMLDialogElement;
  return { ...result, dialog, onclose, onsave };
}

const key = (target: Element, key: string, more: Partial<KeyboardEventInit> = {}) =>
  fireEvent.keyDown(target, { key, ...more });

beforeEach(() => {
  picture.draws = [];
  picture.closed = 0;
  picture.open.mockImplementation(async () => ({
    natural: { width: 1011, height: 638 },
    draw: (_canvas: HTMLCanvasElement, rotation: number) => {
      picture.draws.push(rotation);
      return rotation % 180 ? { width: 638, height: 1011 } : { width: 1011, height: 638 };
    },
    close: () => {
      picture.closed += 1;
    },
  }));
  pdf.renders = [];
  pdf.destroyed = 0;
});

describe('the document viewer', () => {
  test('shows a picture with its natural size, zooms, fits, rotates, and lets it go on close', async () => {
    const calls = backend({ view_document: JPEG, identity_check: identity(false) });
    const { dialog, onclose, unmount } = viewer();

    await waitFor(() => expect(dialog().dataset.state).toBe('shown'));
    expect(calls.map((c) => c.command).sort()).toEqual(['identity_check', 'view_document']);
    expect(calls.find((c) => c.command === 'view_document')?.args).toEqual({ user: 42, document: 501 });
    const canvas = dialog().querySelector('canvas') as HTMLCanvasElement;
    expect(canvas.dataset.naturalWidth).toBe('1011');
    expect(canvas.dataset.naturalHeight).toBe('638');
    expect(dialog().dataset.fit).toBe('true');

    const fitted = Number(dialog().dataset.scale);
    await fireEvent.click(screen.getByRole('button', { name: 'Zoom in' }));
    expect(Number(dialog().dataset.scale)).toBeCloseTo(fitted * 1.25, 3);
    await key(dialog(), '+');
    expect(Number(dialog().dataset.scale)).toBeCloseTo(fitted * 1.25 * 1.25, 3);
    await key(dialog(), '-');
    await key(dialog(), '1');
    expect(dialog().dataset.scale).toBe('1.000');
    expect(screen.getByTestId('zoom')).toHaveTextContent('100%');
    await key(dialog(), '0');
    expect(dialog().dataset.fit).toBe('true');

    await key(dialog(), 'r');
    expect(dialog().dataset.rotation).toBe('90');
    await fireEvent.click(screen.getByRole('button', { name: 'Rotate counter-clockwise' }));
    await key(dialog(), 'R');
    expect(dialog().dataset.rotation).toBe('270');
    await waitFor(() => expect(picture.draws).toEqual([0, 90, 0, 270]));

    await key(dialog(), 'Escape');
    expect(onclose).toHaveBeenCalledTimes(1);
    unmount();
    expect(picture.closed).toBe(1);
  });

  test('pages through a PDF with the buttons and the keys', async () => {
    backend({ view_document: PDF, identity_check: identity(false) });
    const { dialog, unmount } = viewer({ type: 34 });

    await waitFor(() => expect(dialog().dataset.state).toBe('shown'));
    expect(screen.getByTestId('pages')).toHaveTextContent('Page 1 of 20');
    expect(dialog().dataset.pages).toBe('20');
    await key(dialog(), 'PageDown');
    await waitFor(() => expect(pdf.renders.at(-1)?.page).toBe(2));
    // Each page is drawn once, not again and again.
    expect(pdf.renders.filter((r) => r.page === 1).length).toBeLessThanOrEqual(2);
    await key(dialog(), 'n');
    expect(screen.getByTestId('pages')).toHaveTextContent('Page 3 of 20');
    await fireEvent.click(screen.getByRole('button', { name: 'Previous page' }));
    expect(dialog().dataset.page).toBe('2');
    await key(dialog(), 'End');
    expect(screen.getByTestId('pages')).toHaveTextContent('Page 20 of 20');
    expect(screen.getByRole('button', { name: 'Next page' })).toHaveAttribute('aria-disabled', 'true');
    await key(dialog(), 'Home');
    await key(dialog(), 'r');
    await waitFor(() => expect(pdf.renders.at(-1)).toMatchObject({ page: 1, rotation: 90 }));
    expect(pdf.renders.map((r) => r.page)).toContain(20);
    unmount();
    expect(pdf.destroyed).toBe(1);
  });

  test('sets the declared identity beside the one read, with the difference named', async () => {
    backend({ view_document: JPEG, identity_check: identity(true) });
    viewer();

    expect(await screen.findByTestId('identity-verdict')).toHaveTextContent('Differs: last name.');
    const row = document.querySelector('tr[data-field=last_name]') as HTMLElement;
    expect(row).toHaveClass('differs');
    expect(row).toHaveTextContent('Lefèvre');
    expect(row).toHaveTextContent('LEFEBVRE');
    expect(row).toHaveTextContent('differs');
    expect(document.querySelector('tr[data-field=first_name]')).toHaveClass('same');
  });

  test('says why a document is not shown, and still offers to save a copy', async () => {
    backend({
      view_document: () => {
        throw ipcError('not_viewable', {
          kind: 'not_viewable',
          document: 501,
          reason: { why: 'mismatch', by: 'name', claimed: 'pdf', found: 'png' },
        });
      },
      identity_check: identity(false),
    });
    const { dialog, onsave } = viewer();

    const problem = await screen.findByTestId('viewer-problem');
    expect(problem).toHaveTextContent('its bytes are a PNG picture');
    expect(dialog().dataset.state).toBe('failed');
    // Nothing to zoom, fit or turn: the view's tools are off and say why; saving still works.
    for (const name of ['Zoom out', 'Zoom in', 'Fit', '1:1', 'Rotate counter-clockwise', 'Rotate clockwise']) {
      const tool = screen.getByRole('button', { name });
      expect(tool).toBeDisabled();
      expect(tool).toHaveAttribute('title', 'Not available: this document is not shown (see why below)');
      expect(tool).toHaveAccessibleDescription(expect.stringContaining('its bytes are a PNG picture'));
    }
    expect(screen.getByRole('button', { name: 'Fit' })).not.toHaveClass('on');
    expect(screen.getByTestId('zoom')).not.toHaveTextContent('%');
    await key(dialog(), 's');
    expect(onsave).toHaveBeenCalledTimes(1);
    expect(await screen.findByTestId('save-note')).toHaveTextContent('A copy was saved: /tmp/501.jpg');
  });

  test('a picture the engine cannot decode is said to be so, HEIC by name', async () => {
    picture.open.mockImplementation(async () => {
      throw new DOMException('The source image could not be decoded.', 'InvalidStateError');
    });
    backend({ view_document: HEIC, identity_check: identity(false) });
    viewer();
    expect(await screen.findByTestId('viewer-problem')).toHaveTextContent(
      'does not decode HEIC pictures, or this one is damaged',
    );
  });

  test('lists its keys on ?', async () => {
    backend({ view_document: JPEG, identity_check: identity(false) });
    const { dialog } = viewer();
    await key(dialog(), '?');
    const keys = screen.getByRole('region', { name: 'Viewer keys' });
    expect(keys).toHaveTextContent('Rotate clockwise');
    expect(keys).toHaveTextContent('Page Down');
  });
});

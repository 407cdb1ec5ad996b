/**
 * A PDF rendered in the page by pdf.js, one page at a time on a canvas.
 *
 * Loaded only when a PDF is first opened, so the window starts without it. pdf.js parses in its
 * worker, a script of the app's own (`'self'` in the content security policy); the worker lives
 * as long as the window, so later documents open without starting it again. pdf.js is told not to
 * evaluate code (`isEvalSupported: false`: fonts are drawn from their outlines) and not to use
 * WebAssembly, so the policy needs neither `unsafe-eval` nor `wasm-unsafe-eval`; the bytes are
 * handed to it directly (no URL), and it fetches nothing (no font or colour-map URL is given:
 * standard fonts fall back to the system's).
 */
import { getDocument, GlobalWorkerOptions, PDFWorker, type PDFDocumentProxy } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

import { CANVAS, type Rotation, type Size } from './view';

let worker: PDFWorker | null = null;

function sharedWorker(): PDFWorker {
  if (!worker) {
    GlobalWorkerOptions.workerSrc = workerUrl;
    worker = new PDFWorker();
  }
  return worker;
}

/** PDF points (1/72 inch) to CSS pixels (1/96 inch): scale 1 is the page's printed size. */
const POINTS_TO_PIXELS = 96 / 72;

/** The largest canvas drawn, in pixels: beyond it the page is drawn coarser and scaled up. */
const MAX_CANVAS_PIXELS = 16_777_216;

export interface Pdf {
  readonly pages: number;
  /** A page's size at scale 1, turned by `rotation`. */
  pageSize(page: number, rotation: Rotation): Promise<Size>;
  /** Renders `page` on `canvas` at `scale`, turned by `rotation`; returns its size on screen. */
  render(page: number, canvas: HTMLCanvasElement, scale: number, rotation: Rotation): Promise<Size>;
  /** Releases the document in the page and in the worker. */
  destroy(): Promise<void>;
}

/** Opens `bytes` (they move to pdf.js's worker); rejects when they are not a readable PDF. */
export async function openPdf(bytes: Uint8Array): Promise<Pdf> {
  const task = getDocument({
    data: bytes,
    worker: sharedWorker(),
    isEvalSupported: false,
    useWasm: false,
    enableXfa: false,
    verbosity: 0,
  });
  let document: PDFDocumentProxy;
  try {
    document = await task.promise;
  } catch (reason) {
    await task.destroy();
    throw reason;
  }
  let rendering: { cancel(): void } | null = null;
  return {
    pages: document.numPages,
    async pageSize(page, rotation) {
      const proxy = await document.getPage(page);
      const viewport = proxy.getViewport({ scale: POINTS_TO_PIXELS, rotation });
      return { width: viewport.width, height: viewport.height };
    },
    async render(page, canvas, scale, rotation) {
      rendering?.cancel();
      const proxy = await document.getPage(page);
      const shown = proxy.getViewport({ scale: scale * POINTS_TO_PIXELS, rotation });
      const density = Math.min(
        window.devicePixelRatio || 1,
        Math.sqrt(MAX_CANVAS_PIXELS / Math.max(1, shown.width * shown.height)),
      );
      const drawn = proxy.getViewport({ scale: scale * POINTS_TO_PIXELS * density, rotation });
      // Drawn aside, then copied: the page on screen stays until the new one is ready.
      const scratch = canvas.ownerDocument.createElement('canvas');
      scratch.width = Math.floor(drawn.width);
      scratch.height = Math.floor(drawn.height);
      const task = proxy.render({ canvas: scratch, viewport: drawn });
      rendering = task;
      try {
        await task.promise;
        canvas.width = scratch.width;
        canvas.height = scratch.height;
        canvas.getContext('2d', CANVAS)?.drawImage(scratch, 0, 0);
      } finally {
        if (rendering === task) rendering = null;
        scratch.width = 0;
        scratch.height = 0;
      }
      return { width: shown.width, height: shown.height };
    },
    async destroy() {
      rendering?.cancel();
      await task.destroy();
    },
  };
}

/**
 * A picture decoded in memory (`createImageBitmap` on the bytes: no URL, no file) and drawn on a
 * canvas, turned by quarter turns. The canvas keeps the picture's own resolution and the page
 * scales it: zooming does not redraw.
 */
import { CANVAS, type Rotation, type Size } from './view';

export interface Picture {
  /** The picture's natural size, in pixels. */
  readonly natural: Size;
  /** Draws the picture on `canvas`, turned by `rotation`; returns the canvas's size. */
  draw(canvas: HTMLCanvasElement, rotation: Rotation): Size;
  /** Lets the decoded pixels go. */
  close(): void;
}

/** Decodes `bytes`; rejects when the engine cannot (a damaged picture, or HEIC on WebKitGTK). */
export async function openPicture(bytes: Uint8Array): Promise<Picture> {
  const bitmap = await createImageBitmap(new Blob([bytes as BlobPart]));
  return {
    natural: { width: bitmap.width, height: bitmap.height },
    draw(canvas, rotation) {
      const turned = rotation % 180 !== 0;
      canvas.width = turned ? bitmap.height : bitmap.width;
      canvas.height = turned ? bitmap.width : bitmap.height;
      const context = canvas.getContext('2d', CANVAS);
      if (context) {
        context.save();
        context.translate(canvas.width / 2, canvas.height / 2);
        context.rotate((rotation * Math.PI) / 180);
        context.drawImage(bitmap, -bitmap.width / 2, -bitmap.height / 2);
        context.restore();
      }
      return { width: canvas.width, height: canvas.height };
    },
    close() {
      bitmap.close();
    },
  };
}

/**
 * The document viewer's state and what each control and key does to it, with no DOM: zoom (fit
 * to the window, or a scale where 1 is the document's actual size), rotation by quarter turns,
 * and the page of a PDF.
 */

import { m } from '../i18n/locale';

/** What renders the bytes: pdf.js, or the engine's picture decoding. */
export type DocumentKind = 'pdf' | 'picture' | 'heic';

/**
 * Which renderer the bytes need. The backend has already refused anything that is not a PDF or a
 * JPEG, PNG, WebP or HEIC picture; this only picks the renderer, and names HEIC, which WebKitGTK
 * may not decode.
 */
export function kindOf(bytes: Uint8Array): DocumentKind {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (ascii(0, 5) === '%PDF-') return 'pdf';
  if (ascii(4, 8) === 'ftyp' && /^(heic|heix|hevc|hevx|heim|heis|mif1|msf1)$/.test(ascii(8, 12))) {
    return 'heic';
  }
  return 'picture';
}

export type Rotation = 0 | 90 | 180 | 270;

/**
 * The document's canvas stays in the CPU's memory, where pdf.js draws its pages (its `enableHWA`
 * is off): a document drawn once per page or turn gains nothing from a GPU canvas, and this way
 * costs no upload of each page and no read-back.
 */
export const CANVAS: CanvasRenderingContext2DSettings = { willReadFrequently: true };

export type Zoom = { fit: true } | { fit: false; scale: number };

export interface ViewState {
  zoom: Zoom;
  rotation: Rotation;
  /** The page shown, from 1. */
  page: number;
  pages: number;
}

export type ViewerCommand =
  | 'zoom_in'
  | 'zoom_out'
  | 'fit'
  | 'actual_size'
  | 'rotate_right'
  | 'rotate_left'
  | 'next_page'
  | 'previous_page'
  | 'first_page'
  | 'last_page'
  | 'save'
  | 'keys'
  | 'close';

export const ZOOM_STEP = 1.25;
export const MIN_SCALE = 0.1;
export const MAX_SCALE = 8;

export function initialView(pages = 1): ViewState {
  return { zoom: { fit: true }, rotation: 0, page: 1, pages: Math.max(1, pages) };
}

/** The scale shown: the fitting one, or the one chosen. */
export function scaleOf(state: ViewState, fitScale: number): number {
  return state.zoom.fit ? fitScale : state.zoom.scale;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/**
 * The state after `command`. `fitScale` is the scale at which the document fits the window now:
 * zooming from "fit" starts from it.
 */
export function apply(state: ViewState, command: ViewerCommand, fitScale: number): ViewState {
  const scale = scaleOf(state, fitScale);
  switch (command) {
    case 'zoom_in':
      return { ...state, zoom: { fit: false, scale: clamp(scale * ZOOM_STEP, MIN_SCALE, MAX_SCALE) } };
    case 'zoom_out':
      return { ...state, zoom: { fit: false, scale: clamp(scale / ZOOM_STEP, MIN_SCALE, MAX_SCALE) } };
    case 'fit':
      return { ...state, zoom: { fit: true } };
    case 'actual_size':
      return { ...state, zoom: { fit: false, scale: 1 } };
    case 'rotate_right':
      return { ...state, rotation: ((state.rotation + 90) % 360) as Rotation };
    case 'rotate_left':
      return { ...state, rotation: ((state.rotation + 270) % 360) as Rotation };
    case 'next_page':
      return { ...state, page: clamp(state.page + 1, 1, state.pages) };
    case 'previous_page':
      return { ...state, page: clamp(state.page - 1, 1, state.pages) };
    case 'first_page':
      return { ...state, page: 1 };
    case 'last_page':
      return { ...state, page: state.pages };
    default:
      return state;
  }
}

export interface Size {
  width: number;
  height: number;
}

/** A size turned by `rotation`. */
export function rotated(size: Size, rotation: Rotation): Size {
  return rotation % 180 === 0 ? size : { width: size.height, height: size.width };
}

/** The scale at which `natural`, turned by `rotation`, fits inside `box`. */
export function fitScale(natural: Size, rotation: Rotation, box: Size): number {
  const turned = rotated(natural, rotation);
  if (turned.width <= 0 || turned.height <= 0 || box.width <= 0 || box.height <= 0) return 1;
  return clamp(Math.min(box.width / turned.width, box.height / turned.height), MIN_SCALE, MAX_SCALE);
}

/**
 * The viewer's keys (as `KeyboardEvent.key` gives them), each with what it does: the viewer reads
 * its keys from here, and the `?` list and its own key list show them from here.
 */
export const VIEWER_KEYS: { keys: string[]; what: string; command: ViewerCommand }[] = [
  { keys: ['+', '='], what: m.viewer_key_zoom_in(), command: 'zoom_in' },
  { keys: ['-'], what: m.viewer_key_zoom_out(), command: 'zoom_out' },
  { keys: ['0'], what: m.viewer_key_fit(), command: 'fit' },
  { keys: ['1'], what: m.viewer_key_actual_size(), command: 'actual_size' },
  { keys: ['r'], what: m.viewer_key_rotate_right(), command: 'rotate_right' },
  { keys: ['R', 'l'], what: m.viewer_key_rotate_left(), command: 'rotate_left' },
  { keys: ['PageDown', 'n'], what: m.viewer_key_next_page(), command: 'next_page' },
  { keys: ['PageUp', 'p'], what: m.viewer_key_previous_page(), command: 'previous_page' },
  { keys: ['Home'], what: m.viewer_key_first_page(), command: 'first_page' },
  { keys: ['End'], what: m.viewer_key_last_page(), command: 'last_page' },
  { keys: ['s'], what: m.viewer_key_save(), command: 'save' },
  { keys: ['?'], what: m.viewer_key_keys(), command: 'keys' },
  { keys: ['Escape'], what: m.viewer_key_close(), command: 'close' },
];

/** How a key is written for the officer. */
export function keyLabel(key: string): string {
  return { PageDown: 'Page Down', PageUp: 'Page Up', Escape: 'Esc', R: 'Shift+R' }[key] ?? key;
}

/** The command a key press means in the viewer, if any. */
export function commandFor(
  event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'altKey' | 'metaKey'>,
): ViewerCommand | null {
  if (event.ctrlKey || event.altKey || event.metaKey) return null;
  return VIEWER_KEYS.find((line) => line.keys.includes(event.key))?.command ?? null;
}

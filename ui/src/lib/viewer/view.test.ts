import { describe, expect, test } from 'vitest';

import { apply, commandFor, fitScale, initialView, keyLabel, kindOf, MAX_SCALE, VIEWER_KEYS } from './view';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('the viewer’s controls', () => {
  test('the bytes pick the renderer', () => {
    expect(kindOf(bytes('%PDF-1.7\n'))).toBe('pdf');
    expect(kindOf(new Uint8Array([0, 0, 0, 24, ...bytes('ftypheic')]))).toBe('heic');
    expect(kindOf(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('picture');
    expect(kindOf(bytes('\x89PNG'))).toBe('picture');
  });

  test('zooming starts from the fitting scale, and fit and actual size set it', () => {
    const fit = 0.5;
    let view = apply(initialView(), 'zoom_in', fit);
    expect(view.zoom).toEqual({ fit: false, scale: 0.625 });
    view = apply(view, 'zoom_out', fit);
    expect(view.zoom).toEqual({ fit: false, scale: 0.5 });
    expect(apply(view, 'fit', fit).zoom).toEqual({ fit: true });
    expect(apply(view, 'actual_size', fit).zoom).toEqual({ fit: false, scale: 1 });
    let far = initialView();
    for (let i = 0; i < 40; i++) far = apply(far, 'zoom_in', fit);
    expect(far.zoom).toEqual({ fit: false, scale: MAX_SCALE });
  });

  test('rotation goes by quarter turns both ways', () => {
    let view = initialView();
    view = apply(view, 'rotate_right', 1);
    expect(view.rotation).toBe(90);
    view = apply(apply(apply(view, 'rotate_right', 1), 'rotate_right', 1), 'rotate_right', 1);
    expect(view.rotation).toBe(0);
    expect(apply(view, 'rotate_left', 1).rotation).toBe(270);
  });

  test('pages stay between the first and the last', () => {
    let view = initialView(20);
    view = apply(view, 'previous_page', 1);
    expect(view.page).toBe(1);
    view = apply(view, 'next_page', 1);
    expect(view.page).toBe(2);
    expect(apply(view, 'last_page', 1).page).toBe(20);
    expect(apply(apply(view, 'last_page', 1), 'next_page', 1).page).toBe(20);
    expect(apply(view, 'first_page', 1).page).toBe(1);
  });

  test('a turned document fits by its turned size', () => {
    const card = { width: 1000, height: 600 };
    expect(fitScale(card, 0, { width: 500, height: 600 })).toBe(0.5);
    expect(fitScale(card, 90, { width: 500, height: 600 })).toBe(0.6);
    expect(fitScale(card, 90, { width: 300, height: 1000 })).toBe(0.5);
    expect(fitScale(card, 0, { width: 0, height: 0 })).toBe(1);
  });

  test('each key has one command, and keys with a modifier belong to the window', () => {
    const press = (key: string, more: Partial<KeyboardEvent> = {}) =>
      commandFor({ key, ctrlKey: false, altKey: false, metaKey: false, ...more });
    expect(press('+')).toBe('zoom_in');
    expect(press('-')).toBe('zoom_out');
    expect(press('0')).toBe('fit');
    expect(press('1')).toBe('actual_size');
    expect(press('r')).toBe('rotate_right');
    expect(press('R')).toBe('rotate_left');
    expect(press('PageDown')).toBe('next_page');
    expect(press('PageUp')).toBe('previous_page');
    expect(press('End')).toBe('last_page');
    expect(press('s')).toBe('save');
    expect(press('Escape')).toBe('close');
    expect(press('x')).toBeNull();
    expect(press('r', { ctrlKey: true })).toBeNull();
    const all = VIEWER_KEYS.flatMap((line) => line.keys);
    expect(new Set(all).size).toBe(all.length);
    expect(keyLabel('R')).toBe('Shift+R');
  });
});

/**
 * The window's one way in to the backend. Every Tauri command is called from here, with the
 * payload types generated from the Rust declarations (`./bindings`, kept current by the Rust test
 * `the_ui_types_match_the_rust_types`). Components import these functions, never `invoke`.
 */
import { invoke } from '@tauri-apps/api/core';

import type { CatalogueEntry } from './bindings/CatalogueEntry';
import type { ErrorCode } from './bindings/ErrorCode';
import type { IpcError } from './bindings/IpcError';

export type { CatalogueEntry } from './bindings/CatalogueEntry';
export type { Family } from './bindings/Family';

/**
 * Why a backend call failed: one of the backend's codes, or `unreachable` when the call never got
 * to a command (not granted to this window, not registered, or no backend at all).
 */
export type DeskErrorCode = ErrorCode | 'unreachable';

/** A failed backend call. Switch on `code`; `message` is written for the officer. */
export class DeskError extends Error {
  readonly code: DeskErrorCode;

  constructor(code: DeskErrorCode, message: string) {
    super(message);
    this.name = 'DeskError';
    this.code = code;
  }
}

function isIpcError(value: unknown): value is IpcError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>).code === 'string' &&
    typeof (value as Record<string, unknown>).message === 'string'
  );
}

/** Turns whatever a rejected `invoke` gave into a {@link DeskError}. */
export function toDeskError(reason: unknown): DeskError {
  if (reason instanceof DeskError) {
    return reason;
  }
  if (isIpcError(reason)) {
    return new DeskError(reason.code, reason.message);
  }
  const detail = reason instanceof Error ? reason.message : String(reason);
  return new DeskError('unreachable', `KYC Desk could not reach its backend: ${detail}`);
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toDeskError(reason);
  }
}

/** The guide's 30 refusal reason codes, in its order. */
export function reasonCatalogue(): Promise<CatalogueEntry[]> {
  return call<CatalogueEntry[]>('reason_catalogue');
}

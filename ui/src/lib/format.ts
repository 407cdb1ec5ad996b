/**
 * Times, durations and sizes as the officer reads them, in the window's language (`Intl`, so
 * `03 May 2025, 14:05:09` in English and `03 mai 2025, 14:05:09` in French). Instants come from the
 * backend as RFC 3339 strings in UTC; the window shows them in the computer's time zone.
 */
import { intlLocale, m } from './i18n/locale';

const locale = intlLocale();

export function millis(instant: string): number {
  return Date.parse(instant);
}

const dateTime = new Intl.DateTimeFormat(locale, {
  day: '2-digit',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

const shortDateTime = new Intl.DateTimeFormat(locale, {
  day: '2-digit',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});

/** `03 May 2025, 14:05:09`. */
export function formatDateTime(instant: string): string {
  return dateTime.format(new Date(millis(instant)));
}

/** `03 May, 14:05`. */
export function formatShortDateTime(instant: string): string {
  return shortDateTime.format(new Date(millis(instant)));
}

/** A duration in its largest unit: `45 s`, `12 min`, `3 h`, `5 d`. */
export function formatSpan(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return m.unit_days({ count: Math.floor(hours / 24) });
}

/** How long ago `instant` was, as of `now`: `just now`, `12 min ago`. */
export function formatAgo(instant: string, now: number): string {
  const ms = now - millis(instant);
  if (ms < 10_000) return m.time_just_now();
  return m.time_ago({ span: formatSpan(ms) });
}

/** A countdown: `14:05` (minutes and seconds left), never negative. */
export function formatCountdown(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}

const oneDecimal = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** `512 KiB`, `25.0 MiB` (`25,0 Mio` in French). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return m.unit_bytes({ count: bytes });
  if (bytes < 1024 * 1024) return m.unit_kib({ count: Math.round(bytes / 1024) });
  return m.unit_mib({ count: oneDecimal.format(bytes / (1024 * 1024)) });
}

/** `1,000,000` (`1 000 000` in French). */
export function formatCount(n: number): string {
  return n.toLocaleString(locale);
}

/** Milliseconds as seconds with one decimal: `1.4` (`1,4` in French). */
export function formatSeconds(ms: number): string {
  return oneDecimal.format(ms / 1000);
}

/**
 * Times, durations and sizes as the officer reads them. Instants come from the backend as RFC 3339
 * strings in UTC; the window shows them in the computer's time zone.
 */

export function millis(instant: string): number {
  return Date.parse(instant);
}

const dateTime = new Intl.DateTimeFormat('en-GB', {
  day: '2-digit',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

const shortDateTime = new Intl.DateTimeFormat('en-GB', {
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
  return `${Math.floor(hours / 24)} d`;
}

/** How long ago `instant` was, as of `now`: `just now`, `12 min ago`. */
export function formatAgo(instant: string, now: number): string {
  const ms = now - millis(instant);
  if (ms < 10_000) return 'just now';
  return `${formatSpan(ms)} ago`;
}

/** A countdown: `14:05` (minutes and seconds left), never negative. */
export function formatCountdown(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}

/** `512 KiB`, `25.0 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** `1,000,000`. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-GB');
}

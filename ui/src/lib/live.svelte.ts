/**
 * What the backend announces, gathered once for the whole window: the sync health (for the status
 * bar, and the desk's clock, which the window's follows), the app status, and case changes, which
 * components subscribe to.
 *
 * Changes come in bursts (a feed page can touch hundreds of users), so subscribers hear of them at
 * most every `THROTTLE_MS`, with the union of the users that changed ("all" when any announcement
 * said to reload everything).
 */
import { appStatus, onChanged, onHealth, onNotice, toDeskError } from './api';
import type { AppStatus, SyncHealth } from './api';
import type { Notice } from './bindings/Notice';
import { clock } from './clock.svelte';
import { m } from './i18n/locale';

export const THROTTLE_MS = 400;

/** The users whose cases changed, or `all`. */
export type ChangedUsers = Set<number> | 'all';

type Listener = (changed: ChangedUsers) => void;

class Live {
  status = $state<AppStatus | null>(null);
  /** Why the status could not be read (the desk did not start, most likely). */
  problem = $state<string | null>(null);
  notices = $state<{ id: number; text: string }[]>([]);

  #listeners = new Set<Listener>();
  #pending: ChangedUsers | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #nextNotice = 1;
  /** Health events heard so far; a status read that started before one keeps the event's. */
  #healthSeen = 0;
  #lastHealth: SyncHealth | null = null;

  /** Starts listening; returns the function that stops. */
  async start(): Promise<() => void> {
    const stops = await Promise.all([
      onChanged((changed) => this.#changed(changed.users)),
      onHealth((health) => this.#health(health)),
      onNotice((notice) => this.#notice(notice)),
    ]);
    await this.reloadStatus();
    return () => {
      for (const stop of stops) stop();
      clearTimeout(this.#timer);
    };
  }

  async reloadStatus(): Promise<void> {
    const seen = this.#healthSeen;
    try {
      const status = await appStatus();
      // A health event may have overtaken the answer: the event is the newer.
      this.status =
        this.#healthSeen !== seen && this.#lastHealth ? { ...status, sync: this.#lastHealth } : status;
      clock.follow(this.status.sync.clock_offset_ms);
      this.problem = null;
    } catch (reason) {
      this.problem = toDeskError(reason).message;
    }
  }

  /** Hears of changed cases; returns the function that stops. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  #changed(users: number[]): void {
    if (users.length === 0 || this.#pending === 'all') {
      this.#pending = 'all';
    } else {
      this.#pending ??= new Set();
      for (const user of users) this.#pending.add(user);
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      const changed = this.#pending;
      this.#pending = null;
      if (changed === null) return;
      for (const listener of this.#listeners) listener(changed);
    }, THROTTLE_MS);
  }

  #health(health: SyncHealth): void {
    this.#healthSeen += 1;
    this.#lastHealth = health;
    clock.follow(health.clock_offset_ms);
    if (this.status) {
      this.status = { ...this.status, sync: health };
    }
  }

  #notice(notice: Notice): void {
    const parts: string[] = [];
    const n = notice.verifications_processed;
    const r = notice.review_decisions;
    if (n > 0) parts.push(m.notice_verifications({ count: n }));
    if (r > 0) parts.push(m.notice_reviews({ count: r }));
    if (parts.length === 0) return;
    const id = this.#nextNotice++;
    this.notices = [...this.notices.slice(-2), { id, text: parts.join(', ') }];
    setTimeout(() => this.dismiss(id), 6000);
  }
}

export const live = new Live();

/** Whether `changed` concerns `user`. */
export function concerns(changed: ChangedUsers, user: number): boolean {
  return changed === 'all' || changed.has(user);
}

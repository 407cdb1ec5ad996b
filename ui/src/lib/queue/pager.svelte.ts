/**
 * The queue's rows, paged forward by keyset and kept in a window of memory.
 *
 * The cache answers pages after an opaque cursor; it cannot say which row is number N without
 * walking there. So the pager remembers a *checkpoint* for every page it has passed (the cursor that
 * starts page k; a few dozen bytes each, so a million rows cost a few hundred KB) and keeps the rows
 * of only the pages near what the officer looks at. Scrolling back loads a page straight from its
 * checkpoint; scrolling to a place never visited pages forward from the nearest checkpoint before
 * it, dropping the rows it passes: a far jump costs a round trip per page on the way, so the
 * list shows where it is ("Paging to row …") until it gets there.
 *
 * Live changes re-read the pages in view from the first one's checkpoint, chained page to page, so
 * what is shown is always a contiguous run of the queue as it stands. When a page read again ends
 * somewhere else than before, the checkpoints after it no longer hold and are forgotten.
 *
 * What must stay true: one request at a time (each page depends on the one before); an answer for
 * an older filter or sort is dropped; the rows of at most `keepPages` pages are held.
 */
import type { QueueFilter, QueuePage, QueueQuery, QueueRow, Sort } from '../api';

export type FetchPage = (query: QueueQuery) => Promise<QueuePage>;

export interface PagerOptions {
  pageSize?: number;
  keepPages?: number;
}

export class QueuePager {
  readonly pageSize: number;
  readonly keepPages: number;

  /** Bumped whenever rows, checkpoints or the end change: readers depend on it. */
  revision = $state(0);
  /** How many rows the filter matches, from the counts (or the first page); `null` when unknown. */
  total = $state<number | null>(null);
  /** Pages are being read. */
  loading = $state(false);
  /** Rows passed while paging forward to reach a far position, for the progress line. */
  seeking = $state<{ from: number; to: number } | null>(null);
  /** Why the last read failed. */
  error = $state<string | null>(null);

  #fetch: FetchPage;
  #filter: QueueFilter;
  #sort: Sort;
  #generation = 0;
  /** `checkpoints[k]`: the cursor that starts page k (`null` for the first page). */
  #checkpoints: (string | null)[] = [null];
  #pages = new Map<number, QueueRow[]>();
  /** The index of the last page, once a page came back without a `next`. */
  #lastPage: number | null = null;
  #wanted = { first: 0, last: 0 };
  #refreshWanted = false;
  #running: Promise<void> | null = null;

  constructor(fetch: FetchPage, filter: QueueFilter, sort: Sort, options: PagerOptions = {}) {
    this.#fetch = fetch;
    this.#filter = filter;
    this.#sort = sort;
    // 500 rows a page: few enough to answer in milliseconds, many enough that paging forward to a
    // far row makes few round trips. Eight pages (4,000 rows) stay in memory.
    this.pageSize = options.pageSize ?? 500;
    this.keepPages = Math.max(3, options.keepPages ?? 8);
  }

  get filter(): QueueFilter {
    return this.#filter;
  }

  get sort(): Sort {
    return this.#sort;
  }

  /** Starts over with another filter or sort. */
  reset(filter: QueueFilter, sort: Sort): void {
    this.#generation += 1;
    this.#filter = filter;
    this.#sort = sort;
    this.#checkpoints = [null];
    this.#pages.clear();
    this.#lastPage = null;
    this.#refreshWanted = false;
    this.total = null;
    this.error = null;
    this.seeking = null;
    this.#wanted = { first: 0, last: 0 };
    this.revision += 1;
    this.#kick();
  }

  /**
   * The number of rows the list should be tall: exact once the end was seen, else the counts'
   * total, else what is known so far plus one page.
   */
  get rowCount(): number {
    void this.revision;
    if (this.#lastPage !== null) {
      return this.#lastPage * this.pageSize + (this.#pages.get(this.#lastPage)?.length ?? 0);
    }
    if (this.total !== null) {
      return this.total;
    }
    return (this.#checkpoints.length - 1) * this.pageSize + this.pageSize;
  }

  /** Whether the exact row count is known. */
  get exact(): boolean {
    void this.revision;
    return this.#lastPage !== null || this.total !== null;
  }

  /** The row at `index`, when its page is in memory. */
  rowAt(index: number): QueueRow | undefined {
    void this.revision;
    return this.#pages.get(Math.floor(index / this.pageSize))?.[index % this.pageSize];
  }

  /** Where `user` is among the rows in memory, or -1. */
  indexOf(user: number): number {
    void this.revision;
    for (const [page, rows] of this.#pages) {
      const at = rows.findIndex((row) => row.user_id === user);
      if (at >= 0) return page * this.pageSize + at;
    }
    return -1;
  }

  /** The rows from `first` to `last` (included) are on screen: load them, forget far ones. */
  want(first: number, last: number): void {
    const from = Math.max(0, Math.floor(first / this.pageSize));
    const to = Math.max(from, Math.floor(Math.max(first, last) / this.pageSize));
    if (from === this.#wanted.first && to === this.#wanted.last && this.#covered()) {
      return;
    }
    this.#wanted = { first: from, last: to };
    this.#kick();
  }

  /** The queue changed: read the pages in view again. */
  refresh(): void {
    this.#refreshWanted = true;
    this.#kick();
  }

  /** Resolves once every page asked for is in memory (or the reads failed). */
  async settled(): Promise<void> {
    while (this.#running) {
      await this.#running;
    }
  }

  #covered(): boolean {
    for (let k = this.#wanted.first; k <= this.#wanted.last; k++) {
      if (this.#lastPage !== null && k > this.#lastPage) break;
      if (!this.#pages.has(k)) return false;
    }
    return true;
  }

  #kick(): void {
    if (this.#running) return;
    this.#running = this.#run().finally(() => {
      this.#running = null;
      this.loading = false;
      this.seeking = null;
    });
  }

  async #run(): Promise<void> {
    this.loading = true;
    for (;;) {
      const generation = this.#generation;
      try {
        if (this.#refreshWanted) {
          this.#refreshWanted = false;
          await this.#reread(generation);
          continue;
        }
        const next = this.#nextToRead();
        if (next === null) return;
        await this.#read(next, generation);
      } catch (reason) {
        if (generation === this.#generation) {
          this.error = reason instanceof Error ? reason.message : String(reason);
          this.revision += 1;
        }
        return;
      }
    }
  }

  /** The page to read next: the first wanted page missing, or the checkpoint on the way to it. */
  #nextToRead(): number | null {
    for (let k = this.#wanted.first; k <= this.#wanted.last; k++) {
      if (this.#lastPage !== null && k > this.#lastPage) return null;
      if (this.#pages.has(k)) continue;
      if (k < this.#checkpoints.length) return k;
      // Not reached yet: page forward from the last checkpoint known.
      const from = this.#checkpoints.length - 1;
      this.seeking = { from: from * this.pageSize, to: k * this.pageSize };
      return from;
    }
    return null;
  }

  async #read(page: number, generation: number): Promise<void> {
    const answer = await this.#fetch(this.#query(this.#checkpoints[page] ?? null));
    if (generation !== this.#generation) return;
    this.error = null;
    this.#store(page, answer);
    this.#evict();
    this.revision += 1;
  }

  /** Reads the wanted pages again, chained from the first one's checkpoint. */
  async #reread(generation: number): Promise<void> {
    const first = this.#wanted.first;
    if (first >= this.#checkpoints.length) return;
    const last = Math.max(first, this.#wanted.last);
    const fresh = new Map<number, QueuePage>();
    let cursor = this.#checkpoints[first] ?? null;
    for (let k = first; k <= last; k++) {
      const answer = await this.#fetch(this.#query(cursor));
      if (generation !== this.#generation) return;
      fresh.set(k, answer);
      if (answer.next === null) break;
      cursor = answer.next;
    }
    this.error = null;
    // Pages after the re-read run were chained from rows that may have moved: read them again
    // when they are needed.
    for (const k of [...this.#pages.keys()]) {
      if (k > last) this.#pages.delete(k);
    }
    this.#lastPage = null;
    this.#checkpoints.length = Math.min(this.#checkpoints.length, first + 1);
    for (const [k, answer] of fresh) {
      this.#store(k, answer);
    }
    this.revision += 1;
  }

  #store(page: number, answer: QueuePage): void {
    this.#pages.set(page, answer.rows);
    if (page === 0 && answer.total !== null) {
      this.total = answer.total;
    }
    if (answer.next === null) {
      this.#lastPage = page;
      this.#checkpoints.length = Math.min(this.#checkpoints.length, page + 1);
      for (const k of [...this.#pages.keys()]) {
        if (k > page) this.#pages.delete(k);
      }
      return;
    }
    if (this.#lastPage !== null && this.#lastPage <= page) {
      this.#lastPage = null;
    }
    const known = this.#checkpoints[page + 1];
    if (known !== undefined && known !== answer.next) {
      // The page ends elsewhere than it did: what was chained after it is stale.
      this.#checkpoints.length = page + 1;
      for (const k of [...this.#pages.keys()]) {
        if (k > page) this.#pages.delete(k);
      }
    }
    this.#checkpoints[page + 1] = answer.next;
  }

  /** Forgets the rows of the pages farthest from those wanted. */
  #evict(): void {
    if (this.#pages.size <= this.keepPages) return;
    const centre = (this.#wanted.first + this.#wanted.last) / 2;
    const byDistance = [...this.#pages.keys()].sort(
      (a, b) => Math.abs(b - centre) - Math.abs(a - centre),
    );
    for (const k of byDistance) {
      if (this.#pages.size <= this.keepPages) break;
      if (k >= this.#wanted.first && k <= this.#wanted.last) continue;
      this.#pages.delete(k);
    }
  }

  #query(after: string | null): QueueQuery {
    return { filter: this.#filter, sort: this.#sort, after, limit: this.pageSize };
  }

  /** How many pages hold rows now (for tests and the memory budget). */
  get pagesInMemory(): number {
    void this.revision;
    return this.#pages.size;
  }
}

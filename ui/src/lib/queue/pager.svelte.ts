/**
 * The queue's rows, paged by keyset from either end and kept in a window of memory.
 *
 * The cache answers pages after an opaque cursor, or before one (read backward); it cannot say
 * which row is number N without walking there. So the pager remembers, for every page it has
 * passed, the cursor that starts it read forward and the one that ends it read backward (a few
 * dozen bytes each, so a million rows cost a few hundred KB) and keeps the rows of only the pages
 * near what the officer looks at. The last page is one read from the end (End lands at once, its
 * rows placed so that the last row is at `rowCount - 1`), and a place never visited is paged to
 * from the nearest known page on either side, dropping the rows it passes: a far jump costs a
 * round trip per page on the way, so the list shows where it is ("Paging to row …") until it gets
 * there.
 *
 * Pages read from the end are placed by the row count. End does not wait for it: under a search
 * the count is a scan that comes after the first page (or never, when it fails), so without it the
 * last page is placed by a guess (what is known, plus a page) and the list says it is still
 * counting. When the count comes or changes, what was placed by the old one no longer sits where
 * it was read, so it and its cursors are forgotten and read again where needed.
 *
 * Live changes re-read the pages in view from the first one's checkpoint, chained page to page, so
 * what is shown is always a contiguous run of the queue as it stands. When a page read again ends
 * somewhere else than before, the checkpoints after it no longer hold and are forgotten.
 *
 * What must stay true: one request at a time (each page depends on its neighbour); an answer for
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

  /** Bumped whenever rows, cursors or the end change: readers depend on it. */
  revision = $state(0);
  /** Pages are being read. */
  loading = $state(false);
  /** Rows passed while paging to reach a far position, for the progress line. */
  seeking = $state<{ from: number; to: number } | null>(null);
  /** Why the last read failed. */
  error = $state<string | null>(null);

  #total = $state<number | null>(null);
  #fetch: FetchPage;
  #filter: QueueFilter;
  #sort: Sort;
  #generation = 0;
  /** `starts.get(k)`: the cursor that starts page k read forward (`null` for the first page). */
  #starts = new Map<number, string | null>([[0, null]]);
  /** `ends.get(k)`: the cursor that ends page k read backward (the first row of page k + 1). */
  #ends = new Map<number, string>();
  #pages = new Map<number, QueueRow[]>();
  /** The last page and its length, once a page came back without a `next`. */
  #last: { page: number; length: number } | null = null;
  /** Some page or cursor was placed by the row count (read from the end). */
  #placedByCount = false;
  /** The row count End placed the last page by, while the real one is not known. */
  #guess: number | null = null;
  #wanted = { first: 0, last: 0 };
  #refreshWanted = false;
  #running: Promise<void> | null = null;

  constructor(fetch: FetchPage, filter: QueueFilter, sort: Sort, options: PagerOptions = {}) {
    this.#fetch = fetch;
    this.#filter = filter;
    this.#sort = sort;
    // 500 rows a page: few enough to answer in milliseconds, many enough that paging to a far row
    // makes few round trips. Eight pages (4,000 rows) stay in memory.
    this.pageSize = options.pageSize ?? 500;
    this.keepPages = Math.max(3, options.keepPages ?? 8);
  }

  get filter(): QueueFilter {
    return this.#filter;
  }

  get sort(): Sort {
    return this.#sort;
  }

  /** How many rows the filter matches, from the counts (or the first page); `null` when unknown. */
  get total(): number | null {
    return this.#total;
  }

  set total(total: number | null) {
    if (total === this.#total && this.#guess === null) return;
    const guessedEnd = this.#guess === null ? null : this.#endPage();
    this.#total = total;
    if (this.#placedByCount || guessedEnd !== null) {
      // What was placed by the old count (or End's guess) is off by the difference: read it
      // again where needed.
      this.#forget();
      const end = this.#endPage();
      if (guessedEnd !== null && end !== null) {
        // The officer was at the guessed end: the real end is wanted, not what the guess put there.
        const shift = end - guessedEnd;
        const { first, last } = this.#wanted;
        this.#wanted = { first: Math.max(0, first + shift), last: Math.max(0, last + shift) };
      }
      this.#kick();
    }
  }

  /** Starts over with another filter or sort. */
  reset(filter: QueueFilter, sort: Sort): void {
    this.#generation += 1;
    this.#filter = filter;
    this.#sort = sort;
    this.#forget();
    this.#refreshWanted = false;
    this.#total = null;
    this.error = null;
    this.seeking = null;
    this.#wanted = { first: 0, last: 0 };
    this.#kick();
  }

  /** Forgets every page and cursor but the first page's; a read under way is dropped. */
  #forget(): void {
    this.#generation += 1;
    this.#starts = new Map([[0, null]]);
    this.#ends.clear();
    this.#pages.clear();
    this.#last = null;
    this.#placedByCount = false;
    this.#guess = null;
    this.revision += 1;
  }

  /**
   * The number of rows the list should be tall: End's guess while it stands, exact once the end
   * was seen, else the counts' total, else what is known so far plus one page.
   */
  get rowCount(): number {
    void this.revision;
    if (this.#guess !== null) {
      return this.#guess;
    }
    if (this.#last !== null) {
      return this.#last.page * this.pageSize + this.#last.length;
    }
    if (this.#total !== null) {
      return this.#total;
    }
    return Math.max(...this.#starts.keys()) * this.pageSize + this.pageSize;
  }

  /** Whether the exact row count is known. */
  get exact(): boolean {
    void this.revision;
    return this.#guess === null && (this.#last !== null || this.#total !== null);
  }

  /**
   * The index of the last row, for End, at once. When the row count is not known yet (a search
   * whose counts are still coming), the end is placed by a guess: at least a page beyond what was
   * seen, so that the last page is one read from the end rather than every page on the way to
   * it. What was read forward is forgotten, since it may overlap what the guess places; the
   * count, when it comes, places the end again (see `total`).
   */
  lastIndex(): number {
    if (!this.exact && this.#guess === null) {
      const guess = Math.max(this.rowCount, 2 * this.pageSize);
      this.#forget();
      this.#guess = Math.ceil(guess / this.pageSize) * this.pageSize;
    }
    return this.rowCount - 1;
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

  /** The index of the last page: seen, or from the row count (or End's guess). */
  #endPage(): number | null {
    if (this.#last !== null) return this.#last.page;
    const count = this.#guess ?? this.#total;
    if (count !== null) return Math.max(0, Math.ceil(count / this.pageSize) - 1);
    return null;
  }

  #covered(): boolean {
    const end = this.#endPage();
    for (let k = this.#wanted.first; k <= this.#wanted.last; k++) {
      if (end !== null && k > end) break;
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

  /**
   * How page k is read from a cursor known now: forward from its start, backward from its end,
   * or, for the last page when the row count is known, backward from the end of the queue.
   */
  #readOf(k: number): Read | null {
    const start = this.#starts.get(k);
    const end = this.#ends.get(k);
    // Under End's guess, the first page's start is where the queue starts, not where the guess
    // puts it: going up from the end, keep reading backward.
    if (end !== undefined && this.#guess !== null) {
      return { page: k, after: end, backward: true, limit: this.pageSize };
    }
    if (start !== undefined) return { page: k, after: start, backward: false, limit: this.pageSize };
    if (end !== undefined) return { page: k, after: end, backward: true, limit: this.pageSize };
    if (k === this.#endPage()) {
      const length = this.#last?.length ?? (this.#guess ?? this.#total ?? 0) - k * this.pageSize;
      if (length > 0) return { page: k, after: null, backward: true, limit: length };
    }
    return null;
  }

  /** The page to read next: the first wanted page missing, or the nearest one on the way to it. */
  #nextToRead(): Read | null {
    const end = this.#endPage();
    for (let k = this.#wanted.first; k <= this.#wanted.last; k++) {
      if (end !== null && k > end) return null;
      if (this.#pages.has(k)) continue;
      const direct = this.#readOf(k);
      if (direct) return direct;
      // Not reached yet: page from the nearest page that can be read on either side.
      const before = Math.max(...[...this.#starts.keys()].filter((s) => s < k));
      const afters = [...this.#ends.keys()].filter((e) => e > k);
      if (end !== null) afters.push(end);
      const after = afters.length > 0 ? Math.min(...afters) : null;
      const from = after !== null && after - k < k - before ? after : before;
      this.seeking = { from: from * this.pageSize, to: k * this.pageSize };
      return this.#readOf(from);
    }
    return null;
  }

  async #read(read: Read, generation: number): Promise<void> {
    const answer = await this.#fetch(this.#query(read));
    if (generation !== this.#generation) return;
    this.error = null;
    this.#store(read, answer);
    this.#evict();
    this.revision += 1;
  }

  /** Reads the wanted pages again, chained from the first one's start (or the last one's end). */
  async #reread(generation: number): Promise<void> {
    const { first } = this.#wanted;
    const last = Math.max(first, this.#wanted.last);
    const forward = this.#starts.has(first);
    const from = forward ? first : Math.min(last, this.#endPage() ?? last);
    let read = this.#readOf(from);
    if (read === null) return;
    const fresh: [Read, QueuePage][] = [];
    for (;;) {
      const answer = await this.#fetch(this.#query(read));
      if (generation !== this.#generation) return;
      fresh.push([read, answer]);
      const k: number = read.page + (forward ? 1 : -1);
      const cursor = forward ? answer.next : answer.previous;
      if (cursor === null || k < first || k > last) break;
      read = { page: k, after: cursor, backward: !forward, limit: this.pageSize };
    }
    this.error = null;
    // Pages beyond the re-read run were chained from rows that may have moved: read them again
    // when they are needed.
    for (const k of [...this.#pages.keys()]) {
      if (forward ? k > last : k < first) this.#pages.delete(k);
    }
    if (forward) {
      this.#last = null;
      this.#trim(this.#starts, (k) => k > first);
      this.#trim(this.#ends, (k) => k >= first);
    } else {
      this.#trim(this.#starts, (k) => k > 0 && k <= last);
      this.#trim(this.#ends, (k) => k < last);
    }
    for (const [read, answer] of fresh) {
      this.#store(read, answer);
    }
    this.revision += 1;
  }

  #store(read: Read, answer: QueuePage): void {
    const page = read.page;
    if (read.after === null && answer.total !== null && answer.total !== this.#total) {
      if (read.backward) {
        // Read from the end by a count that no longer holds: read again by the new one.
        this.#total = answer.total;
        this.#forget();
        return;
      }
      this.total = answer.total;
    }
    this.#pages.set(page, answer.rows);
    if (read.backward) this.#placedByCount ||= page > 0;
    if (answer.next === null) {
      this.#last = { page, length: answer.rows.length };
      this.#dropAfter(page);
      this.#trim(this.#ends, (k) => k >= page);
    } else {
      if (this.#last !== null && this.#last.page <= page) this.#last = null;
      const known = this.#starts.get(page + 1);
      // The page ends elsewhere than it did: what was chained after it is stale.
      if (known !== undefined && known !== answer.next) this.#dropAfter(page);
      this.#starts.set(page + 1, answer.next);
    }
    if (answer.previous === null) {
      if (read.backward && this.#guess !== null) {
        // Going up from End's guessed end, the queue starts here: that counts it (every page
        // between here and the end is a full one).
        this.total = this.#guess - (page + 1) * this.pageSize + answer.rows.length;
      } else if (page > 0) {
        // The queue starts sooner than the row count said: what was placed by it is misplaced.
        this.#forget();
        this.#total = null;
      }
      return;
    }
    if (page === 0 && this.#guess !== null) {
      // Going up from End's guessed end, more rows come before the first page: make room above.
      this.#ends.set(-1, answer.previous);
      this.#grow(this.#endPage()! + 1);
      return;
    }
    const known = this.#ends.get(page - 1);
    if (known !== undefined && known !== answer.previous) {
      for (const k of [...this.#pages.keys()]) {
        if (k < page) this.#pages.delete(k);
      }
      this.#trim(this.#starts, (k) => k > 0 && k < page);
      this.#trim(this.#ends, (k) => k < page);
    }
    this.#ends.set(page - 1, answer.previous);
  }

  /** Moves every page, cursor and the wanted rows `by` pages down, under End's guess. */
  #grow(by: number): void {
    const moved = <V>(map: Map<number, V>) => new Map([...map].map(([k, v]) => [k + by, v]));
    this.#pages = moved(this.#pages);
    this.#ends = moved(this.#ends);
    // Page 0 still starts where the queue does; the other starts move with their pages.
    this.#starts.delete(0);
    this.#starts = moved(this.#starts);
    this.#starts.set(0, null);
    if (this.#last !== null) this.#last = { page: this.#last.page + by, length: this.#last.length };
    this.#guess = (this.#guess ?? 0) + by * this.pageSize;
    this.#wanted = { first: this.#wanted.first + by, last: this.#wanted.last + by };
  }

  /** Forgets the pages and cursors after `page`. */
  #dropAfter(page: number): void {
    for (const k of [...this.#pages.keys()]) {
      if (k > page) this.#pages.delete(k);
    }
    this.#trim(this.#starts, (k) => k > page);
    this.#trim(this.#ends, (k) => k > page);
  }

  #trim<V>(cursors: Map<number, V>, drop: (k: number) => boolean): void {
    for (const k of [...cursors.keys()]) {
      if (drop(k)) cursors.delete(k);
    }
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

  #query(read: Read): QueueQuery {
    return {
      filter: this.#filter,
      sort: this.#sort,
      after: read.after,
      limit: read.limit,
      backward: read.backward,
    };
  }

  /** How many pages hold rows now (for tests and the memory budget). */
  get pagesInMemory(): number {
    void this.revision;
    return this.#pages.size;
  }
}

/** One page read: which page, from which cursor, which way, how many rows. */
interface Read {
  page: number;
  after: string | null;
  backward: boolean;
  limit: number;
}

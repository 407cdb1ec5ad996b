import { describe, expect, test } from 'vitest';

import type { QueueFilter, QueuePage, QueueQuery, QueueRow, Sort } from '../api';
import { QueuePager } from './pager.svelte';

/**
 * A queue that pages like the cache does: rows in key order, a cursor that holds the last row's
 * key, `next` only when more rows follow.
 */
class FakeQueue {
  rows: { key: number; user: number }[] = [];
  asked: (string | null)[] = [];

  constructor(count: number) {
    for (let i = 0; i < count; i++) this.rows.push({ key: (i + 1) * 10, user: i + 1 });
  }

  fetch = async (query: QueueQuery): Promise<QueuePage> => {
    this.asked.push(query.backward ? `before ${query.after}` : query.after);
    const sorted = [...this.rows].sort((a, b) => a.key - b.key);
    const at = query.after === null ? null : Number(query.after);
    let page: { key: number; user: number }[];
    let more: boolean;
    if (query.backward) {
      const before = sorted.filter((r) => at === null || r.key < at);
      page = before.slice(Math.max(0, before.length - query.limit));
      more = before.length > query.limit;
    } else {
      const after = sorted.filter((r) => at === null || r.key > at);
      page = after.slice(0, query.limit);
      more = after.length > query.limit;
    }
    const first = page.length > 0 ? String(page[0].key) : null;
    const last = page.length > 0 ? String(page[page.length - 1].key) : null;
    return {
      rows: page.map((r) => row(r.user)),
      next: query.backward ? (at === null ? null : last) : more ? last : null,
      previous: query.backward ? (more ? first : null) : at === null ? null : first,
      total: query.after === null ? this.rows.length : null,
    };
  };

  /** A new user at the end of the queue. */
  append(user: number): void {
    this.rows.push({ key: Math.max(...this.rows.map((r) => r.key)) + 10, user });
  }

  /** The case of `user` changed: with the newest first, it moves to the top. */
  moveToTop(user: number): void {
    const lowest = Math.min(...this.rows.map((r) => r.key));
    const found = this.rows.find((r) => r.user === user);
    if (found) found.key = lowest - 1;
  }
}

function row(user: number): QueueRow {
  return {
    user_id: user,
    display_name: `User ${user}`,
    user_type: 1,
    state: 'processing',
    score: null,
    reasons: [],
    aml_flagged: false,
    review: 'not_requested',
    created_at: '2025-01-01T00:00:00.000Z',
    last_change: '2025-01-01T00:00:00.000Z',
    identification: null,
    link_expires_at: null,
    due_at: null,
  };
}

const filter: QueueFilter = {
  states: [],
  scores: [],
  aml_flagged: null,
  reviews: [],
  user_types: [],
  created: { from: null, until: null },
  last_change: { from: null, until: null },
  search: null,
  holding: null,
};
const sort: Sort = { key: 'last_change', direction: 'descending' };

/** A pager under a search that its pages do not count, with its first rows read (pages of 100). */
async function searchShowingItsFirstRows(size: number): Promise<{ queue: FakeQueue; pager: QueuePager }> {
  const queue = new FakeQueue(size);
  const uncounted = async (q: QueueQuery) => ({ ...(await queue.fetch(q)), total: null });
  const searched = { ...filter, search: 'user' };
  const pager = new QueuePager(uncounted, searched, sort, { pageSize: 100 });
  pager.reset(searched, sort);
  pager.want(0, 20);
  await pager.settled();
  return { queue, pager };
}

function users(pager: QueuePager, from: number, to: number): (number | undefined)[] {
  const out = [];
  for (let i = from; i <= to; i++) out.push(pager.rowAt(i)?.user_id);
  return out;
}

describe('the queue pager', () => {
  test('shows the first page and takes its height from the total', async () => {
    const queue = new FakeQueue(250);
    const pager = new QueuePager(queue.fetch, filter, sort, { pageSize: 100 });
    pager.reset(filter, sort);
    pager.want(0, 20);
    await pager.settled();

    expect(pager.rowCount).toBe(250);
    expect(pager.exact).toBe(true);
    expect(users(pager, 0, 2)).toEqual([1, 2, 3]);
    expect(pager.rowAt(100)).toBeUndefined();
  });

  test('with no row count, reaches a far row by paging forward, keeping only the pages near it', async () => {
    const queue = new FakeQueue(5_000);
    const uncounted = async (q: QueueQuery) => ({ ...(await queue.fetch(q)), total: null });
    const pager = new QueuePager(uncounted, filter, sort, { pageSize: 100, keepPages: 4 });
    pager.reset(filter, sort);
    pager.want(4_210, 4_230);
    await pager.settled();

    expect(users(pager, 4_210, 4_212)).toEqual([4_211, 4_212, 4_213]);
    expect(pager.pagesInMemory).toBeLessThanOrEqual(4);
    expect(pager.rowAt(0)).toBeUndefined();
    expect(queue.asked.length).toBe(43);
  });

  test('goes back to a page it passed straight from its checkpoint', async () => {
    const queue = new FakeQueue(5_000);
    const uncounted = async (q: QueueQuery) => ({ ...(await queue.fetch(q)), total: null });
    const pager = new QueuePager(uncounted, filter, sort, { pageSize: 100, keepPages: 3 });
    pager.reset(filter, sort);
    pager.want(4_900, 4_950);
    await pager.settled();
    queue.asked = [];

    pager.want(1_005, 1_010);
    await pager.settled();

    expect(users(pager, 1_005, 1_006)).toEqual([1_006, 1_007]);
    expect(queue.asked).toEqual(['10000']);
  });

  test('End lands on the last rows in one read from the end, the row count and places right', async () => {
    const queue = new FakeQueue(100_050);
    const pager = new QueuePager(queue.fetch, filter, sort, { pageSize: 100 });
    pager.reset(filter, sort);
    pager.want(0, 20);
    await pager.settled();
    queue.asked = [];

    pager.want(100_049, 100_049);
    await pager.settled();

    expect(queue.asked).toEqual(['before null']);
    expect(pager.rowCount).toBe(100_050);
    expect(users(pager, 100_000, 100_001)).toEqual([100_001, 100_002]);
    expect(pager.rowAt(100_049)?.user_id).toBe(100_050);
    expect(pager.indexOf(100_050)).toBe(100_049);
  });

  test('End under a search whose count never comes shows the last rows at once, from the end', async () => {
    const { queue, pager } = await searchShowingItsFirstRows(100_050);
    expect(pager.exact).toBe(false);
    queue.asked = [];

    const last = pager.lastIndex();
    pager.want(last, last);
    await pager.settled();

    expect(queue.asked).toEqual(['before null']);
    expect(pager.rowAt(last)?.user_id).toBe(100_050);
    expect(users(pager, last - 2, last)).toEqual([100_048, 100_049, 100_050]);
    expect(pager.rowCount).toBe(last + 1);
    // Placed by a guess: the list still says it is counting.
    expect(pager.exact).toBe(false);

    // Scrolling up from there reads backward, without the count; past the guess, the list grows
    // above the rows read, which keep their order.
    pager.want(last - 150, last - 140);
    await pager.settled();
    const end = pager.rowCount - 1;
    expect(end).toBeGreaterThan(last);
    expect(pager.indexOf(100_050)).toBe(end);
    expect(users(pager, end - 150, end - 149)).toEqual([99_900, 99_901]);
    expect(pager.exact).toBe(false);
  });

  test('End under a search whose count comes late: the last rows at once, then placed by the count', async () => {
    const { queue, pager } = await searchShowingItsFirstRows(100_050);
    queue.asked = [];

    const last = pager.lastIndex();
    pager.want(last - 10, last);
    await pager.settled();
    expect(pager.rowAt(last)?.user_id).toBe(100_050);

    pager.total = 100_050;
    await pager.settled();

    expect(pager.exact).toBe(true);
    expect(pager.rowCount).toBe(100_050);
    // The end is read again where the count puts it, and nothing is left where the guess put it.
    expect(queue.asked).toEqual(['before null', 'before null']);
    expect(users(pager, 100_047, 100_049)).toEqual([100_048, 100_049, 100_050]);
    expect(pager.indexOf(100_001)).toBe(100_000);
    expect(pager.rowAt(last)).toBeUndefined();
  });

  test('going up from a guessed end that was too long, the start of the queue counts it', async () => {
    const { pager } = await searchShowingItsFirstRows(150);
    const last = pager.lastIndex();
    pager.want(last, last);
    await pager.settled();
    expect(pager.rowAt(last)?.user_id).toBe(150);

    pager.want(60, 70);
    await pager.settled();

    expect(pager.exact).toBe(true);
    expect(pager.rowCount).toBe(150);
    expect(users(pager, 60, 61)).toEqual([61, 62]);
    pager.want(149, 149);
    await pager.settled();
    expect(pager.indexOf(150)).toBe(149);
  });

  test('a count that comes while End reads from the guessed end drops that read', async () => {
    const queue = new FakeQueue(1_050);
    const gates: (() => void)[] = [];
    const gated = (q: QueueQuery) =>
      new Promise<QueuePage>((resolve) => {
        gates.push(() => void queue.fetch(q).then((page) => resolve({ ...page, total: null })));
      });
    const searched = { ...filter, search: 'user' };
    const pager = new QueuePager(gated, searched, sort, { pageSize: 100 });
    pager.reset(searched, sort);
    pager.want(0, 20);
    gates.shift()?.();
    await pager.settled();

    const last = pager.lastIndex();
    pager.want(last, last);
    expect(gates.length).toBe(1);
    pager.total = 1_050;
    gates.shift()?.();
    while (gates.length > 0 || pager.loading) {
      gates.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await pager.settled();

    expect(pager.rowCount).toBe(1_050);
    expect(users(pager, 1_048, 1_049)).toEqual([1_049, 1_050]);
    expect(pager.indexOf(1_050)).toBe(1_049);
  });

  test('Home after End is one read of the first page', async () => {
    const queue = new FakeQueue(10_000);
    const pager = new QueuePager(queue.fetch, filter, sort, { pageSize: 100, keepPages: 3 });
    pager.reset(filter, sort);
    pager.want(0, 20);
    await pager.settled();
    pager.want(9_990, 9_999);
    await pager.settled();
    pager.want(5_000, 5_010);
    await pager.settled();
    queue.asked = [];

    pager.want(0, 20);
    await pager.settled();

    expect(queue.asked).toEqual([null]);
    expect(users(pager, 0, 1)).toEqual([1, 2]);
  });

  test('scrolling up from the end reads each page once, backward, with no row lost or repeated', async () => {
    const queue = new FakeQueue(1_030);
    const pager = new QueuePager(queue.fetch, filter, sort, { pageSize: 100, keepPages: 3 });
    pager.reset(filter, sort);
    pager.want(0, 5);
    await pager.settled();
    queue.asked = [];

    const seen: (number | undefined)[] = [];
    for (let page = 10; page >= 0; page--) {
      pager.want(page * 100, page * 100);
      await pager.settled();
      seen.unshift(...users(pager, page * 100, Math.min(page * 100 + 99, 1_029)));
      expect(pager.pagesInMemory).toBeLessThanOrEqual(3);
    }

    expect(seen).toEqual(Array.from({ length: 1_030 }, (_, i) => i + 1));
    // The last page from the end, then one read backward per page above it down to page 2; pages
    // 1 and 0 (dropped from memory on the way) are read again from their known starts.
    expect(queue.asked.length).toBe(11);
    expect(queue.asked[0]).toBe('before null');
    expect(queue.asked.slice(1, 9).every((a) => a?.startsWith('before '))).toBe(true);
    expect(queue.asked.slice(9)).toEqual(['1000', null]);
  });

  test('a far row near the end is reached from the end, not paged to from the top', async () => {
    const queue = new FakeQueue(5_000);
    const pager = new QueuePager(queue.fetch, filter, sort, { pageSize: 100, keepPages: 4 });
    pager.reset(filter, sort);
    pager.want(0, 5);
    await pager.settled();
    queue.asked = [];

    pager.want(4_710, 4_720);
    await pager.settled();

    expect(users(pager, 4_710, 4_711)).toEqual([4_711, 4_712]);
    expect(queue.asked.length).toBe(3);
    expect(pager.pagesInMemory).toBeLessThanOrEqual(4);
  });

  test('rows read from the end are read again where they belong when the count changes', async () => {
    const queue = new FakeQueue(1_000);
    const pager = new QueuePager(queue.fetch, filter, sort, { pageSize: 100 });
    pager.reset(filter, sort);
    pager.want(0, 5);
    await pager.settled();
    pager.want(950, 999);
    await pager.settled();

    queue.append(1_001);
    pager.total = 1_001;
    pager.want(950, 1_000);
    await pager.settled();

    expect(pager.rowCount).toBe(1_001);
    expect(users(pager, 998, 1_000)).toEqual([999, 1_000, 1_001]);
    expect(pager.indexOf(1_001)).toBe(1_000);
  });

  test('keeps the rows of at most keepPages pages, however much of the queue is paged through', async () => {
    const queue = new FakeQueue(5_000);
    const pager = new QueuePager(queue.fetch, filter, sort, { pageSize: 10, keepPages: 4 });
    pager.reset(filter, sort);
    const seen: (number | undefined)[] = [];
    let most = 0;
    // Down the whole queue as the grid scrolls (a screen of rows straddling two pages), then back up.
    for (let row = 0; row < 5_000; row += 10) {
      pager.want(row + 5, Math.min(row + 14, 4_999));
      await pager.settled();
      seen.push(...users(pager, row, row + 9));
      most = Math.max(most, pager.pagesInMemory);
    }
    for (let row = 4_990; row >= 0; row -= 10) {
      pager.want(row, row + 9);
      await pager.settled();
      most = Math.max(most, pager.pagesInMemory);
    }

    expect(seen).toEqual(Array.from({ length: 5_000 }, (_, i) => i + 1));
    expect(most).toBeLessThanOrEqual(4);
  });

  test('knows the exact length once it has seen the last page', async () => {
    const queue = new FakeQueue(230);
    const pager = new QueuePager(async (q) => ({ ...(await queue.fetch(q)), total: null }), filter, sort, {
      pageSize: 100,
    });
    pager.reset(filter, sort);
    pager.want(0, 10);
    await pager.settled();
    expect(pager.exact).toBe(false);

    pager.want(200, 229);
    await pager.settled();
    expect(pager.exact).toBe(true);
    expect(pager.rowCount).toBe(230);
  });

  test('a live change re-reads the rows in view as one contiguous run', async () => {
    const queue = new FakeQueue(400);
    const pager = new QueuePager(queue.fetch, filter, sort, { pageSize: 100 });
    pager.reset(filter, sort);
    pager.want(0, 150);
    await pager.settled();

    queue.moveToTop(150);
    pager.refresh();
    await pager.settled();

    expect(users(pager, 0, 2)).toEqual([150, 1, 2]);
    // No row is lost or shown twice at the page boundary.
    expect(users(pager, 98, 101)).toEqual([98, 99, 100, 101]);
    expect(pager.indexOf(150)).toBe(0);
    expect(pager.indexOf(149)).toBe(149);
  });

  test('drops an answer that comes back after the filter changed', async () => {
    const queue = new FakeQueue(50);
    let release: () => void = () => {};
    const slow = (q: QueueQuery) =>
      new Promise<QueuePage>((resolve) => {
        release = () => void queue.fetch(q).then(resolve);
      });
    const pager = new QueuePager(slow, filter, sort, { pageSize: 10 });
    pager.reset(filter, sort);
    pager.want(0, 5);

    pager.reset({ ...filter, aml_flagged: true }, sort);
    release();
    await new Promise((resolve) => setTimeout(resolve, 0));

    expect(pager.rowAt(0)).toBeUndefined();
    expect(pager.filter.aml_flagged).toBe(true);
  });

  test('says why a page could not be read', async () => {
    const pager = new QueuePager(
      async () => {
        throw new Error('The cache could not be read.');
      },
      filter,
      sort,
    );
    pager.reset(filter, sort);
    pager.want(0, 10);
    await pager.settled();

    expect(pager.error).toBe('The cache could not be read.');
    expect(pager.loading).toBe(false);
  });
});

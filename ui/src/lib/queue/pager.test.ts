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
    this.asked.push(query.after);
    const after = query.after === null ? -Infinity : Number(query.after);
    const sorted = [...this.rows].sort((a, b) => a.key - b.key);
    const from = sorted.filter((r) => r.key > after);
    const page = from.slice(0, query.limit);
    const more = from.length > query.limit;
    return {
      rows: page.map((r) => row(r.user)),
      next: more ? String(page[page.length - 1].key) : null,
      total: query.after === null ? this.rows.length : null,
    };
  };

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
};
const sort: Sort = { key: 'last_change', direction: 'descending' };

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

  test('reaches a far row by paging forward, keeping only the pages near it', async () => {
    const queue = new FakeQueue(5_000);
    const pager = new QueuePager(queue.fetch, filter, sort, { pageSize: 100, keepPages: 4 });
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
    const pager = new QueuePager(queue.fetch, filter, sort, { pageSize: 100, keepPages: 3 });
    pager.reset(filter, sort);
    pager.want(4_900, 4_950);
    await pager.settled();
    queue.asked = [];

    pager.want(1_005, 1_010);
    await pager.settled();

    expect(users(pager, 1_005, 1_006)).toEqual([1_006, 1_007]);
    expect(queue.asked).toEqual(['10000']);
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

import { render, screen } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';

import { NOW } from '../../test/fixtures';
import DueBadge from './DueBadge.svelte';

const at = (minutesFromNow: number) => new Date(Date.parse(NOW) + minutesFromNow * 60_000).toISOString();

describe('the due badge', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date(NOW));
  });
  afterEach(() => vi.useRealTimers());

  test('counts down to the deadline, then says by how much the case is late', async () => {
    render(DueBadge, { due: at(12) });
    expect(screen.getByText('due in 12 min')).toHaveAttribute('data-due', 'due');

    await vi.advanceTimersByTimeAsync(15 * 60_000);
    expect(screen.getByText('late by 3 min')).toHaveAttribute('data-due', 'late');
  });

  test('a case late for hours says so in hours', () => {
    render(DueBadge, { due: at(-185) });
    expect(screen.getByText('late by 3 h')).toBeInTheDocument();
  });

  test('a state without a deadline shows nothing', () => {
    const { container } = render(DueBadge, { due: null });
    expect(container.querySelector('[data-due]')).toBeNull();
  });
});

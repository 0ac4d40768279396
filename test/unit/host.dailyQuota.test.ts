import { describe, expect, it } from 'vitest';
import { DailyQuota } from '../../src/core/host/dailyQuota';
import { manualClock } from './support/host';

const DAY_MS = 86_400_000;

describe('DailyQuota', () => {
  it('allows a day’s posts at once, then refills them evenly over 24 hours', () => {
    const clock = manualClock();
    const quota = new DailyQuota(4, 1_000_000, clock.now);
    for (let i = 0; i < 4; i++) expect(quota.take('m', 10)).toEqual({ ok: true });
    expect(quota.take('m', 10)).toEqual({ ok: false, retryAfterMs: DAY_MS / 4 });
    clock.advance(DAY_MS / 4 - 1);
    expect(quota.take('m', 10).ok).toBe(false);
    clock.advance(1);
    expect(quota.take('m', 10)).toEqual({ ok: true });
    expect(quota.take('other', 10)).toEqual({ ok: true });
  });

  it('refuses a post whose text would pass the day’s bytes, saying when it would fit', () => {
    const clock = manualClock();
    const quota = new DailyQuota(1_000, 100, clock.now);
    expect(quota.take('m', 60)).toEqual({ ok: true });
    expect(quota.take('m', 50)).toEqual({ ok: false, retryAfterMs: Math.ceil((10 * DAY_MS) / 100) });
    quota.refund('m', 60);
    expect(quota.take('m', 50)).toEqual({ ok: true });
  });

  it('forgets members whose usage has refilled, so fresh keys cannot grow it for good', () => {
    const clock = manualClock();
    const quota = new DailyQuota(10, 1_000, clock.now);
    for (let i = 0; i < 5_000; i++) quota.take(`fresh-${i}`, 1);
    expect(quota.tracked).toBeLessThanOrEqual(5_000);
    clock.advance(DAY_MS);
    for (let i = 0; i < 1_024; i++) quota.take(`later-${i}`, 1);
    // Everyone from a day ago was forgotten at the sweep; only the newcomers are counted.
    expect(quota.tracked).toBeLessThanOrEqual(1_024);
  });
});

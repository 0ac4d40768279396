import { describe, expect, it } from 'vitest';
import { backoffDelay, reconnectDelay } from '../../src/core/client/backoff';
import { formatEndpoint } from '../../src/shared/endpoint';

describe('backoffDelay', () => {
  const opts = { initialMs: 100, maxMs: 1_000 };

  it('doubles the ceiling with each attempt until maxMs', () => {
    const top = (attempt: number): number => backoffDelay(attempt, opts, () => 1);
    expect([1, 2, 3, 4, 5, 6].map(top)).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('jitters each delay into the upper half of its ceiling', () => {
    expect(backoffDelay(3, opts, () => 0)).toBe(200);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(300);
  });

  it('stays finite however many attempts have failed', () => {
    expect(backoffDelay(10_000, opts, () => 1)).toBe(1_000);
  });

  it('defaults to 500 ms first and 15 s at most', () => {
    expect(backoffDelay(1, {}, () => 1)).toBe(500);
    expect(backoffDelay(50, {}, () => 1)).toBe(15_000);
  });
});

describe('reconnectDelay', () => {
  const top = (attempt: number, opts = {}): number => reconnectDelay(attempt, opts, () => 1);

  it('keeps the delays of a restart window at most restartMaxMs, then grows them again up to maxMs', () => {
    const opts = { initialMs: 100, maxMs: 2_000, restartMaxMs: 300, restartAttempts: 4 };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((a) => top(a, opts))).toEqual([
      100, 200, 300, 300, 600, 1_200, 2_000, 2_000,
    ]);
  });

  it('jitters the window delays into the upper half of their ceiling too', () => {
    const opts = { initialMs: 100, maxMs: 2_000, restartMaxMs: 300, restartAttempts: 4 };
    expect(reconnectDelay(4, opts, () => 0)).toBe(150);
    expect(reconnectDelay(5, opts, () => 0)).toBe(300);
  });

  it('defaults to 500 ms first, at most 1.25 s for 20 attempts, then doubling up to 15 s', () => {
    expect([1, 2, 3, 20, 21, 22, 50].map((a) => top(a))).toEqual([
      500, 1_000, 1_250, 1_250, 2_500, 5_000, 15_000,
    ]);
  });

  it('never waits longer than maxMs, even inside the window', () => {
    expect(top(20, { initialMs: 1, maxMs: 5 })).toBe(5);
    expect(top(10_000, { initialMs: 1, maxMs: 5 })).toBe(5);
  });
});

describe('endpoint addresses', () => {
  it('writes IPv4 addresses and names as host:port', () => {
    expect(formatEndpoint({ host: '127.0.0.1', port: 4000 })).toBe('127.0.0.1:4000');
    expect(formatEndpoint({ host: 'hana.local', port: 4000 })).toBe('hana.local:4000');
  });

  it('puts IPv6 addresses in brackets', () => {
    expect(formatEndpoint({ host: '::1', port: 4000 })).toBe('[::1]:4000');
  });
});

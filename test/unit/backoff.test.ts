import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/core/client/backoff';
import { formatAddress, wsTarget } from '../../src/core/client/endpoint';

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

describe('endpoint addresses', () => {
  it('writes IPv4 addresses and names as host:port', () => {
    expect(formatAddress({ host: '127.0.0.1', port: 4000 })).toBe('127.0.0.1:4000');
    expect(formatAddress({ host: 'hana.local', port: 4000 })).toBe('hana.local:4000');
  });

  it('puts IPv6 addresses in brackets', () => {
    expect(formatAddress({ host: '::1', port: 4000 })).toBe('[::1]:4000');
    expect(wsTarget({ host: '::1', port: 4000 }).url).toBe('ws://[::1]:4000/');
  });

  it('keeps a link-local zone out of the URL but in the connection', () => {
    const target = wsTarget({ host: 'fe80::1%eth0', port: 4000 });
    expect(target.url).toBe('ws://[fe80::1]:4000/');
    expect(target.createConnection).toBeTypeOf('function');
  });
});

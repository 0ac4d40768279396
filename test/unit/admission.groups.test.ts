import { describe, expect, it } from 'vitest';
import { originOf, type Origin } from '../../src/core/host/admission/addressGroups';
import { UnjoinedGroups } from '../../src/core/host/admission/UnjoinedGroups';

describe('originOf', () => {
  it('counts an IPv4-mapped IPv6 peer as the IPv4 address, in its /24', () => {
    expect(originOf('::ffff:10.1.2.3')).toEqual({ address: '10.1.2.3', prefix: '10.1.2.0/24' });
    expect(originOf('::FFFF:10.1.2.3')).toEqual(originOf('10.1.2.3'));
  });

  it('puts every spelling of one IPv6 /64 in the same prefix, zone ids dropped', () => {
    const prefix = 'fd00:0:0:1::/64';
    expect(originOf('fd00:0:0:1::5').prefix).toBe(prefix);
    expect(originOf('FD00:0000:0000:0001:ffff:1:2:3').prefix).toBe(prefix);
    expect(originOf('fd00::1:0:0:0:9').prefix).toBe(prefix);
    expect(originOf('fe80::1%eth0')).toEqual({ address: 'fe80::1', prefix: 'fe80:0:0:0::/64' });
    expect(originOf('64:ff9b::10.0.0.1').prefix).toBe('64:ff9b:0:0::/64');
    expect(originOf('fd00:0:0:2::5').prefix).not.toBe(prefix);
  });

  it('keeps an unknown address apart from every real one', () => {
    expect(originOf(undefined).prefix).toBe('?');
    expect(originOf('not an address').address).not.toBe(originOf('10.0.0.1').address);
  });
});

/** A socket stand-in from `address`, arriving `since`-th. */
const item = (address: string, since: number): { origin: Origin; since: number } => ({
  origin: originOf(address),
  since,
});

describe('UnjoinedGroups', () => {
  it('gives up the oldest socket of the busiest prefix for a newcomer from a smaller one', () => {
    const groups = new UnjoinedGroups<ReturnType<typeof item>>();
    const oldest = item('10.0.1.1', 0);
    for (const x of [oldest, item('10.0.1.2', 1), item('10.0.1.1', 2), item('10.0.2.1', 3)]) groups.add(x);
    expect(groups.victimOverall(originOf('10.0.3.1'))).toBe(oldest);
    expect(groups.victimOverall(originOf('10.0.2.9'))).toBe(oldest);
  });

  it('gives up nothing for a newcomer whose prefix is already the busiest and whose address the busiest in it', () => {
    const groups = new UnjoinedGroups<ReturnType<typeof item>>();
    groups.add(item('10.0.1.1', 0));
    groups.add(item('10.0.2.1', 1));
    expect(groups.victimOverall(originOf('10.0.1.1'))).toBeNull();
    expect(groups.victimWithinPrefix(originOf('10.0.1.1'))).toBeNull();
  });

  it('within a prefix, takes from its busiest address for a newcomer from a quieter one, ties to the oldest', () => {
    const groups = new UnjoinedGroups<ReturnType<typeof item>>();
    const first = item('10.0.1.2', 0);
    for (const x of [first, item('10.0.1.3', 1), item('10.0.1.2', 2), item('10.0.1.3', 3)]) groups.add(x);
    expect(groups.victimWithinPrefix(originOf('10.0.1.9'))).toBe(first);
    expect(groups.victimOverall(originOf('10.0.1.9'))).toBe(first);
  });

  it('forgets what is deleted, and counts per address and per prefix', () => {
    const groups = new UnjoinedGroups<ReturnType<typeof item>>();
    const a = item('fd00::1', 0);
    groups.add(a);
    groups.add(item('fd00::2', 1));
    expect(groups.ofAddress(originOf('fd00::1'))).toBe(1);
    expect(groups.ofPrefix(originOf('fd00::99'))).toBe(2);
    groups.delete(a);
    groups.delete(a);
    expect(groups.ofAddress(originOf('fd00::1'))).toBe(0);
    expect(groups.ofPrefix(originOf('fd00::99'))).toBe(1);
  });
});

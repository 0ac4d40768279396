import { describe, expect, it } from 'vitest';
import { parseSize, storageOptions } from '../../src/cli/storageOptions';

describe('the headless host’s storage options', () => {
  it.each([
    ['512MB', 512 * 1024 ** 2],
    ['2G', 2 * 1024 ** 3],
    ['1.5GiB', 1.5 * 1024 ** 3],
    ['800k', 800 * 1024],
    ['4096', 4096],
    [' 10 mb ', 10 * 1024 ** 2],
  ])('reads the size %s as %d bytes (binary units)', (raw, bytes) => {
    expect(parseSize(raw)).toBe(bytes);
  });

  it.each(['', 'lots', '-1MB', '0', '1XB', '1e9'])('refuses %j as a size', (raw) => {
    expect(parseSize(raw)).toBeNull();
  });

  it('turns the options into the retention policy and the daily quota', () => {
    expect(
      storageOptions({
        'keep-days': '30',
        'max-history': '1GB',
        'max-history-messages': '200000',
        'daily-posts': '1000',
        'daily-bytes': '5MB',
      }),
    ).toEqual({
      retention: { maxAgeMs: 30 * 86_400_000, maxBytes: 1024 ** 3, maxMessages: 200_000 },
      limits: { dailyPostsPerMember: 1000, dailyBytesPerMember: 5 * 1024 ** 2 },
    });
    expect(storageOptions({})).toEqual({ retention: {}, limits: {} });
  });

  it('names the option and the value it cannot use', () => {
    expect(storageOptions({ 'keep-days': '1.5' })).toEqual({
      error: '--keep-days must be a whole number of at least 1, not "1.5".',
    });
    expect(storageOptions({ 'max-history': 'big' })).toEqual({
      error: '--max-history must be a size such as 512MB or 2GB, not "big".',
    });
  });
});

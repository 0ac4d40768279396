/** How much of a room's history the host keeps on disk; the oldest messages go first. */
export interface Retention {
  /** Most messages a room keeps. */
  maxMessages: number;
  /** Most bytes a room keeps, counted as ROW_BYTES_SQL (schema.ts) counts them. */
  maxBytes: number;
  /** Messages older than this many milliseconds are removed; Infinity keeps them for good. */
  maxAgeMs: number;
}

/**
 * The defaults, per room. 512 MiB of counted bytes (host.db peaks near 1.2x that with its
 * pages, indexes and what arrives between two pruning passes, plus a write-ahead log of ~4 MiB;
 * measured in test/lan/storage.test.ts) and 1,000,000 messages: years
 * of an ordinary busy room (a million 100-byte messages is about 250 MB counted), while a
 * flood is capped where a laptop's disk does not notice: 20 members posting 8,000-character
 * messages at the documented 5 a second would otherwise add about 243 GB a day. No age limit:
 * a LAN room's history is what it is for, unless its host chooses otherwise (--keep-days).
 */
export const RETENTION_DEFAULTS: Readonly<Retention> = {
  maxMessages: 1_000_000,
  maxBytes: 512 * 1024 * 1024,
  maxAgeMs: Infinity,
};

/** `given` over the defaults, checked so a typo fails loudly now. */
export function resolveRetention(given: Partial<Retention> = {}): Retention {
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  const policy: Retention = { ...RETENTION_DEFAULTS, ...defined };
  for (const [name, value] of Object.entries(policy)) {
    if (typeof value !== 'number' || !(value > 0)) {
      throw new RangeError(`Retention ${name} must be a positive number, not ${String(value)}.`);
    }
  }
  return policy;
}

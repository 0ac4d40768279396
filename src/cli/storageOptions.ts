/**
 * The headless host's storage options: how much history a room keeps, and how much each
 * member may store a day. Parsed here, apart from host.ts's other options, so each concern
 * reads on its own; host.ts passes `parseArgs` the OPTIONS below and hands the values here.
 */
import type { HostLimits } from '../core/host/limits';
import type { Retention } from '../core/store/host/retention';

/** The parseArgs entries for the storage options. */
export const STORAGE_OPTIONS = {
  'keep-days': { type: 'string' },
  'max-history': { type: 'string' },
  'max-history-messages': { type: 'string' },
  'daily-posts': { type: 'string' },
  'daily-bytes': { type: 'string' },
} as const;

/** The usage line for them. */
export const STORAGE_USAGE =
  '[--keep-days N] [--max-history SIZE] [--max-history-messages N] [--daily-posts N] [--daily-bytes SIZE]';

type Values = Partial<Record<keyof typeof STORAGE_OPTIONS, string>>;

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/**
 * "512MB", "2G", "1.5GiB", "800k" or a plain number of bytes. Units are binary whatever their
 * spelling (1 MB = 1 MiB = 1,048,576 bytes), as disks and `du -h` show them. Null if not a size.
 */
export function parseSize(raw: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(raw);
  if (!match) return null;
  const bytes = Math.floor(Number(match[1]) * UNITS[match[2]!.toUpperCase()]!);
  return bytes >= 1 ? bytes : null;
}

/** The retention policy and daily quota the options ask for, or the sentence saying what is wrong. */
export function storageOptions(
  values: Values,
): { retention: Partial<Retention>; limits: Partial<HostLimits> } | { error: string } {
  const retention: Partial<Retention> = {};
  const limits: Partial<HostLimits> = {};
  const whole = (flag: keyof Values): number | string | undefined => {
    const raw = values[flag];
    if (raw === undefined) return undefined;
    const value = Number(raw);
    return Number.isInteger(value) && value >= 1
      ? value
      : `--${flag} must be a whole number of at least 1, not "${raw}".`;
  };
  const size = (flag: keyof Values): number | string | undefined => {
    const raw = values[flag];
    if (raw === undefined) return undefined;
    return parseSize(raw) ?? `--${flag} must be a size such as 512MB or 2GB, not "${raw}".`;
  };
  const checks: [number | string | undefined, (v: number) => void][] = [
    [whole('keep-days'), (v) => (retention.maxAgeMs = v * 86_400_000)],
    [size('max-history'), (v) => (retention.maxBytes = v)],
    [whole('max-history-messages'), (v) => (retention.maxMessages = v)],
    [whole('daily-posts'), (v) => (limits.dailyPostsPerMember = v)],
    [size('daily-bytes'), (v) => (limits.dailyBytesPerMember = v)],
  ];
  for (const [value, apply] of checks) {
    if (typeof value === 'string') return { error: value };
    if (value !== undefined) apply(value);
  }
  return { retention, limits };
}

import type { Status } from '../../shared/protocol';

/** Idle this long (no keyboard or mouse anywhere on the machine), the user shows as away. */
export const AWAY_AFTER_MS = 10 * 60 * 1000;

/**
 * What the user shows as to others: busy while Do not disturb is on (they chose not to be
 * interrupted), else away while the machine is idle, else active.
 */
export function ownStatus(quietUntil: number | null, idle: boolean, now: number): Status {
  if (quietUntil !== null && quietUntil > now) return 'busy';
  return idle ? 'away' : 'active';
}

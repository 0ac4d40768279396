/** What the reconnect benchmark compares: ways the host goes away, and members' retry schedules. */
import type { BackoffOptions } from '../../src/core/client/backoff';
import { SESSION_BACKOFF } from '../../src/core/RoomSession';
import type { Restart } from './timeline';

/** How the host goes away and how long it stays away before it is started again. */
export interface Scenario {
  label: string;
  signal: 'SIGTERM' | 'SIGKILL';
  /** Start it again this long after the kill (0: as soon as everyone noticed and queued a post). */
  outageMs: number;
}

const AT_ONCE_TERM: Scenario = { label: 'SIGTERM, restarted at once', signal: 'SIGTERM', outageMs: 0 };
const AT_ONCE_KILL: Scenario = { label: 'SIGKILL, restarted at once', signal: 'SIGKILL', outageMs: 0 };
const DOWN_5S: Scenario = { label: 'SIGTERM, down 5 s', signal: 'SIGTERM', outageMs: 5000 };
export const SCENARIOS: Scenario[] = [AT_ONCE_TERM, AT_ONCE_KILL, DOWN_5S];

export interface Schedule {
  id: 'ours' | 'doubling' | 'baseline';
  label: string;
  backoff: BackoffOptions;
  scenarios: Scenario[];
}

export const SCHEDULES: Schedule[] = [
  { id: 'ours', label: "the app's schedule", backoff: SESSION_BACKOFF, scenarios: SCENARIOS },
  {
    // The schedule before the restart window (a window as wide as maxMs is no window).
    id: 'doubling',
    label: 'before: plain doubling to 10 s',
    backoff: { ...SESSION_BACKOFF, restartMaxMs: SESSION_BACKOFF.maxMs },
    scenarios: [DOWN_5S],
  },
  {
    id: 'baseline',
    label: 'same members retrying every 25–50 ms',
    backoff: { initialMs: 50, maxMs: 50, restartMaxMs: 50 },
    scenarios: SCENARIOS,
  },
];

export type Results = Record<Schedule['id'], Restart[]>;

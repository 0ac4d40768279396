import type { Reason } from '../../../src/shared/reasons';
import type { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import { onTestFinished } from 'vitest';
import { MemberKey } from '../../../src/core/memberKey';
import type { ConnectionState } from '../../../src/shared/api';
import { RoomClient, type ClientEvents, type RoomClientOptions } from '../../../src/core/client/RoomClient';
import type { FakeRoom, FakeRoomEvents } from './fakeHost';

const WAIT_MS = 5_000;

/** A member key pair for tests: the same one for the same nickname. */
export const keyFor = (nickname: string): MemberKey =>
  MemberKey.fromSeed(createHash('sha256').update(`test-key-of-${nickname}`).digest());

/** A RoomClient for 127.0.0.1:port with quick retries, closed when the test ends. */
export function makeClient(
  port: number,
  nickname: string,
  opts: Partial<RoomClientOptions> = {},
): RoomClient {
  const client = new RoomClient({
    endpoints: [{ host: '127.0.0.1', port }],
    nickname,
    key: keyFor(nickname),
    backoff: { initialMs: 20, maxMs: 100 },
    storageRetry: { initialMs: 20, maxMs: 100 },
    ...opts,
  });
  onTestFinished(() => client.close());
  return client;
}

/** Starts a client and resolves once it is online. */
export async function joinClient(port: number, nickname: string, opts: Partial<RoomClientOptions> = {}) {
  const client = makeClient(port, nickname, opts);
  const online = stateOf(client, 'online');
  client.start();
  await online;
  return client;
}

type Waitable = RoomClient | FakeRoom;
/** The event map of what a test waits on (TypeScript cannot infer it from EventEmitter<T>). */
type EventsOf<X extends Waitable> = X extends RoomClient ? ClientEvents : FakeRoomEvents;
type Args<X extends Waitable, E extends keyof EventsOf<X>> = Extract<EventsOf<X>[E], unknown[]>;

/**
 * The next `event` whose arguments satisfy `accept`, as its argument list. Fails after a few
 * seconds with the event's name, rather than leaving the test to its global timeout.
 */
export function nextEvent<X extends Waitable, E extends keyof EventsOf<X> & string>(
  emitter: X,
  event: E,
  accept: (...args: Args<X, E>) => boolean = () => true,
): Promise<Args<X, E>> {
  const target = emitter as EventEmitter;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      target.off(event, listener);
      reject(new Error(`no matching "${event}" event within ${WAIT_MS} ms`));
    }, WAIT_MS);
    const listener = (...args: unknown[]): void => {
      if (!accept(...(args as Args<X, E>))) return;
      clearTimeout(timer);
      target.off(event, listener);
      resolve(args as Args<X, E>);
    };
    target.on(event, listener);
  });
}

/** Resolves once `check` holds, re-checking on every `event` of `emitter`. */
export async function until<X extends Waitable>(
  emitter: X,
  event: keyof EventsOf<X> & string,
  check: () => boolean,
): Promise<void> {
  if (check()) return;
  await nextEvent(emitter, event, () => check());
}

/** Resolves with [state, attempt, reason] when the client next enters `state`. */
export function stateOf(client: RoomClient, state: ConnectionState) {
  return nextEvent(client, 'state', (s) => s === state);
}

/** Records every state change of a client, for asserting on the sequence afterwards. */
export function recordStates(client: RoomClient): [ConnectionState, number, Reason | null][] {
  const seen: [ConnectionState, number, Reason | null][] = [];
  client.on('state', (...args) => seen.push(args));
  return seen;
}

/** Resolves once the client has had the last roster page since its welcome. */
export function rosterOf(client: RoomClient): Promise<void> {
  return until(client, 'roster', () => client.rosterDone);
}

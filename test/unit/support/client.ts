import type { EventEmitter } from 'node:events';
import { onTestFinished } from 'vitest';
import type { ConnectionState } from '../../../src/shared/api';
import { RoomClient, type ClientEvents, type RoomClientOptions } from '../../../src/core/client/RoomClient';

const WAIT_MS = 5_000;

/** A RoomClient for 127.0.0.1:port with quick retries, closed when the test ends. */
export function makeClient(
  port: number,
  nickname: string,
  opts: Partial<RoomClientOptions> = {},
): RoomClient {
  const client = new RoomClient({
    endpoints: [{ host: '127.0.0.1', port }],
    nickname,
    backoff: { initialMs: 20, maxMs: 100 },
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

/**
 * The next `event` whose arguments satisfy `accept`, as its argument list. Fails after a few
 * seconds with the event's name, rather than leaving the test to its global timeout.
 */
export function nextEvent<E extends keyof ClientEvents>(
  emitter: EventEmitter<ClientEvents>,
  event: E,
  accept: (...args: ClientEvents[E]) => boolean = () => true,
): Promise<ClientEvents[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener as never);
      reject(new Error(`no matching "${String(event)}" event within ${WAIT_MS} ms`));
    }, WAIT_MS);
    const listener = (...args: ClientEvents[E]): void => {
      if (!accept(...args)) return;
      clearTimeout(timer);
      emitter.off(event, listener as never);
      resolve(args);
    };
    emitter.on(event, listener as never);
  });
}

/** Resolves with [state, attempt, reason] when the client next enters `state`. */
export function stateOf(client: RoomClient, state: ConnectionState) {
  return nextEvent(client, 'state', (s) => s === state);
}

/** Records every state change of a client, for asserting on the sequence afterwards. */
export function recordStates(client: RoomClient): [ConnectionState, number, string | null][] {
  const seen: [ConnectionState, number, string | null][] = [];
  client.on('state', (...args) => seen.push(args));
  return seen;
}

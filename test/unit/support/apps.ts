import { onTestFinished } from 'vitest';
import type { EventName, EventPayload } from '../../../src/shared/api';
import { ChatApp, type ChatAppOptions } from '../../../src/core/ChatApp';
import { dispatch } from '../../../src/core/dispatch';
import { checkEvent, checkResult } from '../../support/contract';
import { tempDataDir } from './dataDir';

/**
 * A ChatApp without mDNS (unit tests never multicast), started, and stopped when the test ends;
 * rooms are joined by loopback address. `dataDir` outlives it when given (a restart).
 */
export function makeApp(
  nick: string,
  dataDir = tempDataDir(),
  options: Partial<ChatAppOptions> = {},
): ChatApp {
  const app = new ChatApp({ dataDir, defaultNickname: nick, discovery: false, ...options });
  let stopped = false;
  const stop = app.stop.bind(app);
  app.stop = () => {
    if (stopped) return Promise.resolve();
    stopped = true;
    return stop();
  };
  onTestFinished(() => app.stop());
  app.start();
  return app;
}

/** Resolves with the next `event` that passes `test`; every payload is checked against the contract. */
export function next<E extends EventName>(app: ChatApp, event: E, test: (p: EventPayload<E>) => boolean) {
  return new Promise<EventPayload<E>>((resolve) => {
    const listener = (payload: EventPayload<E>) => {
      checkEvent(event, payload);
      if (!test(payload)) return;
      app.off(event, listener as never);
      resolve(payload);
    };
    app.on(event, listener as never);
  });
}

/** Runs a command as a shell does; rejects with its code, and checks the result against the contract. */
export async function send<T = never>(app: ChatApp, command: string, payload: unknown): Promise<T> {
  const reply = await dispatch(app, command, payload);
  if (!reply.ok) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
  checkResult(command, reply.result);
  return reply.result as T;
}

export type AddressCheck = {
  room: { id: string; name: string };
  fingerprint: string;
  code: string;
  trust: string;
  pinnedCode: string | null;
};

/** Join by address as the window does: see the room and its code first, then join pinned to it. */
export async function joinAddress(app: ChatApp, port: number): Promise<AddressCheck> {
  const address = `127.0.0.1:${port}`;
  const seen: AddressCheck = await send(app, 'room:check-address', { address });
  await send(app, 'room:join-address', { address, fingerprint: seen.fingerprint });
  return seen;
}

/** Hosts `name` and waits until the host's own session in it is online; resolves with its id and port. */
export async function hostRoom(app: ChatApp, name: string): Promise<{ id: string; port: number }> {
  const room: { id: string } = await send(app, 'room:host', { name });
  await waitOnline(app, room.id);
  const port = app.snapshot().lobby.find((r) => r.id === room.id)!.endpoints[0]!.port;
  return { id: room.id, port };
}

/** Resolves once the app's session in `roomId` is online (now or by a later event). */
export async function waitOnline(app: ChatApp, roomId: string): Promise<void> {
  const online = next(app, 'session', (p) => p.roomId === roomId && p.session?.state === 'online');
  if (app.snapshot().sessions.some((s) => s.roomId === roomId && s.state === 'online')) return;
  await online;
}

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventName, EventPayload } from '../../src/shared/api';
import { ChatApp } from '../../src/core/ChatApp';
import { dispatch } from '../../src/core/dispatch';
import { fetchRoomInfo } from '../../src/core/discovery';

const apps: ChatApp[] = [];
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-app-'));
  dirs.push(dir);
  return dir;
}

/** A ChatApp without mDNS (unit tests never multicast); rooms are joined by loopback address. */
function makeApp(nick: string, dataDir = tempDir()): ChatApp {
  const app = new ChatApp({ dataDir, defaultNickname: nick, discovery: false });
  apps.push(app);
  app.start();
  return app;
}

function next<E extends EventName>(app: ChatApp, event: E, test: (p: EventPayload<E>) => boolean) {
  return new Promise<EventPayload<E>>((resolve) => {
    const listener = (payload: EventPayload<E>) => {
      if (!test(payload)) return;
      app.off(event, listener as never);
      resolve(payload);
    };
    app.on(event, listener as never);
  });
}

async function send(app: ChatApp, command: string, payload: unknown) {
  const reply = await dispatch(app, command, payload);
  if (!reply.ok) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
  return reply.result as never;
}

afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.stop()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('ChatApp', () => {
  it('hosts a room and joins it itself, online with one member', async () => {
    const alice = makeApp('Alice');
    const online = next(alice, 'session', ({ session }) => session?.state === 'online');
    const room = await send(alice, 'room:host', { name: 'Office' });
    expect(room).toMatchObject({ name: 'Office', host: 'Alice' });
    const { session } = await online;
    expect(session!.members.map((m) => m.nick)).toEqual(['Alice']);
    expect(alice.snapshot().lobby).toEqual([expect.objectContaining({ name: 'Office', mine: true })]);
  });

  it('lets a second app join by address and exchange messages, and tells the host when it leaves', async () => {
    const alice = makeApp('Alice');
    const bob = makeApp('Bob');
    await send(alice, 'room:host', { name: 'Office' });
    const port = alice.snapshot().lobby[0]!.endpoints[0]!.port;

    const joined = next(alice, 'presence', (p) => p.kind === 'joined' && p.member.nick === 'Bob');
    await send(bob, 'room:join-address', { address: `127.0.0.1:${port}` });
    expect((await joined).count).toBe(2);

    const received = next(alice, 'message', ({ message }) => message.text === 'hi');
    const { cid } = await send(bob, 'chat:send', { text: 'hi' });
    expect((await received).message.cid).toBeUndefined();
    expect(cid).toEqual(expect.any(String));

    const left = next(alice, 'presence', (p) => p.kind === 'left');
    await send(bob, 'room:leave', {});
    expect(await left).toMatchObject({ member: { nick: 'Bob' }, count: 1, reason: 'quit' });
    expect(bob.snapshot().session).toBeNull();
  });

  it('remembers the nickname and language across restarts', async () => {
    const dir = tempDir();
    const first = makeApp('Guest', dir);
    await send(first, 'settings:update', { nickname: '小明', locale: 'zh-CN' });
    await first.stop();
    const second = makeApp('Guest', dir);
    expect(second.snapshot().settings).toEqual({ nickname: '小明', locale: 'zh-CN' });
  });

  it('keeps a corrupt settings file aside and starts with defaults', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'settings.json'), '{"nickname": ');
    const app = makeApp('Guest', dir);
    expect(app.snapshot().settings).toEqual({ nickname: 'Guest', locale: null });
    const aside = readdirSync(dir).find((f) => f.startsWith('settings.json.corrupt-'));
    expect(aside).toBeDefined();
    expect(readFileSync(join(dir, aside!), 'utf8')).toBe('{"nickname": ');
  });

  it('answers unknown commands, bad payloads and commands out of place with codes, not crashes', async () => {
    const app = makeApp('Alice');
    expect(await dispatch(app, 'room:explode', {})).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_COMMAND' },
    });
    expect(await dispatch(app, '__proto__', {})).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_COMMAND' },
    });
    expect(await dispatch(app, 'room:host', { name: '' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_PAYLOAD' },
    });
    expect(await dispatch(app, 'chat:send', { text: 'x'.repeat(8001) })).toMatchObject({
      ok: false,
      error: { code: 'BAD_PAYLOAD' },
    });
    expect(await dispatch(app, 'chat:send', { text: 'hello' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_IN_ROOM' },
    });
    expect(await dispatch(app, 'room:join', { roomId: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'NO_SUCH_ROOM' },
    });
    expect(await dispatch(app, 'room:join-address', { address: 'nowhere' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_ADDRESS' },
    });
  });

  it('stops hosting: its members are closed and the room leaves the lobby', async () => {
    const alice = makeApp('Alice');
    const bob = makeApp('Bob');
    await send(alice, 'room:host', { name: 'Office' });
    const port = alice.snapshot().lobby[0]!.endpoints[0]!.port;
    const bobOnline = next(bob, 'session', ({ session }) => session?.state === 'online');
    await send(bob, 'room:join-address', { address: `127.0.0.1:${port}` });
    await bobOnline;

    const bobDropped = next(bob, 'session', ({ session }) => session?.state !== 'online');
    const hostingEnded = next(alice, 'hosting', ({ room }) => room === null);
    await send(alice, 'room:stop-hosting', {});
    await hostingEnded;
    expect(alice.snapshot()).toMatchObject({ hosting: null, session: null });
    expect(alice.snapshot().lobby.filter((r) => r.online)).toEqual([]);
    expect((await bobDropped).session!.state).toMatch(/reconnecting|offline/);
  });

  it('runs room changes one at a time: two quick "host" commands leave exactly one room', async () => {
    const alice = makeApp('Alice');
    const ports = new Set<number>();
    alice.on('lobby', ({ rooms }) => {
      for (const r of rooms) if (r.mine) ports.add(r.endpoints[0]!.port);
    });
    const [first, second] = await Promise.all([
      send(alice, 'room:host', { name: 'One' }),
      send(alice, 'room:host', { name: 'Two' }),
    ]);
    expect([(first as { name: string }).name, (second as { name: string }).name]).toEqual(['One', 'Two']);
    expect(alice.snapshot().hosting).toMatchObject({ name: 'Two' });
    expect(alice.snapshot().lobby.filter((r) => r.mine)).toHaveLength(1);
    // Both rooms were listed in turn; only the second still answers.
    const current = alice.snapshot().lobby.find((r) => r.mine)!.endpoints[0]!.port;
    const old = [...ports].filter((p) => p !== current);
    expect(old).toHaveLength(1);
    await expect(fetchRoomInfo({ host: '127.0.0.1', port: old[0]! }, 2000)).rejects.toThrow();
    await expect(fetchRoomInfo({ host: '127.0.0.1', port: current }, 2000)).resolves.toMatchObject({
      name: 'Two',
    });
  });

  it('keeps a corrupt message database aside, tells the window, and goes on working', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'member.db'), 'this is not a database, just bytes '.repeat(200));
    const alice = makeApp('Alice', dir);
    const { problems } = alice.snapshot();
    expect(problems).toEqual([
      expect.objectContaining({ code: 'STORAGE', message: expect.stringContaining('member.db') }),
    ]);
    expect(readdirSync(dir).some((f) => f.startsWith('member.db.corrupt-'))).toBe(true);

    const online = next(alice, 'session', ({ session }) => session?.state === 'online');
    await send(alice, 'room:host', { name: 'Office' });
    await online;
    const sent = next(alice, 'sent', () => true);
    await send(alice, 'chat:send', { text: 'still works' });
    expect((await sent).seq).toBe(1);
  });
});

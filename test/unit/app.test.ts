import { ReasonCode } from '../../src/shared/reasons';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChatApp } from '../../src/core/ChatApp';
import { dispatch } from '../../src/core/dispatch';
import type { DiscoveredRoom } from '../../src/core/discovery';
import { fetchInfoTls } from '../../src/core/roomInfo';
import { PROTOCOL_VERSION } from '../../src/shared/protocol';
import { guessWrong } from './support/passcode';
import { joinAddress, makeApp, next, send, type AddressCheck } from './support/apps';
import { tempDataDir } from './support/dataDir';

const tempDir = tempDataDir;

/** The app's session in its one room (these tests are in one room at a time), or null. */
function only(app: ChatApp) {
  const { sessions } = app.snapshot();
  expect(sessions.length).toBeLessThanOrEqual(1);
  return sessions[0] ?? null;
}

/** The id of the one room the app is in. */
function roomOf(app: ChatApp): string {
  return only(app)!.roomId;
}

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

  it("keeps the host's nickname for the hosting person, even while it is out of its own room", async () => {
    const alice = makeApp('Alice');
    const impostor = makeApp('Alice');
    const online = next(alice, 'session', ({ session }) => session?.state === 'online');
    const room = await send(alice, 'room:host', { name: 'Office' });
    await online;
    const port = alice.snapshot().lobby[0]!.endpoints[0]!.port;
    await send(alice, 'room:leave', { roomId: roomOf(alice) });

    const impostorOnline = next(impostor, 'session', ({ session }) => session?.state === 'online');
    await joinAddress(impostor, port);
    expect((await impostorOnline).session!.me!.nick).toBe('Alice (2)');

    const back = next(alice, 'session', ({ session }) => session?.state === 'online');
    await send(alice, 'room:join', { roomId: (room as { id: string }).id });
    expect((await back).session!.me!.nick).toBe('Alice');
  });

  it('lets a second app join by address and exchange messages, and tells the host when it leaves', async () => {
    const alice = makeApp('Alice');
    const bob = makeApp('Bob');
    await send(alice, 'room:host', { name: 'Office' });
    const port = alice.snapshot().lobby[0]!.endpoints[0]!.port;

    const joined = next(alice, 'presence', (p) => p.joined.some((m) => m.nick === 'Bob'));
    const rostered = next(bob, 'roster', (r) => r.done);
    await joinAddress(bob, port);
    expect(await joined).toEqual({
      roomId: expect.any(String),
      joined: [expect.objectContaining({ nick: 'Bob' })],
      left: [],
      statuses: [],
      count: 2,
    });
    // Bob learns who was there from the roster (no presence news), himself first.
    await rostered;
    expect(only(bob)!.members.map((m) => m.nick)).toEqual(['Bob', 'Alice']);

    const received = next(alice, 'message', ({ message }) => message.text === 'hi');
    const { cid } = await send(bob, 'chat:send', { roomId: roomOf(bob), text: 'hi' });
    expect((await received).message.cid).toBeUndefined();
    expect(cid).toEqual(expect.any(String));

    const left = next(alice, 'presence', (p) => p.left.length > 0);
    await send(bob, 'room:leave', { roomId: roomOf(bob) });
    expect(await left).toMatchObject({
      joined: [],
      left: [{ member: { nick: 'Bob' }, reason: 'quit' }],
      count: 1,
    });
    expect(only(alice)!.members.map((m) => m.nick)).toEqual(['Alice']);
    expect(only(bob)).toBeNull();
  });

  it('hosts a room with a passcode: the host joins its own room, others only with the passcode', async () => {
    const alice = makeApp('Alice');
    const bob = makeApp('Bob');
    const aliceOnline = next(alice, 'session', ({ session }) => session?.state === 'online');
    const room = await send(alice, 'room:host', { name: 'Office', passcode: 'open sesame' });
    expect(room).toMatchObject({ name: 'Office', passcode: true });
    await aliceOnline;
    const port = alice.snapshot().lobby[0]!.endpoints[0]!.port;
    const address = `127.0.0.1:${port}`;
    const seen: AddressCheck & { room: { passcode?: boolean } } = await send(bob, 'room:check-address', {
      address,
    });
    expect(seen.room.passcode).toBe(true);

    const refused = next(bob, 'session', ({ session }) => session?.state === 'offline');
    await send(bob, 'room:join-address', { address, fingerprint: seen.fingerprint, passcode: 'guess' });
    expect((await refused).session).toMatchObject({
      reason: { code: ReasonCode.BadPasscode },
      passcodeRefused: true,
    });

    // Trying again in place, with another passcode: no need to go back to the lobby.
    const online = next(bob, 'session', ({ session }) => session?.state === 'online');
    const rostered = next(bob, 'roster', (r) => r.done);
    await send(bob, 'room:reconnect', { roomId: roomOf(bob), passcode: 'open sesame' });
    const { session } = await online;
    expect(session!.passcodeRefused).toBe(false);
    await rostered;
    expect(only(bob)!.members.map((m) => m.nick)).toEqual(['Bob', 'Alice']);
  });

  it('tells the hosting person while its room’s passcode is being guessed at', async () => {
    const alice = makeApp('Alice');
    const aliceOnline = next(alice, 'session', ({ session }) => session?.state === 'online');
    await send(alice, 'room:host', { name: 'Office', passcode: 'a passcode for the office' });
    await aliceOnline;
    const port = alice.snapshot().lobby[0]!.endpoints[0]!.port;
    expect(alice.snapshot().hosting[0]?.guessing).toBeUndefined();
    const warned = next(alice, 'hosting', ({ room }) => room?.guessing !== undefined);
    // Thirty networks, one wrong guess each: no per-address limit is ever reached.
    await guessWrong(port, 30, (i) => `127.4.${i}.1`);
    expect((await warned).room!.guessing).toEqual({ failures: 30, addresses: 30, networks: 30 });
    expect(alice.snapshot().hosting[0]?.guessing).toEqual({ failures: 30, addresses: 30, networks: 30 });
  });

  it('remembers the nickname and language across restarts', async () => {
    const dir = tempDir();
    const first = makeApp('Guest', dir);
    await send(first, 'settings:update', { nickname: '小明', locale: 'zh-CN' });
    await send(first, 'settings:update', { theme: 'dark' });
    expect(first.snapshot().settings.theme).toBe('dark');
    await send(first, 'settings:update', { theme: 'system' });
    await first.stop();
    const second = makeApp('Guest', dir);
    expect(second.snapshot().settings).toMatchObject({ nickname: '小明', locale: 'zh-CN', theme: 'system' });
  });

  it('reads a settings file from before themes and notifications existed with their defaults', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ nickname: 'Mei', locale: 'zh-CN' }));
    expect(makeApp('Guest', dir).snapshot().settings).toEqual({
      nickname: 'Mei',
      locale: 'zh-CN',
      theme: 'system',
      quietUntil: null,
      notifyLevels: {},
      startAtLogin: false,
      closeAction: 'ask',
      trayNoted: false,
    });
  });

  it('keeps a corrupt settings file aside and starts with defaults', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'settings.json'), '{"nickname": ');
    const app = makeApp('Guest', dir);
    expect(app.snapshot().settings).toEqual({
      nickname: 'Guest',
      locale: null,
      theme: 'system',
      quietUntil: null,
      notifyLevels: {},
      startAtLogin: false,
      closeAction: 'ask',
      trayNoted: false,
    });
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
    expect(await dispatch(app, 'chat:send', { roomId: 'nope', text: 'x'.repeat(8001) })).toMatchObject({
      ok: false,
      error: { code: 'BAD_PAYLOAD' },
    });
    expect(await dispatch(app, 'chat:send', { roomId: 'nope', text: 'hello' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_IN_ROOM' },
    });
    expect(await dispatch(app, 'room:join', { roomId: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'NO_SUCH_ROOM' },
    });
    expect(await dispatch(app, 'room:check-address', { address: 'nowhere' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_ADDRESS' },
    });
    expect(
      await dispatch(app, 'room:join-address', { address: 'nowhere', fingerprint: 'a'.repeat(64) }),
    ).toMatchObject({ ok: false, error: { code: 'BAD_ADDRESS' } });
    // Joining by address names the certificate the user confirmed: without it, nothing is joined.
    expect(await dispatch(app, 'room:join-address', { address: '127.0.0.1:4000' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_PAYLOAD' },
    });
  });

  it('stops hosting: its members are closed, the room leaves the lobby, and the host’s own session says why', async () => {
    const alice = makeApp('Alice');
    const bob = makeApp('Bob');
    const room: { id: string } = await send(alice, 'room:host', { name: 'Office' });
    const port = alice.snapshot().lobby[0]!.endpoints[0]!.port;
    const bobOnline = next(bob, 'session', ({ session }) => session?.state === 'online');
    await joinAddress(bob, port);
    await bobOnline;

    const bobDropped = next(bob, 'session', ({ session }) => session?.state !== 'online');
    const hostingEnded = next(alice, 'hosting', ({ room }) => room === null);
    await send(alice, 'room:stop-hosting', { roomId: room.id });
    expect((await hostingEnded).roomId).toBe(room.id);
    expect(alice.snapshot().hosting).toEqual([]);
    // Her own session stays in her list, offline, to read or to host again.
    expect(only(alice)).toMatchObject({
      roomId: room.id,
      state: 'offline',
      reason: { code: 'NOT_HOSTING' },
      hostedHere: true,
    });
    expect(alice.snapshot().lobby.filter((r) => r.online)).toEqual([]);
    expect((await bobDropped).session!.state).toMatch(/reconnecting|offline/);
  });

  it('hosts several rooms at once, each its own room on its own port, and stops one without touching the other', async () => {
    const alice = makeApp('Alice');
    const [one, two]: { id: string; name: string }[] = await Promise.all([
      send(alice, 'room:host', { name: 'One' }),
      send(alice, 'room:host', { name: 'Two' }),
    ]);
    expect([one!.name, two!.name]).toEqual(['One', 'Two']);
    expect(one!.id).not.toBe(two!.id);
    expect(alice.snapshot().hosting.map((h) => h.name)).toEqual(['One', 'Two']);
    const mine = alice.snapshot().lobby.filter((r) => r.mine);
    expect(mine.map((r) => r.name).sort()).toEqual(['One', 'Two']);
    const portOf = (id: string) => mine.find((r) => r.id === id)!.endpoints[0]!.port;
    expect(portOf(one!.id)).not.toBe(portOf(two!.id));
    // Hosting a name that is hosted already is that same room, not a second listener.
    expect(await send(alice, 'room:host', { name: 'One' })).toMatchObject({ id: one!.id });
    expect(alice.snapshot().hosting).toHaveLength(2);

    await send(alice, 'room:stop-hosting', { roomId: one!.id });
    await expect(fetchInfoTls({ host: '127.0.0.1', port: portOf(one!.id) }, null, 2000)).rejects.toThrow();
    await expect(
      fetchInfoTls({ host: '127.0.0.1', port: portOf(two!.id) }, null, 2000),
    ).resolves.toMatchObject({ info: { name: 'Two' } });
    expect(alice.snapshot().hosting.map((h) => h.name)).toEqual(['Two']);
  });

  it('keeps a corrupt message database aside, tells the window, and goes on working', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'member.db'), 'this is not a database, just bytes '.repeat(200));
    const alice = makeApp('Alice', dir);
    const { problems } = alice.snapshot();
    // A code and its parameters for the window to word; the English sentence is for logs.
    expect(problems).toEqual([
      {
        code: 'STORAGE',
        message: expect.stringContaining('member.db'),
        params: {
          kind: 'damaged',
          file: 'messages',
          path: join(dir, 'member.db'),
          aside: expect.stringContaining('member.db.corrupt-'),
          detail: 'file is not a database',
        },
      },
    ]);
    expect(readdirSync(dir).some((f) => f.startsWith('member.db.corrupt-'))).toBe(true);

    const online = next(alice, 'session', ({ session }) => session?.state === 'online');
    await send(alice, 'room:host', { name: 'Office' });
    await online;
    const sent = next(alice, 'sent', () => true);
    await send(alice, 'chat:send', { roomId: roomOf(alice), text: 'still works' });
    expect((await sent).seq).toBe(1);
  });
});

describe('ChatApp certificate trust', () => {
  /** Alice hosts "Office" from `dir`; resolves with her room's id, port and certificate. */
  async function hostOffice(dir: string) {
    const alice = makeApp('Alice', dir);
    await send(alice, 'room:host', { name: 'Office' });
    const own = alice.snapshot().lobby.find((r) => r.mine)!;
    return {
      alice,
      id: own.id,
      port: own.endpoints[0]!.port,
      fingerprint: own.fingerprint!,
      code: own.code!,
    };
  }

  /**
   * Bob joins Alice's Office by address and leaves; then her host loses its identity and comes
   * back as the same room (id, history) with a new certificate.
   */
  async function reinstalledAfterBobJoined(dir: string) {
    const first = await hostOffice(dir);
    const bob = makeApp('Bob');
    await joinByAddress(bob, first.port);
    await send(bob, 'room:leave', { roomId: roomOf(bob) });
    await first.alice.stop();
    rmSync(join(dir, 'identity'), { recursive: true, force: true });
    return { first, second: await hostOffice(dir), bob };
  }

  async function joinByAddress(app: ChatApp, port: number) {
    const online = next(app, 'session', ({ session }) => session?.state === 'online');
    await joinAddress(app, port);
    return (await online).session!;
  }

  it('reports the verification code of a room joined by address, and trusts it from then on', async () => {
    const office = await hostOffice(tempDir());
    expect(office.alice.snapshot().hosting[0]!.code).toBe(office.code);
    expect(office.code).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
    const bob = makeApp('Bob');
    const session = await joinByAddress(bob, office.port);
    expect(session.code).toBe(office.code);
    expect(bob.snapshot().lobby.find((r) => r.id === office.id)).toMatchObject({
      fingerprint: office.fingerprint,
      code: office.code,
      trust: 'trusted',
    });
  });

  it('shows the room and its verification code before joining by address, and joins nothing', async () => {
    const office = await hostOffice(tempDir());
    const bob = makeApp('Bob');
    const seen: AddressCheck = await send(bob, 'room:check-address', { address: `127.0.0.1:${office.port}` });
    expect(seen).toEqual({
      address: `127.0.0.1:${office.port}`,
      invite: false,
      room: expect.objectContaining({ id: office.id, name: 'Office', host: 'Alice' }),
      fingerprint: office.fingerprint,
      code: office.code,
      trust: 'new',
      pinnedCode: null,
    });
    expect(only(bob)).toBeNull();
    expect(bob.snapshot().lobby).toEqual([]);
  });

  it('joins by address pinned to exactly the confirmed certificate, and refuses another', async () => {
    const office = await hostOffice(tempDir());
    const bob = makeApp('Bob');
    const address = `127.0.0.1:${office.port}`;
    // The address presents another certificate than the one the user confirmed: refused, unpinned.
    const other = 'ab'.repeat(32);
    const refused = send(bob, 'room:join-address', { address, fingerprint: other });
    await expect(refused).rejects.toMatchObject({ code: 'CERT_CHANGED' });
    expect(only(bob)).toBeNull();
    expect(await send(bob, 'room:check-address', { address })).toMatchObject({ trust: 'new' });

    const session = await joinByAddress(bob, office.port);
    expect(session.code).toBe(office.code);
    expect(bob.snapshot().lobby.find((r) => r.id === office.id)).toMatchObject({
      fingerprint: office.fingerprint,
      trust: 'trusted',
    });
    await send(bob, 'room:leave', { roomId: roomOf(bob) });
    expect(await send(bob, 'room:check-address', { address })).toMatchObject({
      code: office.code,
      trust: 'trusted',
      pinnedCode: null,
    });
  });

  it('refuses a room whose certificate changed since the first join (CERT_CHANGED by address, SUSPECT_ROOM from the lobby) until the user trusts it', async () => {
    const { first, second, bob } = await reinstalledAfterBobJoined(tempDir());
    expect(second.id).toBe(first.id);
    expect(second.fingerprint).not.toBe(first.fingerprint);

    const refused = send(bob, 'room:join-address', {
      address: `127.0.0.1:${second.port}`,
      fingerprint: second.fingerprint,
    });
    await expect(refused).rejects.toMatchObject({ code: 'CERT_CHANGED' });
    const message = await refused.catch((err: Error) => err.message);
    expect(message).toContain(first.code);
    expect(message).toContain(second.code);
    expect(message).toMatch(/Compare verification codes with the host before trusting it\./);
    expect(only(bob)).toBeNull();

    // Checking the address shows both codes, so the user can compare the new one with the host.
    const seen: AddressCheck = await send(bob, 'room:check-address', {
      address: `127.0.0.1:${second.port}`,
    });
    expect(seen).toMatchObject({
      fingerprint: second.fingerprint,
      code: second.code,
      trust: 'changed',
      pinnedCode: first.code,
    });

    // Listed on the LAN with the new certificate: a possible impostor (it is not the pinned one),
    // 'changed' because our own connection was shown it, and refused from the lobby too.
    const announced = { ...second, name: 'Office', host: 'Alice', members: 1, v: PROTOCOL_VERSION };
    (bob as unknown as { onRooms(rooms: DiscoveredRoom[]): void }).onRooms([
      {
        id: announced.id,
        name: announced.name,
        host: announced.host,
        members: announced.members,
        v: announced.v,
        fingerprint: second.fingerprint,
        suspect: false,
        endpoints: [{ host: '127.0.0.1', port: second.port }],
      },
    ]);
    expect(bob.snapshot().lobby.find((r) => r.id === second.id)).toMatchObject({
      trust: 'changed',
      suspect: true,
      code: second.code,
      pinnedCode: first.code,
    });
    await expect(
      send(bob, 'room:join', { roomId: second.id, fingerprint: second.fingerprint, acceptSuspect: true }),
    ).rejects.toMatchObject({ code: 'SUSPECT_ROOM' });

    // The user compared codes with Alice and accepts the new certificate.
    await send(bob, 'room:trust', { roomId: second.id, fingerprint: second.fingerprint });
    expect(bob.snapshot().lobby.find((r) => r.id === second.id)).toMatchObject({
      trust: 'trusted',
      suspect: false,
    });
    const online = next(bob, 'session', ({ session }) => session?.state === 'online');
    await send(bob, 'room:join', { roomId: second.id });
    expect((await online).session!.code).toBe(second.code);
  });

  it('joins a suspect lobby entry (another certificate for a listed room id) only with the explicit acceptSuspect choice', async () => {
    const { first, second } = await reinstalledAfterBobJoined(tempDir());
    const carol = makeApp('Carol'); // never joined: nothing pinned
    const entry = (fingerprint: string, port: number, suspect: boolean): DiscoveredRoom => ({
      id: second.id,
      name: 'Office',
      host: 'Alice',
      members: 1,
      v: PROTOCOL_VERSION,
      fingerprint,
      suspect,
      endpoints: [{ host: '127.0.0.1', port }],
    });
    (carol as unknown as { onRooms(rooms: DiscoveredRoom[]): void }).onRooms([
      entry(first.fingerprint, first.port, false),
      entry(second.fingerprint, second.port, true),
    ]);
    const lobby = carol.snapshot().lobby.filter((r) => r.id === second.id);
    expect(lobby.map((r) => [r.fingerprint, r.suspect, r.trust])).toEqual([
      [first.fingerprint, false, 'new'],
      [second.fingerprint, true, 'new'],
    ]);

    const refused = send(carol, 'room:join', { roomId: second.id, fingerprint: second.fingerprint });
    await expect(refused).rejects.toMatchObject({ code: 'SUSPECT_ROOM' });
    expect(await refused.catch((err: Error) => err.message)).toContain(second.code);
    expect(only(carol)).toBeNull();

    const online = next(carol, 'session', ({ session }) => session?.state === 'online');
    await send(carol, 'room:join', {
      roomId: second.id,
      fingerprint: second.fingerprint,
      acceptSuspect: true,
    });
    expect((await online).session!.code).toBe(second.code);
  });

  it('joins a changed room by address only after room:trust', async () => {
    const { first, second, bob } = await reinstalledAfterBobJoined(tempDir());
    const address = `127.0.0.1:${second.port}`;

    const seen: AddressCheck = await send(bob, 'room:check-address', { address });
    expect(seen).toMatchObject({ trust: 'changed', code: second.code, pinnedCode: first.code });
    await expect(
      send(bob, 'room:join-address', { address, fingerprint: seen.fingerprint }),
    ).rejects.toMatchObject({ code: 'CERT_CHANGED' });
    expect(only(bob)).toBeNull();

    await send(bob, 'room:trust', { roomId: seen.room.id, fingerprint: seen.fingerprint });
    expect(await send(bob, 'room:check-address', { address })).toMatchObject({ trust: 'trusted' });
    const online = next(bob, 'session', ({ session }) => session?.state === 'online');
    await send(bob, 'room:join-address', { address, fingerprint: seen.fingerprint });
    expect((await online).session!.code).toBe(second.code);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LobbyRoom } from '../../src/shared/api';
import { startAgent, type RunningAgent } from '../support/agents';
import { exited, startHeadlessHost } from '../support/headlessHost';
import { createLan, requireNetnsOrSkip, type Lan } from './netns';

const canRun = requireNetnsOrSkip();

/** The room as announced on the network now (a room joined before stays in the lobby, offline). */
const listed = (rooms: LobbyRoom[], name: string) => rooms.find((r) => r.name === name && r.online);

describe.skipIf(!canRun)('chatting across simulated machines', () => {
  let lan: Lan;
  const agents: RunningAgent[] = [];
  const agent = async (machine: string, nick: string, opts?: { discovery?: boolean; probeMs?: number }) => {
    const a = await startAgent(lan, machine, nick, opts);
    agents.push(a);
    return a;
  };

  beforeEach(async () => {
    lan = await createLan(['alice', 'bob', 'carol']);
  });
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.dispose()));
    await lan.destroy();
  });

  /** `host` hosts `name`; resolves with the lobby entry once every one of `others` lists it. */
  async function hostAndFind(host: RunningAgent, name: string, ...others: RunningAgent[]) {
    await host.client.send('room:host', { name });
    const seen = await Promise.all(
      others.map((o) =>
        o.client.waitFor('lobby', ({ rooms }) => !!listed(rooms, name), 20_000, `${name} in lobby`),
      ),
    );
    return seen.map(({ rooms }) => listed(rooms, name)!);
  }

  it('finds a room hosted on another machine, joins it over the LAN and chats both ways, in public and in private', async () => {
    const [alice, bob, carol] = await Promise.all([
      agent('alice', 'Alice'),
      agent('bob', 'Bob'),
      agent('carol', 'Carol'),
    ]);
    const [office] = await hostAndFind(alice, 'Office', bob, carol);
    expect(office).toMatchObject({ name: 'Office', host: 'Alice', mine: false });
    expect(office!.endpoints[0]).toEqual({ host: alice.address, port: expect.any(Number) });

    await bob.client.send('room:join', { roomId: office!.id });
    await carol.client.send('room:join', { roomId: office!.id });
    await Promise.all([alice, bob, carol].map((a) => a.client.waitForMembers(3)));
    // The lobby's member count follows the room.
    await bob.client.waitFor('lobby', ({ rooms }) => listed(rooms, 'Office')?.members === 3);

    await bob.client.send('chat:send', { roomId: bob.client.roomId, text: 'hello from bob' });
    const seenByAlice = await alice.client.waitForMessage((m) => m.text === 'hello from bob');
    expect(seenByAlice.from.nick).toBe('Bob');
    await alice.client.send('chat:send', { roomId: alice.client.roomId, text: 'hi bob, 你好' });
    await bob.client.waitForMessage((m) => m.text === 'hi bob, 你好' && m.from.nick === 'Alice');

    const aliceId = (await alice.client.sessionIn())!.me!.id;
    await bob.client.send('chat:send', { roomId: bob.client.roomId, text: 'for alice only', to: aliceId });
    await alice.client.waitForMessage((m) => m.text === 'for alice only' && m.to?.id === aliceId);
    // Carol gets the next public message, so she would already have had the private one before it.
    await bob.client.send('chat:send', { roomId: bob.client.roomId, text: 'public again' });
    await carol.client.waitForMessage((m) => m.text === 'public again');
    expect([...carol.client.messages.values()].map((m) => m.text)).not.toContain('for alice only');
  });

  it('drops a room from the lobby when its host stops, and shows its members the room offline', async () => {
    const [alice, bob] = await Promise.all([agent('alice', 'Alice'), agent('bob', 'Bob')]);
    const [office] = await hostAndFind(alice, 'Office', bob);
    await bob.client.send('room:join', { roomId: office!.id });
    await bob.client.waitFor('session', ({ session }) => session?.state === 'online');

    await alice.client.send('room:stop-hosting', { roomId: alice.client.hostedRoomId });
    await bob.client.waitFor('lobby', ({ rooms }) => !listed(rooms, 'Office'), 20_000, 'Office gone');
    await bob.client.waitFor(
      'session',
      ({ session }) => session?.state === 'offline',
      20_000,
      'session offline',
    );
  });

  it('drops a room whose host was killed with SIGKILL within 15 s, and shows its members the room offline', async () => {
    const [alice, bob] = await Promise.all([agent('alice', 'Alice'), agent('bob', 'Bob')]);
    const [office] = await hostAndFind(alice, 'Office', bob);
    await bob.client.send('room:join', { roomId: office!.id });
    await bob.client.waitFor('session', ({ session }) => session?.state === 'online');

    alice.child.kill('SIGKILL');
    // The deadline is the requirement itself: no goodbye was sent, so only the liveness probe can tell.
    await bob.client.waitFor(
      'lobby',
      ({ rooms }) => !listed(rooms, 'Office'),
      15_000,
      'Office gone within 15 s',
    );
    await bob.client.waitFor(
      'session',
      ({ session }) => session?.state === 'offline',
      5_000,
      'session offline',
    );
  });

  it('joins by address where multicast does not reach, and refuses an address with no room', async () => {
    const alice = await agent('alice', 'Alice');
    const bob = await agent('bob', 'Bob', { discovery: false });
    await alice.client.send('room:host', { name: 'Quiet' });
    const { rooms } = await alice.client.waitFor('lobby', ({ rooms }) => rooms.some((r) => r.mine));
    const port = rooms.find((r) => r.mine)!.endpoints[0]!.port;

    await expect(
      bob.client.send('room:check-address', { address: `${alice.address}:1` }),
    ).rejects.toMatchObject({
      code: 'NO_SUCH_ROOM',
    });
    await expect(bob.client.send('room:check-address', { address: 'not an address' })).rejects.toMatchObject({
      code: 'BAD_ADDRESS',
    });

    // Bob sees the room and its verification code first, then joins pinned to that certificate.
    const seen = await bob.client.send('room:check-address', { address: `${alice.address}:${port}` });
    expect(seen).toMatchObject({ room: { name: 'Quiet', host: 'Alice' }, trust: 'new', pinnedCode: null });
    expect(seen.code).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
    await bob.client.send('room:join-address', {
      address: `${alice.address}:${port}`,
      fingerprint: seen.fingerprint,
    });
    const { session } = await bob.client.waitFor('session', ({ session }) => session?.state === 'online');
    expect(session!.room).toMatchObject({ name: 'Quiet', host: 'Alice' });
    await bob.client.send('chat:send', { roomId: bob.client.roomId, text: 'knock knock' });
    await alice.client.waitForMessage((m) => m.text === 'knock knock');
  });

  it('runs a headless host that the LAN finds and joins, and that says goodbye on SIGTERM', async () => {
    // Probing once a minute: only the goodbye can make the room leave the lobby within the test.
    const bob = await agent('bob', 'Bob', { probeMs: 60_000 });
    const dir = mkdtempSync(join(tmpdir(), 'parley-cli-'));
    try {
      const host = await startHeadlessHost(lan, 'alice', ['--name', 'Lab', '--nick', 'Desk', '--data', dir]);
      expect(host.printed.join('\n')).toContain(`wss://${lan.machines.alice!.address}:${host.port}`);

      const { rooms } = await bob.client.waitFor(
        'lobby',
        ({ rooms }) => !!listed(rooms, 'Lab'),
        20_000,
        'Lab listed',
      );
      expect(listed(rooms, 'Lab')).toMatchObject({ id: host.roomId, host: 'Desk', members: 0 });
      await bob.client.send('room:join', { roomId: host.roomId });
      await bob.client.waitFor('session', ({ session }) => session?.state === 'online');

      const done = exited(host.child);
      host.child.kill('SIGTERM');
      expect(await done).toBe(0);
      await bob.client.waitFor(
        'lobby',
        ({ rooms }) => !listed(rooms, 'Lab'),
        20_000,
        'Lab gone after goodbye',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventPayload, LobbyRoom } from '../../src/shared/api';
import { startAgent, type RunningAgent } from '../support/agents';
import { exited, startHeadlessHost, type HeadlessHost } from '../support/headlessHost';
import { createLan, requireNetnsOrSkip, type Lan } from './netns';

const canRun = requireNetnsOrSkip();

const listed = (rooms: LobbyRoom[], id: string) => rooms.find((r) => r.id === id && r.online);

describe.skipIf(!canRun)('one member in rooms on several machines', () => {
  let lan: Lan;
  const agents: RunningAgent[] = [];
  const hosts: HeadlessHost[] = [];
  const dirs: string[] = [];

  beforeEach(async () => {
    lan = await createLan(['alice', 'bob', 'carol']);
  });
  afterEach(async () => {
    for (const h of hosts.splice(0)) if (h.child.exitCode === null) h.child.kill('SIGKILL');
    await Promise.all(agents.splice(0).map((a) => a.dispose()));
    await lan.destroy();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  const agent = async (machine: string, nick: string) => {
    const a = await startAgent(lan, machine, nick);
    agents.push(a);
    return a;
  };
  const headless = async (machine: string, args: string[]) => {
    const h = await startHeadlessHost(lan, machine, args);
    hosts.push(h);
    return h;
  };
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-rooms-'));
    dirs.push(dir);
    return dir;
  };
  /** Joins the room `roomId` from the lobby once it is listed there, and waits until online in it. */
  const joinListed = async (member: RunningAgent, roomId: string) => {
    await member.client.waitFor('lobby', ({ rooms }) => !!listed(rooms, roomId), 20_000, 'room listed');
    await member.client.send('room:join', { roomId });
    await member.client.waitFor(
      'session',
      (p) => p.roomId === roomId && p.session?.state === 'online',
      20_000,
      'online in the room',
    );
  };

  it('joins a room hosted by an app on A and one hosted headless on B, from C, and chats in both', async () => {
    const [alice, carol] = await Promise.all([agent('alice', 'Alice'), agent('carol', 'Carol')]);
    const office = await alice.client.send('room:host', { name: 'Office' });
    const lab = await headless('bob', ['--name', 'Lab', '--nick', 'Bench', '--data', tempDir()]);
    await joinListed(carol, office.id);
    await joinListed(carol, lab.roomId);

    const seen: EventPayload<'message'>[] = [];
    carol.client.on('message', (p: EventPayload<'message'>) => seen.push(p));
    await carol.client.send('chat:send', { roomId: office.id, text: 'hello office' });
    await carol.client.send('chat:send', { roomId: lab.roomId, text: 'hello lab' });
    await alice.client.waitForMessage((m) => m.text === 'hello office');
    await alice.client.send('chat:send', { roomId: office.id, text: 'office answers' });
    await carol.client.waitForMessage((m) => m.text === 'office answers');
    await carol.client.waitUntil(() => seen.length >= 3, 20_000, 'both rooms echoed');

    // Every message came in the room it was said in, and the host of the office never saw the lab's.
    const room = (text: string) => seen.find((p) => p.message.text === text)?.roomId;
    expect([room('hello office'), room('office answers'), room('hello lab')]).toEqual([
      office.id,
      office.id,
      lab.roomId,
    ]);
    expect([...alice.client.messages.values()].map((m) => m.text)).not.toContain('hello lab');
    const sessions = (await carol.client.send('app:snapshot', {})).sessions;
    expect(sessions.map((s) => [s.room?.name, s.state])).toEqual([
      ['Office', 'online'],
      ['Lab', 'online'],
    ]);
  });

  it('re-finds a room that came back on another port by its id, and says it moved', async () => {
    const dataDir = tempDir();
    const carol = await agent('carol', 'Carol');
    const first = await headless('bob', ['--name', 'Lab', '--data', dataDir]);
    await joinListed(carol, first.roomId);

    // Its port is taken when it comes back: the room listens elsewhere, under the same id.
    const stopped = exited(first.child);
    first.child.kill('SIGTERM');
    await stopped;
    const moved = await headless('bob', [
      '--name',
      'Lab',
      '--data',
      dataDir,
      '--port',
      String(first.port + 1),
    ]);
    expect(moved.roomId).toBe(first.roomId);
    expect(moved.port).not.toBe(first.port);

    const { session } = await carol.client.waitFor(
      'session',
      (p) => p.session?.state === 'online' && p.session.address.endsWith(`:${moved.port}`),
      30_000,
      'back online at the new port',
    );
    const bob = lan.machines.bob!.address;
    expect(session!.moved).toEqual({ from: `${bob}:${first.port}`, to: `${bob}:${moved.port}` });
    const { cid } = await carol.client.send('chat:send', { roomId: first.roomId, text: 'found you' });
    await carol.client.waitUntil(() => carol.client.acked.has(cid), 20_000, 'acked at the new port');
  });
});

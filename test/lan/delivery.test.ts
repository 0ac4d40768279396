import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../support/agents';
import { hostHistory, memberHistory, seedRoom } from '../support/databases';
import { exited, startHeadlessHost, type HeadlessHost } from '../support/headlessHost';
import { createLan, requireNetnsOrSkip, type Lan } from './netns';

const canRun = requireNetnsOrSkip();
/** A fixed port, so a restarted host is reachable where the members last saw it. */
const PORT = 41_000;

describe.skipIf(!canRun)('delivery: nothing typed is lost, nothing is shown twice', () => {
  let lan: Lan;
  let hostDir: string;
  const agents: RunningAgent[] = [];
  const hosts: HeadlessHost[] = [];

  const agent = async (machine: string, nick: string, dataDir?: string) => {
    const a = await startAgent(lan, machine, nick, { dataDir });
    agents.push(a);
    return a;
  };
  const host = async (name = 'Burst', extra: string[] = []) => {
    const h = await startHeadlessHost(lan, 'alice', [
      ...['--name', name, '--data', hostDir, '--port', String(PORT)],
      ...extra,
    ]);
    hosts.push(h);
    return h;
  };
  /** Every member's saved copy equals the host's history: same messages, same order, none twice. */
  const expectSameHistory = (h: HeadlessHost, members: RunningAgent[]) => {
    const truth = hostHistory(hostDir, h.roomId);
    expect(new Set(truth.map((m) => m.id)).size).toBe(truth.length);
    for (const m of members) expect(memberHistory(m.dataDir, h.roomId)).toEqual(truth);
    return truth;
  };
  /** Resolves once the room is announced in the agent's lobby. */
  const listedOnline = (a: RunningAgent, roomId: string) =>
    a.client.waitFor(
      'lobby',
      ({ rooms }) => rooms.some((r) => r.id === roomId && r.online),
      20_000,
      'room listed',
    );
  const drained = (a: RunningAgent, cids: string[], lastSeq: number, what: string) =>
    a.client.waitUntil(
      () => cids.every((c) => a.client.acked.has(c)) && a.client.lastSeq >= lastSeq,
      90_000,
      what,
    );

  beforeEach(async () => {
    lan = await createLan(['alice', 'bob', 'carol', 'dave']);
    hostDir = mkdtempSync(join(tmpdir(), 'parley-hostdata-'));
  });
  afterEach(async () => {
    for (const h of hosts.splice(0)) if (h.child.exitCode === null) h.child.kill('SIGKILL');
    await Promise.all(agents.splice(0).map((a) => a.dispose()));
    await lan.destroy();
    rmSync(hostDir, { recursive: true, force: true });
  });

  it('loses and repeats nothing when the host is killed mid-burst of 3 x 500 messages and restarted', async () => {
    // This is about crashes, not rate limits: the room lets each member post 500 at once.
    const burstLimits = ['--post-rate', '1000', '--post-burst', '500'];
    let h = await host('Burst', burstLimits);
    const members = await Promise.all([agent('bob', 'Bob'), agent('carol', 'Carol'), agent('dave', 'Dave')]);
    for (const m of members) {
      await listedOnline(m, h.roomId);
      await m.client.send('room:join', { roomId: h.roomId });
      await m.client.waitFor('session', ({ session }) => session?.state === 'online');
    }

    // Every member types 500 messages without waiting for delivery. The host is killed once it has
    // stored some of the first halves, while they are still arriving; the second halves are
    // typed while it is dead.
    const typeRange = (m: RunningAgent, from: number, to: number) =>
      Promise.all(
        Array.from({ length: to - from }, (_, i) =>
          m.client.send('chat:send', { roomId: m.client.roomId, text: `${m.machine} ${from + i}` }),
        ),
      );
    const firstHalves = members.map((m) => typeRange(m, 0, 250));
    await members[0]!.client.waitUntil(
      () => members[0]!.client.lastSeq >= 300,
      60_000,
      '300 messages stored',
    );
    h.child.kill('SIGKILL');
    await exited(h.child);
    const secondHalves = members.map((m) => typeRange(m, 250, 500));
    const cids = await Promise.all(
      members.map(async (_, i) =>
        [...(await firstHalves[i]!), ...(await secondHalves[i]!)].map((r) => r.cid),
      ),
    );
    expect(hostHistory(hostDir, h.roomId).length).toBeLessThan(1500);

    h = await host('Burst', burstLimits);
    await Promise.all(members.map((m, i) => drained(m, cids[i]!, 1500, `${m.machine} drained`)));
    const truth = expectSameHistory(h, members);
    expect(truth.map((m) => m.seq)).toEqual(Array.from({ length: 1500 }, (_, i) => i + 1));
    // Each member's messages are in the order they were typed.
    for (const m of members) {
      const mine = truth
        .filter((t) => t.text.startsWith(`${m.machine} `))
        .map((t) => Number(t.text.split(' ')[1]));
      expect(mine).toEqual(Array.from({ length: 500 }, (_, i) => i));
    }
  });

  it('delivers what members typed during a 20 s network cut once the link is back', async () => {
    const h = await host('Cut');
    const [bob, carol] = await Promise.all([agent('bob', 'Bob'), agent('carol', 'Carol')]);
    for (const m of [bob, carol]) {
      await listedOnline(m, h.roomId);
      await m.client.send('room:join', { roomId: h.roomId });
      await m.client.waitFor('session', ({ session }) => session?.state === 'online');
    }
    await lan.setLink('bob', false);
    const cut = Date.now();
    const bobCids: string[] = [];
    const carolCids: string[] = [];
    // Both keep typing through the cut: Bob's messages cannot leave his machine, Carol's can.
    for (let i = 0; i < 40; i++) {
      bobCids.push(
        (await bob.client.send('chat:send', { roomId: bob.client.roomId, text: `bob during cut ${i}` })).cid,
      );
      carolCids.push(
        (await carol.client.send('chat:send', { roomId: carol.client.roomId, text: `carol during cut ${i}` }))
          .cid,
      );
    }
    await carol.client.waitUntil(
      () => carolCids.every((c) => carol.client.acked.has(c)),
      30_000,
      'carol acked',
    );
    // The cut is the scenario: it lasts 20 s, whatever the members are doing meanwhile.
    await new Promise((r) => setTimeout(r, Math.max(0, 20_000 - (Date.now() - cut))));
    await lan.setLink('bob', true);

    await drained(bob, bobCids, 80, 'bob drained after the cut');
    await drained(carol, carolCids, 80, 'carol caught up');
    const truth = expectSameHistory(h, [bob, carol]);
    expect(truth).toHaveLength(80);
    expect((await bob.client.sessionIn(h.roomId))!.pending).toEqual([]);
  });

  it('delivers messages left in the outbox when the member app is restarted', async () => {
    let h = await host('Restart');
    const bobDir = mkdtempSync(join(tmpdir(), 'parley-bob-'));
    try {
      let bob = await agent('bob', 'Bob', bobDir);
      await listedOnline(bob, h.roomId);
      await bob.client.send('room:join', { roomId: h.roomId });
      await bob.client.waitFor('session', ({ session }) => session?.state === 'online');

      // The host goes away; Bob keeps typing; then Bob's app is killed outright.
      h.child.kill('SIGKILL');
      await exited(h.child);
      await bob.client.waitFor('session', ({ session }) => session?.state !== 'online');
      for (let i = 0; i < 5; i++)
        await bob.client.send('chat:send', { roomId: bob.client.roomId, text: `queued ${i}` });
      expect((await bob.client.sessionIn())!.pending).toHaveLength(5);
      bob.child.kill('SIGKILL');
      await exited(bob.child);

      // Bob's app comes back in the room by itself (it was in it when killed), queue and all.
      h = await host('Restart');
      bob = await agent('bob', 'Bob', bobDir);
      await bob.client.waitUntil(() => bob.client.lastSeq >= 5, 30_000, 'queued messages delivered');
      const truth = hostHistory(hostDir, h.roomId);
      expect(truth.map((m) => m.text)).toEqual(['queued 0', 'queued 1', 'queued 2', 'queued 3', 'queued 4']);
      expect((await bob.client.sessionIn())!.pending).toEqual([]);
    } finally {
      rmSync(bobDir, { recursive: true, force: true });
    }
  });

  it('lets a late joiner page back to message 1 of a 5,000-message room', async () => {
    const roomId = seedRoom(hostDir, 'Archive', 5000);
    const h = await host('Archive');
    expect(h.roomId).toBe(roomId);
    const bob = await agent('bob', 'Bob');
    await listedOnline(bob, roomId);
    await bob.client.send('room:join', { roomId });
    const { session } = await bob.client.waitFor(
      'session',
      ({ session }) => session?.state === 'online' && session.messages.length > 0,
    );
    expect(session!.messages.at(-1)!.seq).toBe(5000);
    expect(session!.earlier).toBe(true);

    const seqs = session!.messages.map((m) => m.seq);
    let more = true;
    while (more) {
      const page = await bob.client.send('chat:load-earlier', {
        roomId: bob.client.roomId,
        before: seqs[0]!,
      });
      seqs.unshift(...page.messages.map((m) => m.seq));
      more = page.more;
    }
    expect(seqs).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
  });
  it('keeps a saved copy to read while the host is offline, with unread counts, and rejoins when it is back', async () => {
    let h = await host('Notes');
    const [bob, carol] = await Promise.all([agent('bob', 'Bob'), agent('carol', 'Carol')]);
    for (const m of [bob, carol]) {
      await listedOnline(m, h.roomId);
      await m.client.send('room:join', { roomId: h.roomId });
      await m.client.waitFor('session', ({ session }) => session?.state === 'online');
    }
    for (let i = 0; i < 3; i++)
      await carol.client.send('chat:send', { roomId: carol.client.roomId, text: `note ${i}` });
    await bob.client.waitUntil(() => bob.client.lastSeq >= 3, 20_000, 'notes arrived');
    await bob.client.send('room:leave', { roomId: bob.client.roomId });

    h.child.kill('SIGKILL');
    await exited(h.child);
    const { rooms } = await bob.client.waitFor(
      'lobby',
      ({ rooms }) => rooms.some((r) => r.id === h.roomId && !r.online),
      20_000,
      'Notes listed as offline',
    );
    expect(rooms.find((r) => r.id === h.roomId)).toMatchObject({ name: 'Notes', online: false, unread: 3 });

    await bob.client.send('room:join', { roomId: h.roomId });
    const { session } = await bob.client.waitFor('session', ({ session }) => session?.state === 'offline');
    expect(session!.messages.map((m) => m.text)).toEqual(['note 0', 'note 1', 'note 2']);
    expect(session!.reason).toEqual({ code: 'SAVED_COPY' });
    await bob.client.send('chat:mark-read', { roomId: bob.client.roomId, conversation: '', seq: 3 });
    expect((await bob.client.sessionIn())!.unread).toEqual({});

    // The host comes back: the read-only copy turns into the live room by itself.
    h = await host('Notes');
    await bob.client.waitFor('session', ({ session }) => session?.state === 'online', 30_000, 'back online');
  });
});

import { describe, expect, it } from 'vitest';
import { FRAME_BYTES } from '../../src/core/host/presence';
import { LIMITS } from '../../src/shared/protocol';
import { manualClock, startHost } from './support/host';
import { RawPeer } from './support/RawPeer';

/**
 * A host whose presence interval never runs out during a test (its clock stands still): after
 * the first change, the next presence frame goes out only when a post makes it (the host
 * announces whoever arrived before anything it broadcasts), so what one frame gathers is the
 * test's to decide, not the machine's speed.
 */
async function heldPresenceHost(limits: Record<string, number> = {}) {
  return startHost({ clock: manualClock().now, limits: { presenceIntervalMs: 60_000, ...limits } });
}

/** `count` members joining at once, from addresses of their own (the seat caps are per address). */
function crowd(port: number, count: number, from = 10) {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      RawPeer.join(
        port,
        `Guest ${i + 1}`,
        {},
        { localAddress: `127.0.${Math.floor((from + i) / 250)}.${((from + i) % 250) + 2}` },
      ),
    ),
  );
}

describe('RoomHost presence, coalesced', () => {
  it('announces a crowd that joined between two presence frames in one frame, before the post that follows', async () => {
    const host = await heldPresenceHost();
    const alice = await RawPeer.join(host.port, 'Alice');
    const guests = await crowd(host.port, 12);
    const cid = alice.post('welcome, everyone');

    expect(await alice.next('ack')).toMatchObject({ cid });
    expect((await alice.next('message')).message.cid).toBe(cid);
    const presence = await alice.next('presence');
    expect(presence.left).toEqual([]);
    expect(presence.count).toBe(13);
    expect(new Set(presence.joined.map((m) => m.id))).toEqual(new Set(guests.map((g) => g.welcome.you.id)));
    for (const guest of guests) {
      // Its roster was the room as last announced (Alice), the frame the rest, itself left out.
      expect(guest.roster).toEqual([alice.welcome.you]);
      const told = await guest.next('presence');
      expect(told.joined).toHaveLength(11);
      expect(told.joined.map((m) => m.id)).not.toContain(guest.welcome.you.id);
      expect((await guest.next('message')).message.text).toBe('welcome, everyone');
    }
  });

  it('never announces a member that came and went between two presence frames', async () => {
    const host = await heldPresenceHost();
    const alice = await RawPeer.join(host.port, 'Alice');
    const passing = await RawPeer.join(host.port, 'Passing');
    passing.ws.close(1000);
    await passing.closed;
    const carol = await RawPeer.join(host.port, 'Carol');
    alice.post('hello');
    await alice.next('ack');
    await alice.next('message');
    expect(await alice.next('presence')).toEqual({
      type: 'presence',
      joined: [carol.welcome.you],
      left: [],
      count: 2,
    });
  });

  it('announces a member that left and came back under another name once, in its latest state', async () => {
    const host = await heldPresenceHost();
    const alice = await RawPeer.join(host.port, 'Alice');
    const bob = await RawPeer.join(host.port, 'Bob');
    alice.post('one');
    await alice.nextOf('presence');
    bob.ws.close(1000);
    await bob.closed;
    const robert = await RawPeer.join(host.port, 'Robert', { key: bob.key });
    alice.post('two');
    await alice.next('ack');
    await alice.next('message');
    expect(await alice.next('presence')).toEqual({
      type: 'presence',
      joined: [{ id: bob.welcome.you.id, nick: 'Robert' }],
      left: [],
      count: 2,
    });
    expect(robert.welcome.you.id).toBe(bob.welcome.you.id);
  });

  it('sends a big room’s roster in pages of about a kilobyte, the last one done', async () => {
    const members = 120;
    const host = await startHost({
      limits: { presenceIntervalMs: 0, maxUnjoinedPerPrefix: 1_000, maxSeatsPerPrefix: 1_000 },
    });
    const first = await RawPeer.join(host.port, 'First');
    const guests = await crowd(host.port, members - 1);
    await first.present(members, first.welcome.you);

    const late = await RawPeer.connect(host.port, { localAddress: '127.0.9.9' });
    late.hello('Late');
    await late.next('welcome');
    const pages = [await late.next('roster')];
    while (!pages.at(-1)!.done) pages.push(await late.next('roster'));
    // ~45 bytes a member here: FRAME_BYTES holds about 22 of them, well under LIMITS.rosterPage.
    expect(pages.length).toBeGreaterThanOrEqual(Math.ceil((members * 45) / FRAME_BYTES));
    for (const page of pages) {
      expect(page.members.length).toBeLessThanOrEqual(LIMITS.rosterPage);
      expect(Buffer.byteLength(JSON.stringify(page.members))).toBeLessThanOrEqual(FRAME_BYTES + 2);
    }
    const ids = pages.flatMap((p) => p.members.map((m) => m.id));
    // Join order: the first to come is first.
    expect(ids[0]).toBe(first.welcome.you.id);
    expect(new Set(ids)).toEqual(new Set([first, ...guests].map((p) => p.welcome.you.id)));
    expect(ids).toHaveLength(members);
  }, 30_000);

  it('announces a crowd too big for one frame in several, every one of them before the post that follows', async () => {
    const host = await heldPresenceHost({ maxUnjoinedPerPrefix: 1_000, maxSeatsPerPrefix: 1_000 });
    const alice = await RawPeer.join(host.port, 'Alice');
    const guests = await crowd(host.port, 60);
    const cid = alice.post('welcome, everyone');

    expect(await alice.next('ack')).toMatchObject({ cid });
    expect((await alice.next('message')).message.cid).toBe(cid);
    const frames = [];
    const joined = new Set<string>();
    while (joined.size < guests.length) {
      const frame = await alice.next('presence');
      expect(Buffer.byteLength(JSON.stringify(frame.joined))).toBeLessThanOrEqual(FRAME_BYTES + 2);
      for (const member of frame.joined) joined.add(member.id);
      frames.push(frame);
    }
    expect(frames.length).toBeGreaterThan(1);
    expect(joined).toEqual(new Set(guests.map((g) => g.welcome.you.id)));
    // The last guest heard of everyone else, and of the post, in the same order.
    const last = guests.at(-1)!;
    const heard = new Set(last.roster.map((m) => m.id));
    for (let frame = await last.next(); frame.type !== 'message'; frame = await last.next()) {
      if (frame.type === 'presence') for (const member of frame.joined) heard.add(member.id);
    }
    expect(heard.size).toBe(guests.length);
  }, 30_000);

  it('sends an empty room’s newcomer one empty roster page that says done', async () => {
    const host = await startHost();
    const alone = await RawPeer.connect(host.port);
    alone.hello('Alone');
    await alone.next('welcome');
    expect(await alone.next('roster')).toEqual({ type: 'roster', members: [], done: true });
  });
});

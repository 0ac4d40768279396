import { describe, expect, it } from 'vitest';
import type { Member } from '../../src/shared/protocol';
import type { PresenceChange } from '../../src/core/client/RoomClient';
import { joinClient, makeClient, nextEvent, rosterOf, stateOf } from './support/client';
import { FakeRoom, startFakeHost, welcomeFor } from './support/fakeHost';

const people = (n: number, prefix = 'p'): Member[] =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}`, nick: `Person ${i}` }));

describe('RoomClient presence (protocol 4)', () => {
  it('learns who is in the room from a roster sent over several pages, as pages and not as joins', async () => {
    const room = await FakeRoom.start({ rosterPage: 2 });
    const seated = people(5);
    room.seat(...seated);
    const client = makeClient(room.port, 'Alice');
    const pages: [Member[], boolean][] = [];
    const changes: PresenceChange[] = [];
    client.on('roster', (...page) => pages.push(page));
    client.on('presence', (change) => changes.push(change));
    client.start();
    await rosterOf(client);

    expect(pages).toEqual([
      [seated.slice(0, 2), false],
      [seated.slice(2, 4), false],
      [seated.slice(4), true],
    ]);
    expect(client.members).toEqual([client.me, ...seated]);
    expect(client.room?.members).toBe(6);
    expect(changes).toEqual([]);
  });

  it('knows only itself right after the welcome, and has its roster done after an empty last page', async () => {
    const room = await FakeRoom.start();
    const client = makeClient(room.port, 'Alice');
    const seenAtWelcome: Member[][] = [];
    client.on('welcome', () => seenAtWelcome.push(client.members));
    const page = nextEvent(client, 'roster');
    client.start();
    expect(await page).toEqual([[], true]);
    expect(seenAtWelcome).toEqual([[client.me]]);
    expect(client.rosterDone).toBe(true);
  });

  it('treats a roster page naming itself, or a member twice, as no news', async () => {
    const bob = { id: 'bob', nick: 'Bob' };
    const port = await startFakeHost(({ hello, send }) => {
      const welcome = welcomeFor(hello);
      send(welcome);
      send({ type: 'roster', members: [welcome.you, bob], done: false });
      send({ type: 'roster', members: [bob], done: true });
    });
    const client = makeClient(port, 'Alice');
    const pages: [Member[], boolean][] = [];
    client.on('roster', (...page) => pages.push(page));
    client.start();
    await rosterOf(client);
    expect(pages).toEqual([
      [[bob], false],
      [[], true],
    ]);
    expect(client.members).toEqual([client.me, bob]);
  });

  it('applies joined as an upsert: a known member under the same nickname is no news, a new nickname is', async () => {
    const room = await FakeRoom.start();
    const bob = { id: 'bob', nick: 'Bob' };
    const carol = { id: 'carol', nick: 'Carol' };
    room.seat(bob);
    const client = await joinClient(room.port, 'Alice');
    await rosterOf(client);

    const first = nextEvent(client, 'presence');
    room.announce({ joined: [bob, carol], count: 3 });
    expect((await first)[0]).toEqual({ joined: [carol], left: [], statuses: [], count: 3 });

    const renamed = { id: 'bob', nick: 'Bobby' };
    const second = nextEvent(client, 'presence');
    room.announce({ joined: [carol, renamed], count: 3 });
    expect((await second)[0]).toEqual({ joined: [renamed], left: [], statuses: [], count: 3 });
    // Back under a new name is a new join: it goes to the end of the join order.
    expect(client.members).toEqual([client.me, carol, renamed]);
  });

  it('ignores a leave of a member it never knew, and never lists itself as joined or left', async () => {
    const room = await FakeRoom.start();
    const client = await joinClient(room.port, 'Alice');
    await rosterOf(client);
    const me = client.me!;
    const ghost = { id: 'ghost', nick: 'Came and went' };
    const dan = { id: 'dan', nick: 'Dan' };

    const changes: PresenceChange[] = [];
    client.on('presence', (change) => changes.push(change));
    const next = nextEvent(client, 'presence');
    // Nothing in this one is news for Alice, and the count stays 1: no event at all.
    room.announce({ joined: [me], left: [{ member: ghost, reason: 'quit' }], count: 1 });
    room.announce({ joined: [dan], left: [{ member: me, reason: 'dropped' }], count: 2 });
    await next;
    expect(changes).toEqual([{ joined: [dan], left: [], statuses: [], count: 2 }]);
    expect(client.members).toEqual([me, dan]);
  });

  it('reports a count change alone, with nothing joined or left', async () => {
    const room = await FakeRoom.start();
    const client = await joinClient(room.port, 'Alice');
    await rosterOf(client);
    const change = nextEvent(client, 'presence');
    // Someone came and went within one window: Alice never knew them, but the count moved.
    room.announce({ left: [{ member: { id: 'x', nick: 'X' }, reason: 'quit' }], count: 2 });
    expect((await change)[0]).toEqual({ joined: [], left: [], statuses: [], count: 2 });
    expect(client.room?.members).toBe(2);
  });

  it('reports a whole batch of leaves at once, with their reasons and the nicknames they were known by', async () => {
    const room = await FakeRoom.start();
    const [bob, carol, dan] = people(3);
    room.seat(bob!, carol!, dan!);
    const client = await joinClient(room.port, 'Alice');
    await rosterOf(client);
    const change = nextEvent(client, 'presence');
    room.announce({
      left: [
        { member: bob!, reason: 'quit' },
        // The host names a member in its latest state; the client says who left as it knew it.
        { member: { ...carol!, nick: 'Renamed' }, reason: 'dropped' },
      ],
      count: 2,
    });
    expect((await change)[0]).toEqual({
      joined: [],
      left: [
        { member: bob, reason: 'quit' },
        { member: carol, reason: 'dropped' },
      ],
      statuses: [],
      count: 2,
    });
    expect(client.members).toEqual([client.me, dan]);
  });

  it('starts over from the roster at every welcome: who left while it was away is gone', async () => {
    const room = await FakeRoom.start();
    const [bob] = people(1);
    room.seat(bob!);
    const client = await joinClient(room.port, 'Alice');
    await rosterOf(client);
    expect(client.members).toEqual([client.me, bob]);

    // Bob leaves while Alice is away; no presence frame can tell her.
    const carol = { id: 'carol', nick: 'Carol' };
    const atWelcome: [boolean, Member[]][] = [];
    client.on('welcome', () => atWelcome.push([client.rosterDone, client.members]));
    const back = stateOf(client, 'online');
    room.unseat(bob!);
    room.seat(carol);
    room.drop();
    await back;
    await rosterOf(client);
    expect(atWelcome).toEqual([[false, [client.me]]]);
    expect(client.members).toEqual([client.me, carol]);
  });

  it('delivers a message from a member its roster has not named yet', async () => {
    const room = await FakeRoom.start();
    const client = await joinClient(room.port, 'Alice');
    await rosterOf(client);
    const stranger = { id: 'stranger', nick: 'Not announced yet' };
    const message = nextEvent(client, 'message');
    room.say('hello before my join was announced', stranger);
    expect((await message)[0]).toMatchObject({ from: stranger, text: 'hello before my join was announced' });
    expect(client.members).toEqual([client.me]);
  });
});

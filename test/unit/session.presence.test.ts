import { describe, expect, it, onTestFinished } from 'vitest';
import type { EventPayload } from '../../src/shared/api';
import { RoomSession } from '../../src/core/RoomSession';
import type { Member } from '../../src/shared/protocol';
import { openMemberDb, tempDataDir } from './support/dataDir';
import { FakeRoom } from './support/fakeHost';

/** A window's session joined to `room` by loopback address, closed when the test ends. */
function sessionIn(room: FakeRoom): RoomSession {
  const session = new RoomSession({
    roomId: 'fake-room',
    endpoints: [{ host: '127.0.0.1', port: room.port }],
    nickname: 'Ann',
    store: openMemberDb(tempDataDir()),
  });
  onTestFinished(() => session.close());
  return session;
}

function next<E extends 'roster' | 'presence'>(
  session: RoomSession,
  event: E,
  accept: (payload: EventPayload<E>) => boolean = () => true,
): Promise<EventPayload<E>> {
  return new Promise((resolve) => {
    const listener = (payload: EventPayload<E>) => {
      if (!accept(payload)) return;
      session.off(event, listener as never);
      resolve(payload);
    };
    session.on(event, listener as never);
  });
}

const people = (n: number): Member[] => Array.from({ length: n }, (_, i) => ({ id: `p${i}`, nick: `P${i}` }));

describe('RoomSession presence events', () => {
  it('passes each roster page to the window as one roster event, and the session lists them after', async () => {
    const room = await FakeRoom.start({ rosterPage: 3 });
    const seated = people(7);
    room.seat(...seated);
    const session = sessionIn(room);
    const pages: EventPayload<'roster'>[] = [];
    session.on('roster', (page) => pages.push(page));
    const presence: EventPayload<'presence'>[] = [];
    session.on('presence', (change) => presence.push(change));
    const online: EventPayload<'session'>['session'][] = [];
    session.on('session', ({ session: s }) => s?.state === 'online' && online.push(s));
    const done = next(session, 'roster', (page) => page.done);
    session.connect();
    await done;
    // The welcome's session knows only Ann, and says its list is not whole yet.
    expect(online[0]).toMatchObject({ members: [{ nick: 'Ann' }], rosterDone: false });
    expect(session.snapshot().rosterDone).toBe(true);
    expect(pages).toEqual([
      { roomId: 'fake-room', members: seated.slice(0, 3), done: false },
      { roomId: 'fake-room', members: seated.slice(3, 6), done: false },
      { roomId: 'fake-room', members: seated.slice(6), done: true },
    ]);
    expect(presence).toEqual([]);
    expect(session.snapshot().members.map((m) => m.nick)).toEqual(['Ann', ...seated.map((m) => m.nick)]);
  });

  it('passes a presence frame to the window as one batch, with reasons and the count', async () => {
    const room = await FakeRoom.start();
    const [bob, carol, dan] = people(3);
    room.seat(bob!);
    const session = sessionIn(room);
    const done = next(session, 'roster', (page) => page.done);
    session.connect();
    await done;
    const batch = next(session, 'presence');
    room.announce({ joined: [carol!, dan!], left: [{ member: bob!, reason: 'dropped' }], count: 3 });
    expect(await batch).toEqual({
      roomId: 'fake-room',
      joined: [carol, dan],
      left: [{ member: bob, reason: 'dropped' }],
      statuses: [],
      count: 3,
    });
    expect(session.snapshot().members.map((m) => m.nick)).toEqual(['Ann', 'P1', 'P2']);
    expect(session.snapshot().room?.members).toBe(3);
  });
});

/**
 * One app in several rooms at once: each room its own session (connection, outbox, saved copy),
 * isolated from the others, and the rooms the user is in come back with the app.
 */
import { describe, expect, it } from 'vitest';
import type { ChatApp } from '../../src/core/ChatApp';
import type { EventPayload } from '../../src/shared/api';
import { hostRoom, joinAddress, makeApp, next, send, waitOnline } from './support/apps';
import { tempDataDir } from './support/dataDir';

function sessionIn(app: ChatApp, roomId: string) {
  return app.snapshot().sessions.find((s) => s.roomId === roomId);
}

/** Alice hosts Office, Carol hosts Lab; Bob joins both by address. */
async function bobInTwoRooms(bobDir?: string) {
  const alice = makeApp('Alice');
  const carol = makeApp('Carol');
  const office = await hostRoom(alice, 'Office');
  const lab = await hostRoom(carol, 'Lab');
  const bob = makeApp('Bob', bobDir);
  // Each host has announced Bob before the test goes on: a join and a leave within one presence
  // interval cancel out, and a test that leaves must have been seen to arrive.
  const announced = [alice, carol].map((host) =>
    next(host, 'presence', (p) => p.joined.some((m) => m.nick === 'Bob')),
  );
  await joinAddress(bob, office.port);
  await waitOnline(bob, office.id);
  await joinAddress(bob, lab.port);
  await waitOnline(bob, lab.id);
  await Promise.all(announced);
  return { alice, carol, bob, office, lab };
}

describe('an app in several rooms', () => {
  it('is in two rooms hosted by two apps at once, and a message in one never appears in the other', async () => {
    const { alice, carol, bob, office, lab } = await bobInTwoRooms();
    expect(bob.snapshot().sessions.map((s) => [s.roomId, s.room?.name, s.state])).toEqual([
      [office.id, 'Office', 'online'],
      [lab.id, 'Lab', 'online'],
    ]);

    const seenByBob: EventPayload<'message'>[] = [];
    bob.on('message', (p) => seenByBob.push(p));
    const carolHears = next(carol, 'message', ({ message }) => message.text === 'to the lab');
    const aliceHears = next(alice, 'message', ({ message }) => message.text === 'to the office');
    const labAck = next(bob, 'sent', (p) => p.roomId === lab.id);
    const officeAck = next(bob, 'sent', (p) => p.roomId === office.id);
    await send(bob, 'chat:send', { roomId: office.id, text: 'to the office' });
    await send(bob, 'chat:send', { roomId: lab.id, text: 'to the lab' });
    expect((await aliceHears).roomId).toBe(office.id);
    expect((await carolHears).roomId).toBe(lab.id);
    await Promise.all([labAck, officeAck]);

    // Each app's own room holds only what was said in it; Bob's saved copies likewise.
    expect(sessionIn(alice, office.id)!.messages.map((m) => m.text)).toEqual(['to the office']);
    expect(sessionIn(carol, lab.id)!.messages.map((m) => m.text)).toEqual(['to the lab']);
    expect(sessionIn(bob, office.id)!.messages.map((m) => m.text)).toEqual(['to the office']);
    expect(sessionIn(bob, lab.id)!.messages.map((m) => m.text)).toEqual(['to the lab']);
    // Every message event Bob's window heard named the room it was said in.
    for (const { roomId, message } of seenByBob) {
      expect(roomId).toBe(message.text === 'to the lab' ? lab.id : office.id);
    }
  });

  it('leaves one room and stays in the other, online and able to send', async () => {
    const { alice, carol, bob, office, lab } = await bobInTwoRooms();
    const bobLeft = next(alice, 'presence', (p) => p.left.some((l) => l.member.nick === 'Bob'));
    const gone = next(bob, 'session', (p) => p.roomId === office.id && p.session === null);
    await send(bob, 'room:leave', { roomId: office.id });
    await gone;
    expect((await bobLeft).roomId).toBe(office.id);

    expect(bob.snapshot().sessions.map((s) => [s.roomId, s.state])).toEqual([[lab.id, 'online']]);
    const carolHears = next(carol, 'message', ({ message }) => message.text === 'still here');
    await send(bob, 'chat:send', { roomId: lab.id, text: 'still here' });
    await carolHears;
    await expect(send(bob, 'chat:send', { roomId: office.id, text: 'gone' })).rejects.toMatchObject({
      code: 'NOT_IN_ROOM',
    });
  });

  it('hosts a room and is in another app’s room at once, each with its own members', async () => {
    const alice = makeApp('Alice');
    const bob = makeApp('Bob');
    const office = await hostRoom(alice, 'Office');
    const garage = await hostRoom(bob, 'Garage');
    await joinAddress(bob, office.port);
    await waitOnline(bob, office.id);
    expect(bob.snapshot().hosting.map((h) => h.id)).toEqual([garage.id]);
    expect(sessionIn(bob, garage.id)!.room).toMatchObject({ name: 'Garage', host: 'Bob', members: 1 });
    expect(sessionIn(bob, office.id)!.room).toMatchObject({ name: 'Office', host: 'Alice', members: 2 });
  });

  it('rejoins at start every room the user was in, but not one they left', async () => {
    const bobDir = tempDataDir();
    const { bob, office, lab } = await bobInTwoRooms(bobDir);
    await send(bob, 'room:leave', { roomId: office.id });
    await bob.stop();

    const again = makeApp('Bob', bobDir);
    // The lab is rejoined at the address it was reached at, pinned to the certificate trusted then.
    await waitOnline(again, lab.id);
    expect(again.snapshot().sessions.map((s) => s.roomId)).toEqual([lab.id]);
    // The office was left, not forgotten: its saved copy is still listed in the lobby.
    expect(again.snapshot().lobby.find((r) => r.id === office.id)).toMatchObject({ name: 'Office' });
  });

  it('forgets a room: its saved copy and listing go, the other room stays', async () => {
    const bobDir = tempDataDir();
    const { bob, alice, office, lab } = await bobInTwoRooms(bobDir);
    const stored = next(bob, 'sent', (p) => p.roomId === office.id);
    await send(bob, 'chat:send', { roomId: office.id, text: 'kept until forgotten' });
    await stored;
    const aliceSaw = next(alice, 'presence', (p) => p.left.length > 0);
    await send(bob, 'room:forget', { roomId: office.id });
    await aliceSaw;
    expect(bob.snapshot().lobby.some((r) => r.id === office.id)).toBe(false);
    expect(bob.snapshot().sessions.map((s) => s.roomId)).toEqual([lab.id]);
    await bob.stop();

    // Nothing of it comes back after a restart either, and joining it again starts afresh.
    const again = makeApp('Bob', bobDir);
    expect(again.snapshot().lobby.some((r) => r.id === office.id)).toBe(false);
    await joinAddress(again, office.port);
    await waitOnline(again, office.id);
    const session = sessionIn(again, office.id)!;
    // The host still has the message, and sends it in the welcome: the saved copy is rebuilt from it.
    expect(session.messages.map((m) => m.text)).toEqual(['kept until forgotten']);
    expect(session.unread).toEqual({});
  });
});

describe('posts under the window’s own client id', () => {
  it('files a post under the cid the window chose, and the same cid again as that same post, once', async () => {
    const alice = makeApp('Alice');
    const office = await hostRoom(alice, 'Office');
    const acked = next(alice, 'sent', (p) => p.cid === 'typed-here-1');
    const first = await send<{ cid: string }>(alice, 'chat:send', {
      roomId: office.id,
      cid: 'typed-here-1',
      text: 'once',
    });
    const again = await send<{ cid: string }>(alice, 'chat:send', {
      roomId: office.id,
      cid: 'typed-here-1',
      text: 'once',
    });
    expect([first.cid, again.cid]).toEqual(['typed-here-1', 'typed-here-1']);
    expect((await acked).roomId).toBe(office.id);
    const later = next(alice, 'sent', (p) => p.cid === 'typed-here-2');
    await send(alice, 'chat:send', { roomId: office.id, cid: 'typed-here-2', text: 'then this' });
    await later;
    expect(sessionIn(alice, office.id)!.messages.map((m) => m.text)).toEqual(['once', 'then this']);
  });
});

describe('trust and ownership as the window shows them', () => {
  it('marks a room verified only once the user compared its code (room:trust), not on first use', async () => {
    const alice = makeApp('Alice');
    const office = await hostRoom(alice, 'Office');
    const lab = await hostRoom(alice, 'Lab');
    const bob = makeApp('Bob');
    // The lab is joined on first use; the office after comparing its code.
    await joinAddress(bob, lab.port);
    const seen = await send<{ fingerprint: string }>(bob, 'room:check-address', {
      address: `127.0.0.1:${office.port}`,
    });
    await send(bob, 'room:trust', { roomId: office.id, fingerprint: seen.fingerprint });
    await joinAddress(bob, office.port);
    await Promise.all([waitOnline(bob, lab.id), waitOnline(bob, office.id)]);
    expect(sessionIn(bob, office.id)!.verified).toBe(true);
    expect(sessionIn(bob, lab.id)!.verified).toBe(false);
    const lobby = bob.snapshot().lobby;
    expect(lobby.find((r) => r.id === office.id)).toMatchObject({ trust: 'trusted', verified: true });
    expect(lobby.find((r) => r.id === lab.id)).toMatchObject({ trust: 'trusted', verified: false });
  });

  it('reopens a room it hosted, at start, as not hosted now, until it is hosted again', async () => {
    const dir = tempDataDir();
    const first = makeApp('Alice', dir);
    const office = await hostRoom(first, 'Office');
    await first.stop();

    const again = makeApp('Alice', dir);
    expect(sessionIn(again, office.id)).toMatchObject({
      state: 'offline',
      reason: { code: 'NOT_HOSTING' },
      hostedHere: true,
      room: { name: 'Office' },
    });
    // Hosting its name again brings the same room back, and the session into it.
    const back = await hostRoom(again, 'Office');
    expect(back.id).toBe(office.id);
    expect(sessionIn(again, office.id)).toMatchObject({ state: 'online', hostedHere: true });
  });
});

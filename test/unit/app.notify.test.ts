import { describe, expect, it } from 'vitest';
import type { EventPayload } from '../../src/shared/api';
import type { ChatApp } from '../../src/core/ChatApp';
import { checkEvent } from '../support/contract';
import { hostRoom, joinAddress, makeApp, next, send, waitOnline } from './support/apps';
import { tempDataDir } from './support/dataDir';

type Request = EventPayload<'notify'>;

/** Every notification request the app makes, checked against the contract. */
function recordNotifications(app: ChatApp): Request[] {
  const seen: Request[] = [];
  app.on('notify', (request) => {
    checkEvent('notify', request);
    seen.push(request);
  });
  return seen;
}

/** Alice hosts Office; Bob (whose data folder is `bobDir`) is in it. */
async function officeWithBob(bobDir = tempDataDir()) {
  const alice = makeApp('Alice');
  const office = await hostRoom(alice, 'Office');
  const bob = makeApp('Bob', bobDir);
  await joinAddress(bob, office.port);
  await waitOnline(bob, office.id);
  const bobId = bob.snapshot().sessions.find((s) => s.roomId === office.id)!.me!.id;
  return { alice, bob, office, bobId };
}

/** Alice says `text` (to Bob alone with `to`); resolves once Bob has it, notified or not. */
async function say(alice: ChatApp, bob: ChatApp, roomId: string, text: string, to?: string) {
  const arrived = next(bob, 'message', (p) => p.message.text === text);
  await send(alice, 'chat:send', { roomId, text, ...(to && { to }) });
  await arrived;
}

describe('notifications a member app asks for', () => {
  it('asks for one per message in a small room, with the sender, the room and a preview', async () => {
    const { alice, bob, office } = await officeWithBob();
    const asked = recordNotifications(bob);
    await say(alice, bob, office.id, 'Lunch at noon?');
    expect(asked).toEqual([
      {
        kind: 'message',
        roomId: office.id,
        roomName: 'Office',
        conversation: '',
        seq: expect.any(Number),
        from: 'Alice',
        private: false,
        mention: false,
        preview: 'Lunch at noon?',
      },
    ]);
  });

  it('stays quiet for what the focused window shows, and for the member’s own messages', async () => {
    const { alice, bob, office, bobId } = await officeWithBob();
    const asked = recordNotifications(bob);
    await send(bob, 'app:attention', { focused: true, viewing: { roomId: office.id, conversation: '' } });
    await say(alice, bob, office.id, 'you are reading this');
    const own = next(bob, 'message', (p) => p.message.text === 'mine');
    await send(bob, 'chat:send', { roomId: office.id, text: 'mine' });
    await own;
    expect(asked).toEqual([]);
    // A private message is another conversation: it notifies.
    await say(alice, bob, office.id, 'psst', bobId);
    expect(asked).toEqual([expect.objectContaining({ private: true, preview: 'psst' })]);
    // The same window, not focused: the room it shows notifies again.
    await send(bob, 'app:attention', { focused: false, viewing: { roomId: office.id, conversation: '' } });
    await say(alice, bob, office.id, 'while you look away');
    expect(asked.at(-1)).toMatchObject({ private: false, preview: 'while you look away' });
  });

  it('is silent during do-not-disturb, and keeps a muted room quiet except for private messages', async () => {
    const { alice, bob, office, bobId } = await officeWithBob();
    const asked = recordNotifications(bob);
    await send(bob, 'settings:update', { quietUntil: Date.now() + 3_600_000 });
    await say(alice, bob, office.id, 'during the meeting', bobId);
    expect(asked).toEqual([]);
    await send(bob, 'settings:update', { quietUntil: null });
    const settings: { notifyLevels: Record<string, string> } = await send(bob, 'room:notify-level', {
      roomId: office.id,
      level: 'nothing',
    });
    expect(settings.notifyLevels).toEqual({ [office.id]: 'nothing' });
    await say(alice, bob, office.id, 'room chatter');
    expect(asked).toEqual([]);
    await say(alice, bob, office.id, 'but this is for you', bobId);
    expect(asked).toEqual([expect.objectContaining({ private: true })]);
    const reset: { notifyLevels: Record<string, string> } = await send(bob, 'room:notify-level', {
      roomId: office.id,
      level: 'default',
    });
    expect(reset.notifyLevels).toEqual({});
  });

  it('sums up what was said while the app was closed in one notification, not one per message', async () => {
    const bobDir = tempDataDir();
    const { alice, bob, office } = await officeWithBob(bobDir);
    await bob.stop();
    for (let i = 1; i <= 12; i++)
      await send(alice, 'chat:send', { roomId: office.id, text: `while away ${i}` });

    const again = makeApp('Bob', bobDir);
    const asked = recordNotifications(again);
    const summary = next(again, 'notify', () => true);
    expect(await summary).toMatchObject({
      kind: 'summary',
      roomId: office.id,
      roomName: 'Office',
      count: 12,
      personal: false,
      conversation: '',
    });
    await waitOnline(again, office.id);
    expect(asked).toHaveLength(1);
  });

  it('does not notify the latest messages of a room joined for the first time', async () => {
    const alice = makeApp('Alice');
    const office = await hostRoom(alice, 'Office');
    for (let i = 1; i <= 5; i++) await send(alice, 'chat:send', { roomId: office.id, text: `before ${i}` });
    const bob = makeApp('Bob');
    const asked = recordNotifications(bob);
    const loaded = next(bob, 'session', (p) => p.session?.messages.length === 5);
    await joinAddress(bob, office.port);
    await loaded;
    expect(asked).toEqual([]);
  });

  it('counts what waits unread in every room together, private messages apart, for the badge', async () => {
    const { alice, bob, office } = await officeWithBob();
    const lab = await hostRoom(alice, 'Lab');
    await joinAddress(bob, lab.port);
    await waitOnline(bob, lab.id);
    // Member ids are per room: Bob's in Lab is not his in Office.
    const bobInLab = bob.snapshot().sessions.find((s) => s.roomId === lab.id)!.me!.id;
    const counted = (total: number, personal: number) =>
      next(bob, 'unread', (p) => p.total === total && p.personal === personal);
    let totals = counted(2, 1);
    await say(alice, bob, office.id, 'in the office');
    await say(alice, bob, lab.id, 'for you in the lab', bobInLab);
    await totals;
    // Each room with anything unread, for the tray, in the order Bob joined them.
    expect(bob.unreadTotals).toEqual({
      total: 2,
      personal: 1,
      rooms: [
        { roomId: office.id, name: 'Office', count: 1 },
        { roomId: lab.id, name: 'Lab', count: 1 },
      ],
    });
    // Reading the office brings the count down.
    const seq = bob
      .snapshot()
      .sessions.find((s) => s.roomId === office.id)!
      .messages.at(-1)!.seq;
    totals = counted(1, 1);
    await send(bob, 'chat:mark-read', { roomId: office.id, conversation: '', seq });
    expect((await totals).rooms).toEqual([{ roomId: lab.id, name: 'Lab', count: 1 }]);
  });
});

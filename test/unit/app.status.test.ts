/**
 * What a member shows as to the others: away when its machine is idle, busy in Do not disturb,
 * active otherwise, across the room and through a reconnect.
 */
import { describe, expect, it, vi } from 'vitest';
import type { ChatApp } from '../../src/core/ChatApp';
import { StatusSender } from '../../src/core/client/StatusSender';
import { ownStatus } from '../../src/core/attention/ownStatus';
import { LIMITS } from '../../src/shared/protocol';
import { hostRoom, joinAddress, makeApp, next, send, waitOnline } from './support/apps';

async function officeWithBob() {
  const alice = makeApp('Alice');
  const office = await hostRoom(alice, 'Office');
  const bob = makeApp('Bob');
  const arrived = next(alice, 'presence', (p) => p.joined.some((m) => m.nick === 'Bob'));
  await joinAddress(bob, office.port);
  await waitOnline(bob, office.id);
  await arrived;
  const bobId = bob.snapshot().sessions[0]!.me!.id;
  return { alice, bob, office, bobId };
}

/** Resolves once `app` hears member `id` is `status`. */
const hears = (app: ChatApp, id: string, status: string) =>
  next(app, 'presence', (p) => p.statuses.some((s) => s.id === id && s.status === status));

describe('a member’s status', () => {
  it('is away while the machine is idle, busy in Do not disturb (idle or not), and active again after', async () => {
    const { alice, bob, bobId } = await officeWithBob();

    let heard = hears(alice, bobId, 'away');
    bob.setIdle(true);
    await heard;
    const inAlice = () => alice.snapshot().sessions[0]!.members.find((m) => m.id === bobId);
    expect(inAlice()).toMatchObject({ nick: 'Bob', status: 'away' });

    heard = hears(alice, bobId, 'busy');
    await send(bob, 'settings:update', { quietUntil: Date.now() + 60_000 });
    await heard;
    heard = hears(alice, bobId, 'active');
    bob.setIdle(false);
    await send(bob, 'settings:update', { quietUntil: null });
    await heard;
    expect(inAlice()!.status).toBeUndefined();
  });
});

describe('the status a member shows', () => {
  it('is busy in Do not disturb, else away when idle, else active', () => {
    expect(ownStatus(2_000, false, 1_000)).toBe('busy');
    expect(ownStatus(2_000, true, 1_000)).toBe('busy');
    expect(ownStatus(500, true, 1_000)).toBe('away');
    expect(ownStatus(null, false, 1_000)).toBe('active');
  });
});

describe('StatusSender', () => {
  it(`sends each change once, at most one per ${LIMITS.statusEveryMs} ms, the latest when the time is up`, () => {
    vi.useFakeTimers();
    try {
      let now = 0;
      const sent: string[] = [];
      const sender = new StatusSender(
        (frame) => (sent.push(JSON.parse(frame).status), true),
        () => now,
      );
      sender.set('away');
      sender.set('away');
      expect(sent).toEqual(['away']);
      now = 100;
      sender.set('busy');
      sender.set('active');
      sender.set('busy');
      expect(sent).toEqual(['away']);
      now = LIMITS.statusEveryMs;
      vi.advanceTimersByTime(LIMITS.statusEveryMs);
      expect(sent).toEqual(['away', 'busy']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('tells a new session’s host again, and nothing more to a host that does not know statuses', () => {
    let now = 0;
    let online = false;
    const sent: string[] = [];
    const sender = new StatusSender(
      (frame) => online && (sent.push(JSON.parse(frame).status), true),
      () => now,
    );
    sender.set('away');
    expect(sent).toEqual([]);
    online = true;
    sender.welcomed();
    expect(sent).toEqual(['away']);
    now = 10_000;
    sender.welcomed();
    expect(sent).toEqual(['away', 'away']);
    sender.unsupported();
    now = 20_000;
    sender.set('busy');
    expect(sent).toEqual(['away', 'away']);
  });
});

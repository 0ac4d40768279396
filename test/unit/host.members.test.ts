import { describe, expect, it } from 'vitest';
import { Members, NICKNAME_DEFAULTS, type NicknameOptions } from '../../src/core/host/Members';
import { manualClock } from './support/host';

const HOUR = 60 * 60 * 1000;

function roomOf(opts: Omit<NicknameOptions, 'now'> = {}) {
  const clock = manualClock();
  return { members: new Members({ ...opts, now: clock.now }), clock };
}

describe('Members', () => {
  it('seats members under their own ids, listed in join order', () => {
    const { members } = roomOf();
    members.join('id-a', 'Alice');
    members.join('id-b', 'Bob');
    expect(members.list()).toEqual([
      { id: 'id-a', nick: 'Alice' },
      { id: 'id-b', nick: 'Bob' },
    ]);
    expect(members.get('id-b')).toEqual({ id: 'id-b', nick: 'Bob' });
    expect(members.count).toBe(2);
  });

  it('numbers a nickname someone online already has', () => {
    const { members } = roomOf();
    members.join('id-a', 'Alice');
    expect(members.join('id-b', 'alice').nick).toBe('alice (2)');
  });

  it('numbers a confusable of a nickname someone online has', () => {
    const { members } = roomOf();
    members.join('id-a', 'Alice');
    expect(members.join('id-b', '\u0410lice').nick).toBe('\u0410lice (2)');
    expect(members.join('id-c', 'AIice').nick).toBe('AIice (3)');
  });

  it('ignores leaving twice', () => {
    const { members } = roomOf();
    members.join('id-a', 'Alice');
    members.leave('id-a');
    members.leave('id-a');
    expect(members.count).toBe(0);
  });
});

describe('Members keep a nickname for the member who left', () => {
  it('gives an offline member’s exact nickname to nobody else, and numbers the newcomer', () => {
    const { members } = roomOf();
    members.join('id-a', 'Alice');
    members.leave('id-a');
    expect(members.join('id-mallory', 'Alice').nick).toBe('Alice (2)');
    expect(members.join('id-eve', '\u0410lice').nick).toBe('\u0410lice (3)');
  });

  it('gives the member that comes back its own nickname again', () => {
    const { members, clock } = roomOf();
    members.join('id-a', 'Alice');
    members.leave('id-a');
    clock.advance(23 * HOUR);
    expect(members.join('id-a', 'Alice')).toEqual({ id: 'id-a', nick: 'Alice' });
  });

  it('keeps it for 24 hours by default, then frees it', () => {
    expect(NICKNAME_DEFAULTS.reserveMs).toBe(24 * HOUR);
    const { members, clock } = roomOf();
    members.join('id-a', 'Alice');
    members.leave('id-a');
    clock.advance(24 * HOUR - 1);
    expect(members.join('id-b', 'Alice').nick).toBe('Alice (2)');
    members.leave('id-b');
    clock.advance(1);
    expect(members.join('id-c', 'Alice').nick).toBe('Alice');
  });

  it('keeps it as long as it is told to, or not at all', () => {
    const short = roomOf({ reserveMs: 1_000 });
    short.members.join('id-a', 'Alice');
    short.members.leave('id-a');
    short.clock.advance(1_000);
    expect(short.members.join('id-b', 'Alice').nick).toBe('Alice');

    const none = roomOf({ reserveMs: 0 });
    none.members.join('id-a', 'Alice');
    none.members.leave('id-a');
    expect(none.members.join('id-b', 'Alice').nick).toBe('Alice');
    expect(none.members.reservedCount).toBe(0);
  });

  it('gives the old nickname up when the member comes back under another', () => {
    const { members } = roomOf();
    members.join('id-a', 'Alice');
    members.leave('id-a');
    expect(members.join('id-a', 'Alicia').nick).toBe('Alicia');
    expect(members.join('id-b', 'Alice').nick).toBe('Alice');
  });

  it('numbers the member that comes back when someone took its nickname after it expired', () => {
    const { members, clock } = roomOf({ reserveMs: 1_000 });
    members.join('id-a', 'Alice');
    members.leave('id-a');
    clock.advance(1_000);
    members.join('id-b', 'Alice');
    expect(members.join('id-a', 'Alice').nick).toBe('Alice (2)');
  });

  it('holds at most maxReserved nicknames, giving up the longest-gone first', () => {
    const { members } = roomOf({ maxReserved: 3 });
    for (const n of [1, 2, 3, 4, 5]) members.join(`id-${n}`, `Member ${n}`);
    for (const n of [1, 2, 3, 4, 5]) members.leave(`id-${n}`);
    expect(members.reservedCount).toBe(3);
    expect(members.join('id-x', 'Member 1').nick).toBe('Member 1');
    expect(members.join('id-y', 'Member 2').nick).toBe('Member 2');
    expect(members.join('id-z', 'Member 3').nick).toBe('Member 3 (2)');
  });

  it('holds no more than the cap under a churn of ten thousand fresh members', () => {
    const { members } = roomOf({ maxReserved: 100 });
    for (let n = 0; n < 10_000; n++) {
      members.join(`id-${n}`, `Churn ${n}`);
      members.leave(`id-${n}`);
    }
    expect(members.reservedCount).toBe(100);
    expect(members.count).toBe(0);
  });
});

describe("Members keep the host's nickname for the host", () => {
  it('seats nobody under the headless host’s nickname', () => {
    const { members } = roomOf({ hostNick: 'Hana' });
    expect(members.join('id-a', 'Hana').nick).toBe('Hana (2)');
    expect(members.join('id-b', 'hana').nick).toBe('hana (3)');
    expect(members.join('id-c', 'H\u0430na').nick).toBe('H\u0430na (4)'); // Cyrillic а
  });

  it('seats the hosting member under it, and nobody else, before and after it leaves', () => {
    const { members, clock } = roomOf({ hostNick: 'Hana', hostMemberId: 'id-hana', reserveMs: 1_000 });
    expect(members.join('id-mallory', 'Hana').nick).toBe('Hana (2)');
    expect(members.join('id-hana', 'Hana').nick).toBe('Hana');
    members.leave('id-hana');
    clock.advance(10 * HOUR);
    expect(members.join('id-eve', 'Hana').nick).toBe('Hana (3)');
    expect(members.join('id-hana', 'Hana').nick).toBe('Hana');
  });
});

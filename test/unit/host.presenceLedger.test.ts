import { describe, expect, it } from 'vitest';
import { FRAME_BYTES, PresenceLedger } from '../../src/core/host/presence';
import type { Prepared } from '../../src/core/host/outbound';
import { decodeHostFrame } from '../../src/shared/codec';
import { LIMITS, type HostFrame, type Member } from '../../src/shared/protocol';

/** Members with long nicknames in Chinese: three UTF-8 bytes a character, so bytes are not characters. */
function members(count: number): Member[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `member-${String(i).padStart(4, '0')}`,
    nick: `访客${'很'.repeat(26)}${String(i).padStart(4, '0')}`,
  }));
}

function decoded(prepared: Prepared): HostFrame {
  const result = decodeHostFrame(prepared.payload.toString('utf8'));
  if (!result.ok) throw new Error(`the ledger made a frame the protocol refuses: ${result.code}`);
  return result.frame;
}

/** UTF-8 bytes of the member JSON a frame carries (what FRAME_BYTES bounds). */
function listBytes(list: readonly unknown[]): number {
  return list.reduce<number>((sum, item) => sum + Buffer.byteLength(JSON.stringify(item)) + 1, 0);
}

/** A ledger that has announced `who` (as a host has, once a presence frame went out). */
function announced(who: Member[]): PresenceLedger {
  const ledger = new PresenceLedger();
  for (const member of who) ledger.joined(member);
  while (ledger.pending) ledger.flush(who.length);
  return ledger;
}

describe('PresenceLedger frame sizes', () => {
  it('pages a big roster within FRAME_BYTES of UTF-8 each, in join order, the last one done', () => {
    const who = members(300);
    const pages = announced(who).rosterPages().map(decoded);

    expect(pages.length).toBeGreaterThan(who.length / LIMITS.rosterPage);
    const listed: Member[] = [];
    pages.forEach((page, i) => {
      if (page.type !== 'roster') throw new Error(`page ${i} is a ${page.type} frame`);
      expect(page.members.length).toBeGreaterThan(0);
      expect(listBytes(page.members)).toBeLessThanOrEqual(FRAME_BYTES);
      expect(page.done).toBe(i === pages.length - 1);
      listed.push(...page.members);
    });
    expect(listed).toEqual(who);
  });

  it('announces a backlog bigger than one frame over several flushes, oldest first, none lost or repeated', () => {
    const ledger = announced([]);
    const who = members(120);
    for (const member of who) ledger.joined(member);
    ledger.left(who[5]!, 'quit');

    const frames: HostFrame[] = [];
    while (ledger.pending) frames.push(decoded(ledger.flush(119).frame));

    expect(frames.length).toBeGreaterThan(1);
    const joined: Member[] = [];
    for (const frame of frames) {
      if (frame.type !== 'presence') throw new Error(`a ${frame.type} frame among presence`);
      expect(listBytes(frame.joined)).toBeLessThanOrEqual(FRAME_BYTES);
      expect(frame.left).toEqual([]);
      expect(frame.count).toBe(119);
      joined.push(...frame.joined);
    }
    // Member 5 came and went before it was announced: nobody hears of it.
    expect(joined).toEqual(who.filter((_, i) => i !== 5));
  });

  it('gives the roster of a newcomer only what was announced, the rest following in presence frames', () => {
    const ledger = announced(members(3));
    const late = members(4)[3]!;
    ledger.joined(late);

    const roster = ledger.rosterPages().map(decoded);
    expect(roster).toEqual([{ type: 'roster', members: members(3), done: true }]);
    const batch = ledger.flush(4);
    expect(batch.has(late.id)).toBe(true);
    expect(decoded(batch.frame)).toEqual({ type: 'presence', joined: [late], left: [], count: 4 });
    // The newcomer knows of its own arrival from its welcome: with nothing else new, it is sent nothing.
    expect(batch.without(late.id)).toBeNull();
    expect(ledger.rosterPages().map(decoded)).toEqual([{ type: 'roster', members: members(4), done: true }]);
  });
});

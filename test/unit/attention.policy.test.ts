import { describe, expect, it } from 'vitest';
import {
  notificationsFor,
  preview,
  PREVIEW_CODE_POINTS,
  QUIET_ROOM_FROM,
  SUMMARY_FROM,
  type Attention,
  type RoomContext,
} from '../../src/core/attention/notificationPolicy';
import type { ChatMessage, Member } from '../../src/shared/protocol';

const ME: Member = { id: 'me', nick: 'Me' };
const BOB: Member = { id: 'bob', nick: 'Bob' };

function msg(seq: number, extra: Partial<ChatMessage> = {}): ChatMessage {
  return { id: `m${seq}`, seq, ts: seq, from: BOB, text: `text ${seq}`, ...extra };
}
const toMe = (seq: number) => msg(seq, { to: ME });

function room(extra: Partial<RoomContext> = {}): RoomContext {
  return { roomId: 'office', roomName: 'Office', members: 3, level: 'default', myId: ME.id, ...extra };
}
const away: Attention = { viewing: null, quietUntil: null, now: 1_000 };

describe('the notification policy', () => {
  it('notifies a room message in a small room, with the sender, the room and a plain preview', () => {
    expect(notificationsFor(room(), [msg(1)], away)).toEqual([
      {
        kind: 'message',
        roomId: 'office',
        roomName: 'Office',
        conversation: '',
        seq: 1,
        from: 'Bob',
        private: false,
        mention: false,
        preview: 'text 1',
      },
    ]);
  });

  it('keeps a big room quiet by default, except for private messages to the user', () => {
    const big = room({ members: QUIET_ROOM_FROM });
    expect(notificationsFor(big, [msg(1)], away)).toEqual([]);
    expect(notificationsFor(big, [toMe(2)], away)).toEqual([
      expect.objectContaining({ conversation: BOB.id, private: true, seq: 2 }),
    ]);
  });

  it('follows the room’s own level over its size', () => {
    expect(notificationsFor(room({ members: 400, level: 'all' }), [msg(1)], away)).toHaveLength(1);
    expect(notificationsFor(room({ level: 'mentions' }), [msg(1)], away)).toEqual([]);
  });

  it('always notifies private messages and mentions, even in a room set to nothing', () => {
    const muted = room({ level: 'nothing', mentionsMe: (m) => m.text.includes('@Me') });
    const out = notificationsFor(muted, [msg(1), toMe(2), msg(3, { text: 'hey @Me' })], away);
    expect(out.map((n) => n.kind === 'message' && [n.seq, n.private, n.mention])).toEqual([
      [2, true, false],
      [3, false, true],
    ]);
  });

  it('never notifies the user’s own messages, private ones included', () => {
    expect(notificationsFor(room(), [msg(1, { from: ME }), msg(2, { from: ME, to: BOB })], away)).toEqual([]);
  });

  it('says nothing about the conversation the user is reading in a focused window, and does about the others', () => {
    const readingRoom: Attention = { ...away, viewing: { roomId: 'office', conversation: '' } };
    expect(notificationsFor(room(), [msg(1)], readingRoom)).toEqual([]);
    expect(notificationsFor(room(), [toMe(2)], readingRoom)).toHaveLength(1);
    const elsewhere: Attention = { ...away, viewing: { roomId: 'lab', conversation: '' } };
    expect(notificationsFor(room(), [msg(3)], elsewhere)).toHaveLength(1);
  });

  it('is silent during do-not-disturb, and speaks again once it ends', () => {
    const quiet: Attention = { ...away, quietUntil: 2_000 };
    expect(notificationsFor(room(), [toMe(1)], quiet)).toEqual([]);
    expect(notificationsFor(room(), [toMe(1)], { ...quiet, now: 2_000 })).toHaveLength(1);
  });

  it('turns a catch-up of 200 messages into one summary that points at the newest', () => {
    const burst = Array.from({ length: 200 }, (_, i) => (i === 57 ? toMe(i + 1) : msg(i + 1)));
    expect(notificationsFor(room(), burst, away)).toEqual([
      {
        kind: 'summary',
        roomId: 'office',
        roomName: 'Office',
        count: 200,
        personal: true,
        conversation: '',
        seq: 200,
      },
    ]);
    const few = burst.slice(0, SUMMARY_FROM);
    expect(notificationsFor(room(), few, away).every((n) => n.kind === 'message')).toBe(true);
  });

  it('previews one line of plain text, cut by code points with an ellipsis', () => {
    expect(preview('  two\n\nlines\there  ')).toBe('two lines here');
    const long = '🎉'.repeat(PREVIEW_CODE_POINTS + 5);
    const cut = preview(long);
    expect(Array.from(cut)).toHaveLength(PREVIEW_CODE_POINTS);
    expect(cut.endsWith('🎉…')).toBe(true);
    expect(preview('<b>not html</b>')).toBe('<b>not html</b>');
  });
});

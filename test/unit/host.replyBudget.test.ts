import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MemoryHistory } from '../../src/core/host/history';
import { newMessageId } from '../../src/core/host/ids';
import { resolveLimits, type HostLimits } from '../../src/core/host/limits';
import { Room } from '../../src/core/host/Room';
import { MemberKey } from '../../src/core/memberKey';
import { decodeHostFrame, encodeFrame } from '../../src/shared/codec';
import { ErrorCode, LIMITS, PROTOCOL_VERSION, type HostFrame } from '../../src/shared/protocol';
import { signedHello } from '../support/signedHello';
import { startHost } from './support/host';
import { RawPeer } from './support/RawPeer';

const LONG = 'x'.repeat(LIMITS.maxTextChars);
const FINGERPRINT = 'c'.repeat(64);

/** A history of `count` group messages of the longest text, numbered 1..count. */
function longHistory(count: number): MemoryHistory {
  const history = new MemoryHistory(10_000);
  const from = { id: 'poster', nick: 'Poster' };
  for (let i = 0; i < count; i++) {
    history.append({ id: newMessageId(), ts: Date.now(), from, text: LONG }, `c${i}`);
  }
  return history;
}

/** Bytes of the messages of a welcome or page, as the host counts them. */
const bytesOf = (messages: unknown[]): number =>
  messages.reduce<number>((sum, m) => sum + Buffer.byteLength(JSON.stringify(m)) + 1, 0);

/**
 * A stand-in for one member's WebSocket and TLS socket, so a test can say how much is still
 * unsent (`bufferedAmount`) and when the socket drains, which a real kernel buffer never lets
 * a test decide. Records every frame the room sends.
 */
class FakeMember extends EventEmitter {
  readonly readyState = WebSocket.OPEN;
  bufferedAmount = 0;
  readonly sent: HostFrame[] = [];
  // The room writes prepared frames to the socket whole, WebSocket header and all.
  readonly socket = Object.assign(new EventEmitter(), {
    cork() {},
    uncork() {},
    write: (wire: Buffer) => {
      const length7 = wire[1]! & 0x7f;
      this.send(wire.subarray(length7 < 126 ? 2 : length7 === 126 ? 4 : 10));
      return true;
    },
  });
  send(data: Buffer): void {
    const decoded = decodeHostFrame(data.toString());
    if (decoded.ok) this.sent.push(decoded.frame);
  }
  ping(): void {}
  close(): void {}
  terminate(): void {}
  say(frame: unknown): void {
    this.emit('message', Buffer.from(encodeFrame(frame as HostFrame)), false);
  }
}

function roomWith(history: MemoryHistory, limits: Partial<HostLimits> = {}): Room {
  return new Room({
    info: () => ({ v: PROTOCOL_VERSION, id: 'r', name: 'Room', host: 'Host', members: 0 }),
    history,
    heartbeatMs: 10_000,
    onCount: () => {},
    limits: resolveLimits({ fetchBurst: 100, ...limits }),
    now: () => performance.now(),
    fingerprint: FINGERPRINT,
  });
}

/** Attaches a fake member, says a signed hello and returns it once welcomed. */
async function joined(room: Room): Promise<FakeMember> {
  const member = new FakeMember();
  room.attach(member as unknown as WebSocket, '10.0.0.9', member.socket as never);
  const challenge = member.sent.find((f) => f.type === 'challenge');
  if (challenge?.type !== 'challenge') throw new Error('no challenge');
  member.say(signedHello('Reader', MemberKey.generate(), challenge.nonce, FINGERPRINT));
  // The welcome goes out at the end of the turn's write batch.
  await new Promise((resolve) => setImmediate(resolve));
  if (!member.sent.some((f) => f.type === 'welcome')) throw new Error('not welcomed');
  return member;
}

const pages = (member: FakeMember) => member.sent.filter((f) => f.type === 'page');

describe('RoomHost reply budget', () => {
  it('cuts a page of long messages to the byte budget, says more, and pages on to the first message', async () => {
    const host = await startHost({ history: longHistory(120), limits: { maxReplyBytes: 64 * 1024 } });
    const peer = await RawPeer.join(host.port, 'Reader');
    expect(bytesOf(peer.welcome.history)).toBeLessThanOrEqual(64 * 1024);
    expect(peer.welcome.history.at(-1)!.seq).toBe(120);
    const seen = new Set(peer.welcome.history.map((m) => m.seq));
    let oldest = peer.welcome.history[0]!.seq;
    for (;;) {
      peer.fetch({ before: oldest, limit: LIMITS.pageMax });
      const page = await peer.nextOf('page');
      expect(bytesOf(page.messages)).toBeLessThanOrEqual(64 * 1024);
      for (const m of page.messages) seen.add(m.seq);
      if (!page.more) break;
      oldest = page.messages[0]!.seq;
    }
    expect(seen.size).toBe(120);
    expect(Math.min(...seen)).toBe(1);
  });

  it('cuts a catching-up welcome to the budget with more, and the member catches up to the last', async () => {
    const host = await startHost({ history: longHistory(80), limits: { maxReplyBytes: 64 * 1024 } });
    const peer = await RawPeer.join(host.port, 'Back', { since: 0 });
    expect(bytesOf(peer.welcome.history)).toBeLessThanOrEqual(64 * 1024);
    expect(peer.welcome.more).toBe(true);
    let last = peer.welcome.history.at(-1)!.seq;
    for (;;) {
      peer.fetch({ after: last, limit: LIMITS.pageMax });
      const page = await peer.nextOf('page');
      expect(page.messages[0]!.seq).toBe(last + 1);
      last = page.messages.at(-1)!.seq;
      if (!page.more) break;
    }
    expect(last).toBe(80);
  });

  it('holds the fetches of a member that is not reading, refuses one more RATE_LIMITED with its ref, and answers the held ones in order as it drains', async () => {
    const room = roomWith(longHistory(10));
    const member = await joined(room);
    member.bufferedAmount = 300 * 1024; // a page's worth still unsent: it has stopped reading
    for (let i = 1; i <= 4; i++) member.say({ type: 'fetch', after: 0, ref: `f${i}` });
    expect(pages(member)).toEqual([]);
    member.say({ type: 'fetch', after: 0, ref: 'f5' });
    expect(member.sent.at(-1)).toMatchObject({ type: 'error', code: ErrorCode.RateLimited, ref: 'f5' });

    member.bufferedAmount = 0;
    member.socket.emit('drain');
    expect(pages(member).map((p) => p.type === 'page' && p.ref)).toEqual(['f1', 'f2', 'f3', 'f4']);
  });

  it('answers a fetch at once while little waits unsent', async () => {
    const room = roomWith(longHistory(3));
    const member = await joined(room);
    member.bufferedAmount = 10 * 1024;
    member.say({ type: 'fetch', after: 0, ref: 'now' });
    expect(pages(member)).toHaveLength(1);
  });
});

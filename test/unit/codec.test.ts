import { describe, expect, it } from 'vitest';
import { decodeClientFrame, decodeHostFrame, encodeFrame } from '../../src/shared/codec';
import {
  codePointLength,
  ErrorCode,
  LIMITS,
  PROTOCOL_VERSION,
  type HostFrame,
} from '../../src/shared/protocol';

const json = (value: unknown): string => JSON.stringify(value);
/** A hello's identity fields, well formed (the codec checks shape; the host checks the signature). */
const ID = { pub: 'p'.repeat(43), sig: 's'.repeat(86) };

describe('decodeClientFrame', () => {
  it('parses a hello with its public key and signature, with and without since', () => {
    expect(decodeClientFrame(json({ type: 'hello', v: PROTOCOL_VERSION, nick: 'Alice', ...ID }))).toEqual({
      ok: true,
      frame: { type: 'hello', v: PROTOCOL_VERSION, nick: 'Alice', ...ID },
    });
    const resumed = decodeClientFrame(
      json({ type: 'hello', v: PROTOCOL_VERSION, nick: 'Alice', ...ID, since: 41 }),
    );
    expect(resumed.ok && resumed.frame).toMatchObject({ since: 41 });
  });

  it('reports a hello without a signature, or with a public key of the wrong length, as BAD_FRAME', () => {
    for (const fields of [{ pub: ID.pub }, { ...ID, pub: 'short' }, { ...ID, sig: 'x'.repeat(85) }]) {
      expect(
        decodeClientFrame(json({ type: 'hello', v: PROTOCOL_VERSION, nick: 'Alice', ...fields })),
      ).toMatchObject({
        ok: false,
        code: ErrorCode.BadFrame,
      });
    }
  });

  it('parses group and private posts with their cid', () => {
    const decoded = decodeClientFrame(json({ type: 'post', text: 'hi', to: 'm2', cid: 'c1' }));
    expect(decoded).toEqual({ ok: true, frame: { type: 'post', text: 'hi', to: 'm2', cid: 'c1' } });
  });

  it('reports a post without a cid as BAD_FRAME naming the cid', () => {
    const decoded = decodeClientFrame(json({ type: 'post', text: 'hi' }));
    expect(decoded).toMatchObject({ ok: false, code: ErrorCode.BadFrame });
    expect(!decoded.ok && decoded.message).toContain('cid');
  });

  it('parses a fetch before or after a seq, with its limit and ref', () => {
    expect(decodeClientFrame(json({ type: 'fetch', before: 120, limit: 50, ref: 'r1' }))).toEqual({
      ok: true,
      frame: { type: 'fetch', before: 120, limit: 50, ref: 'r1' },
    });
    expect(decodeClientFrame(json({ type: 'fetch', after: 0 }))).toEqual({
      ok: true,
      frame: { type: 'fetch', after: 0 },
    });
  });

  it('reports a fetch with both before and after, or neither, as BAD_FRAME', () => {
    for (const frame of [
      { type: 'fetch', before: 10, after: 2 },
      { type: 'fetch', limit: 5 },
    ]) {
      expect(decodeClientFrame(json(frame))).toMatchObject({ ok: false, code: ErrorCode.BadFrame });
    }
  });

  it('reports a fetch asking for more than a page, or before seq 0, as BAD_FRAME', () => {
    for (const frame of [
      { type: 'fetch', after: 0, limit: LIMITS.pageMax + 1 },
      { type: 'fetch', before: 0 },
    ]) {
      expect(decodeClientFrame(json(frame))).toMatchObject({ ok: false, code: ErrorCode.BadFrame });
    }
  });

  it('trims the nickname a hello carries', () => {
    const decoded = decodeClientFrame(json({ type: 'hello', v: PROTOCOL_VERSION, nick: '  Bob  ', ...ID }));
    expect(decoded.ok && decoded.frame).toMatchObject({ nick: 'Bob' });
  });

  it('reports text that is not JSON as BAD_JSON', () => {
    expect(decodeClientFrame('{"type": "post",')).toMatchObject({ ok: false, code: ErrorCode.BadJson });
  });

  it('reports JSON that is not an object as BAD_FRAME', () => {
    for (const raw of ['[]', '"hello"', 'null', '42']) {
      expect(decodeClientFrame(raw)).toMatchObject({ ok: false, code: ErrorCode.BadFrame });
    }
  });

  it('reports an unknown frame type as UNKNOWN_TYPE', () => {
    expect(decodeClientFrame(json({ type: 'shout', text: 'x' }))).toMatchObject({
      ok: false,
      code: ErrorCode.UnknownType,
    });
  });

  it('reports fields of the wrong type as BAD_FRAME naming the field', () => {
    const decoded = decodeClientFrame(json({ type: 'post', text: 42 }));
    expect(decoded).toMatchObject({ ok: false, code: ErrorCode.BadFrame });
    expect(!decoded.ok && decoded.message).toContain('text');
    expect(decodeClientFrame(json({ type: 'hello', v: PROTOCOL_VERSION, nick: ['x'] }))).toMatchObject({
      ok: false,
      code: ErrorCode.BadFrame,
    });
  });

  it('rejects blank text and nicknames with control characters', () => {
    expect(decodeClientFrame(json({ type: 'post', text: '   ' }))).toMatchObject({
      ok: false,
      code: ErrorCode.BadFrame,
    });
    expect(decodeClientFrame(json({ type: 'hello', v: PROTOCOL_VERSION, nick: 'A\u0007b' }))).toMatchObject({
      ok: false,
      code: ErrorCode.BadFrame,
    });
  });

  it('accepts text of exactly the limit and reports one character more as TEXT_TOO_LONG', () => {
    expect(
      decodeClientFrame(json({ type: 'post', text: 'x'.repeat(LIMITS.maxTextChars), cid: 'c' })).ok,
    ).toBe(true);
    expect(
      decodeClientFrame(json({ type: 'post', text: 'x'.repeat(LIMITS.maxTextChars + 1) })),
    ).toMatchObject({
      ok: false,
      code: ErrorCode.TextTooLong,
    });
  });

  it('counts text in code points as sent, with no normalisation: a surrogate pair is one, "e" + U+0301 is two', () => {
    const post = (text: string) => decodeClientFrame(json({ type: 'post', text, cid: 'c' }));
    expect(post('😀'.repeat(LIMITS.maxTextChars)).ok).toBe(true);
    expect(post('😀'.repeat(LIMITS.maxTextChars + 1))).toMatchObject({
      ok: false,
      code: ErrorCode.TextTooLong,
    });
    expect(post('e\u0301'.repeat(LIMITS.maxTextChars / 2)).ok).toBe(true);
    expect(post(`${'e\u0301'.repeat(LIMITS.maxTextChars / 2)}e`)).toMatchObject({
      code: ErrorCode.TextTooLong,
    });
    // A lone surrogate is one code point too (and allowed in text).
    expect(post('\ud800'.repeat(LIMITS.maxTextChars)).ok).toBe(true);
  });

  it('measures lengths as codePointLength does: a surrogate pair is one, a lone surrogate one, nothing normalised', () => {
    expect(codePointLength('😀')).toBe(1);
    expect(codePointLength('a😀b')).toBe(3);
    expect(codePointLength('\ud800x\udc00')).toBe(3);
    expect(codePointLength('e\u0301')).toBe(2);
    expect(codePointLength('👩\u200d💻')).toBe(3);
  });

  it('counts a nickname in code points after trimming, and ids in code points', () => {
    const hello = (nick: string) =>
      decodeClientFrame(json({ type: 'hello', v: PROTOCOL_VERSION, nick, ...ID }));
    const wide = '😀'.repeat(LIMITS.maxNickChars);
    expect(hello(`  ${wide}\u00a0`)).toMatchObject({ ok: true, frame: { nick: wide } });
    expect(hello(`${wide}😀`)).toMatchObject({ ok: false, code: ErrorCode.BadFrame });
    const cid = '😀'.repeat(LIMITS.maxIdChars);
    expect(decodeClientFrame(json({ type: 'post', text: 'hi', cid }))).toMatchObject({
      ok: true,
      frame: { cid },
    });
    const tooLong = decodeClientFrame(json({ type: 'post', text: 'hi', cid: `${cid}x` }));
    expect(tooLong).toMatchObject({ ok: false, code: ErrorCode.BadFrame });
    expect(!tooLong.ok && tooLong.message).toBe(
      `Invalid "post" frame: cid: must be at most ${LIMITS.maxIdChars} code points.`,
    );
  });

  it('drops fields it does not know from every frame, so a newer client’s extensions are harmless', () => {
    expect(decodeClientFrame(json({ type: 'post', text: 'hi', cid: 'c', format: 'md' }))).toEqual({
      ok: true,
      frame: { type: 'post', text: 'hi', cid: 'c' },
    });
    const hello = decodeClientFrame(
      json({ type: 'hello', v: PROTOCOL_VERSION, nick: 'A', ...ID, caps: [1] }),
    );
    expect(hello.ok && hello.frame).not.toHaveProperty('caps');
    expect(decodeClientFrame(json({ type: 'fetch', after: 0, ref: 'r', x: 1 }))).toEqual({
      ok: true,
      frame: { type: 'fetch', after: 0, ref: 'r' },
    });
  });

  it('reports a hello of another protocol version as VERSION_MISMATCH before judging its shape', () => {
    const decoded = decodeClientFrame(json({ type: 'hello', v: PROTOCOL_VERSION + 1 }));
    expect(decoded).toMatchObject({ ok: false, code: ErrorCode.VersionMismatch });
    expect(!decoded.ok && decoded.message).toContain(`protocol ${PROTOCOL_VERSION + 1}`);
  });
});

describe('decodeHostFrame', () => {
  it('round-trips every frame the host sends through encodeFrame', () => {
    const member = { id: 'm1', nick: 'Alice' };
    const frames: HostFrame[] = [
      {
        type: 'welcome',
        v: PROTOCOL_VERSION,
        you: member,
        room: { v: PROTOCOL_VERSION, id: 'r', name: 'Room', host: 'Hana', members: 1 },
        history: [{ id: 'x0', seq: 1, ts: 1, from: member, to: member, text: 'note' }],
        more: true,
        heartbeatMs: 10_000,
      },
      {
        type: 'welcome',
        v: PROTOCOL_VERSION,
        you: member,
        room: { v: PROTOCOL_VERSION, id: 'r', name: 'Room', host: 'Hana', members: 1 },
        history: [],
        more: false,
        heartbeatMs: 10_000,
        removedBefore: 3,
        newest: 7,
        limits: { maxTextChars: LIMITS.maxTextChars, postBurst: 20, postsPerSecond: 0.5, maxMembers: 500 },
      },
      { type: 'message', message: { id: 'x', seq: 2, ts: 1, from: member, text: 'hi', cid: 'c' } },
      { type: 'ack', cid: 'c', id: 'x', seq: 2 },
      {
        type: 'page',
        ref: 'r1',
        messages: [{ id: 'x', seq: 2, ts: 1, from: member, text: 'hi' }],
        more: false,
      },
      { type: 'page', messages: [], more: true },
      { type: 'roster', members: [member, { id: 'm2', nick: 'Bob' }], done: false },
      { type: 'roster', members: [], done: true },
      {
        type: 'presence',
        joined: [member],
        left: [{ member: { id: 'm3', nick: 'Cy' }, reason: 'dropped' }],
        count: 2,
      },
      { type: 'presence', joined: [], left: [], count: 0 },
      { type: 'error', code: ErrorCode.NoSuchMember, message: 'No.', cid: 'c' },
      { type: 'error', code: ErrorCode.RateLimited, message: 'Slow down.', ref: 'p-7' },
    ];
    for (const frame of frames) expect(decodeHostFrame(encodeFrame(frame))).toEqual({ ok: true, frame });
  });

  it('reads a welcome without limits (an older host), and drops a limit it does not know (a newer one)', () => {
    const welcome = {
      type: 'welcome',
      v: PROTOCOL_VERSION,
      you: { id: 'm1', nick: 'Alice' },
      room: { v: PROTOCOL_VERSION, id: 'r', name: 'Room', host: 'Hana', members: 1 },
      history: [],
      more: false,
      heartbeatMs: 10_000,
    };
    expect(decodeHostFrame(json(welcome))).toMatchObject({ ok: true, frame: { type: 'welcome' } });
    const newer = decodeHostFrame(
      json({ ...welcome, limits: { postBurst: 5, reactionsPerSecond: 3 }, mood: 'x' }),
    );
    expect(newer.ok && newer.frame).toEqual({ ...welcome, limits: { postBurst: 5 } });
  });

  it('reports frames only a member sends as UNKNOWN_TYPE', () => {
    expect(decodeHostFrame(json({ type: 'post', text: 'hi' }))).toMatchObject({
      ok: false,
      code: ErrorCode.UnknownType,
    });
  });

  it('reports a message without a seq, or with seq 0, as BAD_FRAME', () => {
    const member = { id: 'm', nick: 'A' };
    for (const seq of [undefined, 0]) {
      const frame = { type: 'message', message: { id: 'x', seq, ts: 1, from: member, text: 'hi' } };
      expect(decodeHostFrame(json(frame))).toMatchObject({ ok: false, code: ErrorCode.BadFrame });
    }
  });

  it('reports an ack without its seq as BAD_FRAME', () => {
    expect(decodeHostFrame(json({ type: 'ack', cid: 'c', id: 'x' }))).toMatchObject({
      ok: false,
      code: ErrorCode.BadFrame,
    });
  });

  it('reports frames only a host sends, sent by a member, as UNKNOWN_TYPE', () => {
    expect(decodeClientFrame(json({ type: 'ack', cid: 'c', id: 'x', seq: 1 }))).toMatchObject({
      ok: false,
      code: ErrorCode.UnknownType,
    });
  });

  it('reports a presence frame with a leave for an unknown reason as BAD_FRAME', () => {
    const left = [{ member: { id: 'm', nick: 'A' }, reason: 'kicked' }];
    const frame = { type: 'presence', joined: [], left, count: 0 };
    expect(decodeHostFrame(json(frame))).toMatchObject({ ok: false, code: ErrorCode.BadFrame });
  });

  it('reports a roster page of more than LIMITS.rosterPage members as BAD_FRAME', () => {
    const members = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `m${i}`, nick: `M${i}` }));
    const page = (n: number) => json({ type: 'roster', members: members(n), done: true });
    expect(decodeHostFrame(page(LIMITS.rosterPage))).toMatchObject({ ok: true });
    expect(decodeHostFrame(page(LIMITS.rosterPage + 1))).toMatchObject({
      ok: false,
      code: ErrorCode.BadFrame,
    });
  });

  it('reports the frames protocol 3 used for presence (joined, left) as UNKNOWN_TYPE', () => {
    const member = { id: 'm', nick: 'A' };
    for (const frame of [
      { type: 'joined', member, count: 1 },
      { type: 'left', member, count: 0, reason: 'quit' },
    ]) {
      expect(decodeHostFrame(json(frame))).toMatchObject({ ok: false, code: ErrorCode.UnknownType });
    }
  });
});

import { describe, expect, it } from 'vitest';
import { decodeClientFrame, decodeHostFrame, encodeFrame } from '../../src/shared/codec';
import { ErrorCode, LIMITS, PROTOCOL_VERSION, type HostFrame } from '../../src/shared/protocol';

const json = (value: unknown): string => JSON.stringify(value);

describe('decodeClientFrame', () => {
  it('parses a hello with and without a resume token', () => {
    expect(decodeClientFrame(json({ type: 'hello', v: PROTOCOL_VERSION, nick: 'Alice' }))).toEqual({
      ok: true,
      frame: { type: 'hello', v: PROTOCOL_VERSION, nick: 'Alice' },
    });
    const resumed = decodeClientFrame(
      json({ type: 'hello', v: PROTOCOL_VERSION, nick: 'Alice', resume: 'tok' }),
    );
    expect(resumed.ok && resumed.frame).toMatchObject({ resume: 'tok' });
  });

  it('parses group and private posts with their cid', () => {
    const decoded = decodeClientFrame(json({ type: 'post', text: 'hi', to: 'm2', cid: 'c1' }));
    expect(decoded).toEqual({ ok: true, frame: { type: 'post', text: 'hi', to: 'm2', cid: 'c1' } });
  });

  it('trims the nickname a hello carries', () => {
    const decoded = decodeClientFrame(json({ type: 'hello', v: PROTOCOL_VERSION, nick: '  Bob  ' }));
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
    expect(decodeClientFrame(json({ type: 'post', text: 'x'.repeat(LIMITS.maxTextChars) })).ok).toBe(true);
    expect(
      decodeClientFrame(json({ type: 'post', text: 'x'.repeat(LIMITS.maxTextChars + 1) })),
    ).toMatchObject({
      ok: false,
      code: ErrorCode.TextTooLong,
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
        token: 't',
        room: { v: PROTOCOL_VERSION, id: 'r', name: 'Room', host: 'Hana', members: 1 },
        members: [member],
        history: [],
        heartbeatMs: 10_000,
      },
      { type: 'message', message: { id: 'x', ts: 1, from: member, text: 'hi', cid: 'c' } },
      { type: 'joined', member, count: 2 },
      { type: 'left', member, count: 1, reason: 'dropped' },
      { type: 'error', code: ErrorCode.NoSuchMember, message: 'No.', cid: 'c' },
    ];
    for (const frame of frames) expect(decodeHostFrame(encodeFrame(frame))).toEqual({ ok: true, frame });
  });

  it('reports frames only a member sends as UNKNOWN_TYPE', () => {
    expect(decodeHostFrame(json({ type: 'post', text: 'hi' }))).toMatchObject({
      ok: false,
      code: ErrorCode.UnknownType,
    });
  });

  it('reports a left frame with an unknown reason as BAD_FRAME', () => {
    const frame = { type: 'left', member: { id: 'm', nick: 'A' }, count: 0, reason: 'kicked' };
    expect(decodeHostFrame(json(frame))).toMatchObject({ ok: false, code: ErrorCode.BadFrame });
  });
});

/**
 * What docs/PROTOCOL.md promises a client written from it alone, checked on the wire: how
 * limits are counted, which errors say which frame they answer, which code each mistake gets,
 * and what the welcome tells a member (`newest`, `limits`).
 */
import { describe, expect, it, vi } from 'vitest';
import { MemoryHistory, type HistoryPage } from '../../src/core/host/history';
import { HOST_LIMIT_DEFAULTS } from '../../src/core/host/limits';
import { CloseCode, ErrorCode, LIMITS } from '../../src/shared/protocol';
import { manualClock, startHost } from './support/host';
import { allPresent, RawPeer } from './support/RawPeer';

const EMOJI = '😀'; // one code point, two UTF-16 code units, four UTF-8 bytes

/** The answer to the post with `cid`: its ack or its error, skipping everything else. */
async function answerTo(peer: RawPeer, cid: string) {
  for (;;) {
    const frame = await peer.next();
    if ((frame.type === 'ack' || frame.type === 'error') && frame.cid === cid) return frame;
  }
}

/** A room with Alice and Bob, both present. */
async function aliceAndBob(opts: Parameters<typeof startHost>[0] = {}) {
  const host = await startHost(opts);
  const alice = await RawPeer.join(host.port, 'Alice');
  const bob = await RawPeer.join(host.port, 'Bob');
  await allPresent(alice, bob);
  return { host, alice, bob };
}

describe('what the host counts', () => {
  it('counts post text in code points as sent: 8,000 emoji (16,000 UTF-16 units) are stored, 8,001 are TEXT_TOO_LONG', async () => {
    const { alice } = await aliceAndBob();
    const fits = alice.post(EMOJI.repeat(LIMITS.maxTextChars));
    expect(await answerTo(alice, fits)).toMatchObject({ type: 'ack' });
    const over = alice.post(EMOJI.repeat(LIMITS.maxTextChars + 1));
    expect(await answerTo(alice, over)).toMatchObject({ type: 'error', code: ErrorCode.TextTooLong });
  });

  it('does not normalise text before counting: 4,001 "e" + U+0301 are 8,002 code points, TEXT_TOO_LONG', async () => {
    const { alice } = await aliceAndBob();
    const composed = alice.post('\u00e9'.repeat(LIMITS.maxTextChars));
    expect(await answerTo(alice, composed)).toMatchObject({ type: 'ack' });
    const decomposed = alice.post('e\u0301'.repeat(LIMITS.maxTextChars / 2 + 1));
    expect(await answerTo(alice, decomposed)).toMatchObject({ code: ErrorCode.TextTooLong });
  });

  it('counts a nickname in code points after trimming: 32 emoji are seated as they are, 33 are BAD_FRAME', async () => {
    const host = await startHost();
    const wide = await RawPeer.join(host.port, `  ${EMOJI.repeat(LIMITS.maxNickChars)}  `);
    expect(wide.welcome.you.nick).toBe(EMOJI.repeat(LIMITS.maxNickChars));
    const wider = await RawPeer.connect(host.port);
    wider.hello(EMOJI.repeat(LIMITS.maxNickChars + 1));
    expect(await wider.next('error')).toMatchObject({ code: ErrorCode.BadFrame });
  });

  it('counts ids in code points: a cid of 64 emoji is acknowledged as it is, one of 65 is BAD_FRAME', async () => {
    const { alice } = await aliceAndBob();
    const cid = EMOJI.repeat(LIMITS.maxIdChars);
    alice.post('hi', { cid });
    expect(await alice.nextOf('ack')).toMatchObject({ cid });
    alice.post('hi', { cid: EMOJI.repeat(LIMITS.maxIdChars + 1) });
    expect(await alice.nextOf('error')).toMatchObject({ code: ErrorCode.BadFrame });
  });
});

describe('errors that answer a fetch', () => {
  it('answers a fetch before the hello NOT_JOINED with the fetch’s ref', async () => {
    const host = await startHost();
    const early = await RawPeer.connect(host.port);
    early.fetch({ after: 0, ref: 'early' });
    expect(await early.next('error')).toMatchObject({ code: ErrorCode.NotJoined, ref: 'early' });
  });

  it('answers a fetch over the fetch rate RATE_LIMITED with the fetch’s ref, and the next in budget with its page', async () => {
    const clock = manualClock();
    const { alice } = await aliceAndBob({ clock: clock.now, limits: { fetchBurst: 1, fetchesPerSecond: 1 } });
    alice.fetch({ after: 0, ref: 'first' });
    expect(await alice.next('page')).toMatchObject({ ref: 'first' });
    alice.fetch({ after: 0, ref: 'second' });
    expect(await alice.next('error')).toMatchObject({ code: ErrorCode.RateLimited, ref: 'second' });
    clock.advance(1_000);
    alice.fetch({ after: 0, ref: 'third' });
    expect(await alice.next('page')).toMatchObject({ ref: 'third' });
  });

  it('answers a fetch it cannot decode BAD_FRAME with the fetch’s ref', async () => {
    const { alice } = await aliceAndBob();
    alice.fetch({ after: 0, limit: LIMITS.pageMax + 1, ref: 'too-many' });
    expect(await alice.next('error')).toMatchObject({ code: ErrorCode.BadFrame, ref: 'too-many' });
  });

  it('answers a fetch it cannot read the history for STORAGE_FAILED with the fetch’s ref', async () => {
    class Unreadable extends MemoryHistory {
      override after(): HistoryPage {
        throw new Error('disk I/O error');
      }
    }
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { alice } = await aliceAndBob({ history: new Unreadable() });
    alice.fetch({ after: 0, ref: 'lost' });
    expect(await alice.next('error')).toMatchObject({ code: ErrorCode.StorageFailed, ref: 'lost' });
    expect(logged).toHaveBeenCalled();
    logged.mockRestore();
  });

  it('answers a fetch without a ref with an error without one', async () => {
    const host = await startHost();
    const early = await RawPeer.connect(host.port);
    early.fetch({ after: 0 });
    const error = await early.next('error');
    expect(error.code).toBe(ErrorCode.NotJoined);
    expect(error).not.toHaveProperty('ref');
    expect(error).not.toHaveProperty('cid');
  });
});

describe('which errors carry the cid', () => {
  it('echoes the post’s cid on every error about a post: NOT_JOINED, BAD_FRAME, TEXT_TOO_LONG, NO_SUCH_MEMBER, RATE_LIMITED', async () => {
    const clock = manualClock();
    // Two posts' worth: the private one takes a token too (it is judged after the rate).
    const host = await startHost({ clock: clock.now, limits: { postBurst: 2, postsPerSecond: 0.001 } });
    const early = await RawPeer.connect(host.port);
    early.post('too soon', { cid: 'not-joined' });
    expect(await early.next('error')).toMatchObject({ code: ErrorCode.NotJoined, cid: 'not-joined' });

    const alice = await RawPeer.join(host.port, 'Alice');
    alice.send(JSON.stringify({ type: 'post', text: '   ', cid: 'blank' }));
    expect(await alice.next('error')).toMatchObject({ code: ErrorCode.BadFrame, cid: 'blank' });
    alice.post('x'.repeat(LIMITS.maxTextChars + 1), { cid: 'long' });
    expect(await alice.next('error')).toMatchObject({ code: ErrorCode.TextTooLong, cid: 'long' });
    alice.post('psst', { to: 'nobody', cid: 'whisper' });
    expect(await alice.next('error')).toMatchObject({ code: ErrorCode.NoSuchMember, cid: 'whisper' });
    alice.post('one', { cid: 'one' });
    expect(await alice.next('ack')).toMatchObject({ cid: 'one' });
    alice.post('two', { cid: 'two' });
    expect(await alice.nextOf('error')).toMatchObject({ code: ErrorCode.RateLimited, cid: 'two' });
  });

  it('echoes the valid cid and ref of any frame it cannot decode, whatever its type, and leaves out invalid ones', async () => {
    const { alice } = await aliceAndBob();
    alice.send(JSON.stringify({ type: 'edit', cid: 'e1', ref: 'r1' }));
    expect(await alice.next('error')).toMatchObject({ code: ErrorCode.UnknownType, cid: 'e1', ref: 'r1' });
    alice.send(JSON.stringify({ type: 'fetch', cid: 'c2', ref: 'x'.repeat(LIMITS.maxIdChars + 1) }));
    const error = await alice.next('error');
    expect(error).toMatchObject({ code: ErrorCode.BadFrame, cid: 'c2' });
    expect(error).not.toHaveProperty('ref');
  });

  it('echoes no cid or ref on BAD_JSON, BINARY_FRAME, ALREADY_JOINED or VERSION_MISMATCH', async () => {
    const host = await startHost();
    const alice = await RawPeer.join(host.port, 'Alice');
    alice.send('{"type":"post","cid":"c1",');
    alice.send(Buffer.from(JSON.stringify({ type: 'post', text: 'hi', cid: 'c2' })));
    alice.send(JSON.stringify({ ...alice.helloFrame('Alice'), cid: 'c3', ref: 'r3' }));
    for (const code of [ErrorCode.BadJson, ErrorCode.BinaryFrame, ErrorCode.AlreadyJoined]) {
      const error = await alice.next('error');
      expect(error.code).toBe(code);
      expect(error.cid ?? error.ref).toBeUndefined();
    }
    const future = await RawPeer.connect(host.port);
    future.send(JSON.stringify({ ...future.helloFrame('Future'), v: 99, cid: 'c4' }));
    const mismatch = await future.next('error');
    expect(mismatch.code).toBe(ErrorCode.VersionMismatch);
    expect(mismatch.cid).toBeUndefined();
  });
});

describe('a private message to a member who is not connected', () => {
  it('answers it NO_SUCH_MEMBER however often it is resent, and stores the same cid once that member is back', async () => {
    const { host, alice, bob } = await aliceAndBob();
    bob.ws.close(CloseCode.Normal);
    await alice.nextOf('presence');
    const cid = alice.post('are you there?', { to: bob.welcome.you.id });
    expect(await answerTo(alice, cid)).toMatchObject({ code: ErrorCode.NoSuchMember });
    alice.post('are you there?', { to: bob.welcome.you.id, cid });
    expect(await answerTo(alice, cid)).toMatchObject({ code: ErrorCode.NoSuchMember });

    const back = await RawPeer.join(host.port, 'Bob', { key: bob.key });
    expect(back.welcome.you.id).toBe(bob.welcome.you.id);
    await alice.nextOf('presence');
    alice.post('are you there?', { to: bob.welcome.you.id, cid });
    expect(await answerTo(alice, cid)).toMatchObject({ type: 'ack' });
    expect((await back.nextOf('message')).message).toMatchObject({
      text: 'are you there?',
      to: { id: back.welcome.you.id },
    });
  });
});

describe('the code each mistake gets', () => {
  it('answers text that is empty or only white space BAD_FRAME', async () => {
    const { alice } = await aliceAndBob();
    for (const text of ['', ' ', '\n\t', '\u3000']) {
      alice.send(JSON.stringify({ type: 'post', text, cid: 'blank' }));
      expect(await alice.next('error')).toMatchObject({ code: ErrorCode.BadFrame, cid: 'blank' });
    }
  });

  it('answers a fetch with bad bounds BAD_FRAME: neither or both of before and after, before 0, a negative or fractional seq, limit 0 or over 200', async () => {
    const { alice } = await aliceAndBob();
    const bad = [
      {},
      { before: 5, after: 1 },
      { before: 0 },
      { after: -1 },
      { after: 1.5 },
      { after: 0, limit: 0 },
      { after: 0, limit: LIMITS.pageMax + 1 },
      { after: '3' },
    ];
    for (const bounds of bad) {
      alice.send(JSON.stringify({ type: 'fetch', ...bounds, ref: 'bad' }));
      expect(await alice.next('error'), JSON.stringify(bounds)).toMatchObject({
        code: ErrorCode.BadFrame,
        ref: 'bad',
      });
    }
    alice.fetch({ after: 0, limit: LIMITS.pageMax, ref: 'good' });
    expect(await alice.next('page')).toMatchObject({ ref: 'good' });
  });

  it('answers an oversized nickname, public key, signature, cid or recipient BAD_FRAME (TEXT_TOO_LONG is for text alone)', async () => {
    const host = await startHost();
    const peer = await RawPeer.connect(host.port);
    const hello = peer.helloFrame('Peer');
    for (const wrong of [
      { nick: 'n'.repeat(LIMITS.maxNickChars + 1) },
      { pub: `${hello.pub}A` },
      { sig: `${hello.sig}A` },
    ]) {
      peer.send(JSON.stringify({ ...hello, ...wrong }));
      expect(await peer.next('error'), Object.keys(wrong)[0]).toMatchObject({ code: ErrorCode.BadFrame });
    }
    peer.send(hello);
    await peer.next('welcome');
    peer.send(JSON.stringify({ type: 'post', text: 'hi', cid: 'c'.repeat(LIMITS.maxIdChars + 1) }));
    expect(await peer.nextOf('error')).toMatchObject({ code: ErrorCode.BadFrame });
    peer.send(JSON.stringify({ type: 'post', text: 'hi', to: 't'.repeat(LIMITS.maxIdChars + 1), cid: 'c1' }));
    expect(await peer.nextOf('error')).toMatchObject({ code: ErrorCode.BadFrame, cid: 'c1' });
  });
});

describe('extensions', () => {
  it('ignores fields it does not know in a hello, a post and a fetch', async () => {
    const host = await startHost();
    const peer = await RawPeer.connect(host.port);
    peer.send(JSON.stringify({ ...peer.helloFrame('Newer'), avatar: 'cat.png', caps: ['edit'] }));
    expect((await peer.next('welcome')).you.nick).toBe('Newer');
    await peer.readRoster();
    peer.send(JSON.stringify({ type: 'post', text: 'hi', cid: 'c1', format: 'markdown', replyTo: 3 }));
    expect(await peer.next('ack')).toMatchObject({ cid: 'c1' });
    const echo = await peer.next('message');
    expect(echo.message).not.toHaveProperty('format');
    peer.send(JSON.stringify({ type: 'fetch', after: 0, ref: 'f1', withReactions: true }));
    expect(await peer.next('page')).toMatchObject({ ref: 'f1', messages: [{ text: 'hi' }] });
  });

  it('answers a frame type it does not know UNKNOWN_TYPE, before the hello too, and keeps the connection', async () => {
    const host = await startHost();
    const peer = await RawPeer.connect(host.port);
    peer.send(JSON.stringify({ type: 'typing' }));
    expect(await peer.next('error')).toMatchObject({ code: ErrorCode.UnknownType });
    peer.hello('Typist');
    await peer.next('welcome');
    await peer.readRoster();
    peer.send(JSON.stringify({ type: 'typing', ref: 't1' }));
    expect(await peer.next('error')).toMatchObject({ code: ErrorCode.UnknownType, ref: 't1' });
    const cid = peer.post('still here');
    expect(await peer.next('ack')).toMatchObject({ cid });
  });
});

describe('the welcome’s newest', () => {
  it('says 0 in an empty room, so a since of 5 shows the member its copy is of another history', async () => {
    const host = await startHost();
    const stale = await RawPeer.join(host.port, 'Stale', { since: 5 });
    expect(stale.welcome).toMatchObject({ newest: 0, history: [], more: false });
  });

  it('says the newest seq the member may see, with since or without, and a since up to it is this history', async () => {
    const { host, alice } = await aliceAndBob();
    for (const text of ['one', 'two', 'three']) await answerTo(alice, alice.post(text));
    expect((await RawPeer.join(host.port, 'New')).welcome.newest).toBe(3);
    const back = await RawPeer.join(host.port, 'Back', { since: 3 });
    expect(back.welcome).toMatchObject({ newest: 3, history: [], more: false });
    expect((await RawPeer.join(host.port, 'Later', { since: 4 })).welcome.newest).toBeLessThan(4);
  });

  it('does not count whispers between others, and does count removed messages, so an honest since never exceeds it', async () => {
    const host = await startHost({ history: new MemoryHistory(1) });
    const alice = await RawPeer.join(host.port, 'Alice');
    const bob = await RawPeer.join(host.port, 'Bob');
    const carol = await RawPeer.join(host.port, 'Carol');
    await allPresent(alice, bob, carol);
    await answerTo(alice, alice.post('to everyone')); // seq 1, Alice's last
    await answerTo(bob, bob.post('psst', { to: carol.welcome.you.id })); // seq 2 removes seq 1
    alice.ws.close(CloseCode.Normal);
    await alice.closed;
    const back = await RawPeer.join(host.port, 'Alice', { key: alice.key, since: 1 });
    expect(back.welcome).toMatchObject({ newest: 1, removedBefore: 2, history: [] });
    expect((await RawPeer.join(host.port, 'Carol', { key: carol.key })).welcome.newest).toBe(2);
  });
});

describe('the welcome’s limits', () => {
  it('tells a member the room’s limits, the protocol’s sizes and the host’s defaults', async () => {
    const host = await startHost();
    const peer = await RawPeer.join(host.port, 'Planner');
    const d = HOST_LIMIT_DEFAULTS;
    expect(peer.welcome.limits).toEqual({
      maxTextChars: LIMITS.maxTextChars,
      maxNickChars: LIMITS.maxNickChars,
      maxIdChars: LIMITS.maxIdChars,
      maxPayloadBytes: LIMITS.maxPayloadBytes,
      pageMax: LIMITS.pageMax,
      postBurst: d.postBurst,
      postsPerSecond: d.postsPerSecond,
      addressPostBurst: 2 * d.postBurst,
      addressPostsPerSecond: 2 * d.postsPerSecond,
      fetchBurst: d.fetchBurst,
      fetchesPerSecond: d.fetchesPerSecond,
      addressFetchBurst: 2 * d.fetchBurst,
      addressFetchesPerSecond: 2 * d.fetchesPerSecond,
      maxWaitingFetches: d.maxWaitingFetches,
      maxReplyBytes: d.maxReplyBytes,
      maxMembers: d.maxMembers,
      maxSeatsPerAddress: d.maxSeatsPerAddress,
      maxSeatsPerPrefix: d.maxSeatsPerPrefix,
      floodStrikes: d.floodStrikes,
      floodWindowMs: d.floodWindowMs,
      maxBufferedBytes: d.maxBufferedBytes,
      dailyPostsPerMember: d.dailyPostsPerMember,
      dailyBytesPerMember: d.dailyBytesPerMember,
    });
  });

  it('tells the limits the host was configured with, and leaves out a bound it does not set', async () => {
    const host = await startHost({
      limits: { postBurst: 3, postsPerSecond: 0.5, maxMembers: 42, fetchesPerSecond: Infinity },
    });
    const { limits } = (await RawPeer.join(host.port, 'Planner')).welcome;
    expect(limits).toMatchObject({ postBurst: 3, postsPerSecond: 0.5, addressPostBurst: 6, maxMembers: 42 });
    expect(limits).not.toHaveProperty('fetchesPerSecond');
    expect(limits).not.toHaveProperty('addressFetchesPerSecond');
  });

  it('refuses the post after the announced burst RATE_LIMITED, as the limits said', async () => {
    const clock = manualClock();
    const host = await startHost({ clock: clock.now, limits: { postBurst: 2, postsPerSecond: 0.001 } });
    const peer = await RawPeer.join(host.port, 'Planner');
    const burst = peer.welcome.limits!.postBurst!;
    for (let i = 0; i < burst; i++)
      expect(await answerTo(peer, peer.post(`in budget ${i}`))).toMatchObject({ type: 'ack' });
    expect(await answerTo(peer, peer.post('over'))).toMatchObject({ code: ErrorCode.RateLimited });
  });
});

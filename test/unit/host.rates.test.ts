import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/shared/protocol';
import { manualClock, startHost } from './support/host';
import { newKey, RawPeer } from './support/RawPeer';

/** The ack or the error that answers the post with `cid`, skipping every other frame. */
async function answerTo(peer: RawPeer, cid: string) {
  for (;;) {
    const frame = await peer.next();
    if ((frame.type === 'ack' || frame.type === 'error') && frame.cid === cid) return frame;
  }
}

/** The post's answer: 'ack' or the error code. */
async function outcome(peer: RawPeer, text: string): Promise<string> {
  const cid = peer.post(text);
  for (;;) {
    const frame = await peer.next();
    if (frame.type === 'ack' && frame.cid === cid) return 'ack';
    if (frame.type === 'error' && frame.cid === cid) return frame.code;
  }
}

describe('RoomHost rate budgets across reconnects', () => {
  it('does not give a member a fresh burst of posts for reconnecting', async () => {
    const clock = manualClock();
    const host = await startHost({ clock: clock.now, limits: { postBurst: 3, postsPerSecond: 0.001 } });
    const key = newKey();
    const first = await RawPeer.join(host.port, 'Mallory', { key });
    for (let i = 0; i < 3; i++) expect(await outcome(first, `burst ${i}`)).toBe('ack');
    first.ws.close();
    await first.closed;

    const again = await RawPeer.join(host.port, 'Mallory', { key });
    expect(await outcome(again, 'after reconnecting')).toBe(ErrorCode.RateLimited);
    clock.advance(1_000_000);
    expect(await outcome(again, 'once the budget refilled')).toBe('ack');
  });

  it('shares one address’s budget among the fresh identities it comes with, and leaves other addresses alone', async () => {
    const clock = manualClock();
    const limits = { postBurst: 3, postsPerSecond: 0.001, addressPostBurst: 5, addressPostsPerSecond: 0.001 };
    const host = await startHost({ clock: clock.now, limits });
    const from = { localAddress: '127.0.0.77' };
    const results: string[] = [];
    for (let identity = 0; identity < 3; identity++) {
      const mallory = await RawPeer.join(host.port, `Mallory ${identity}`, {}, from);
      for (let i = 0; i < 3; i++) results.push(await outcome(mallory, `post ${identity}.${i}`));
      mallory.ws.close();
      await mallory.closed;
    }
    expect(results.filter((r) => r === 'ack')).toHaveLength(5);
    expect(results.slice(5)).toEqual(Array(4).fill(ErrorCode.RateLimited));

    const alice = await RawPeer.join(host.port, 'Alice', {}, { localAddress: '127.0.0.78' });
    expect(await outcome(alice, 'from another machine')).toBe('ack');
  });

  it('does not give a member a fresh burst of fetches for reconnecting', async () => {
    const clock = manualClock();
    const host = await startHost({ clock: clock.now, limits: { fetchBurst: 2, fetchesPerSecond: 0.001 } });
    const key = newKey();
    const first = await RawPeer.join(host.port, 'Reader', { key });
    for (let i = 0; i < 2; i++) {
      first.fetch({ after: 0 });
      await first.nextOf('page');
    }
    first.ws.close();
    await first.closed;
    const again = await RawPeer.join(host.port, 'Reader', { key });
    again.fetch({ after: 0 });
    expect(await again.next('error')).toMatchObject({ code: ErrorCode.RateLimited });
  });
});

describe('RoomHost posts after a RATE_LIMITED one', () => {
  it('judges each post as it arrives: one sent after a refused post is stored once a token is back, ahead of the refused one’s resend', async () => {
    const clock = manualClock();
    const host = await startHost({ clock: clock.now, limits: { postBurst: 1, postsPerSecond: 1 } });
    const peer = await RawPeer.join(host.port, 'Pipeliner');
    const first = peer.post('first');
    const second = peer.post('second');
    expect(await answerTo(peer, first)).toMatchObject({ type: 'ack', seq: 1 });
    expect(await answerTo(peer, second)).toMatchObject({ type: 'error', code: ErrorCode.RateLimited });

    // Nothing is held for the refused post: a later one that finds a token is stored now.
    clock.advance(1_000);
    const third = peer.post('third');
    expect(await answerTo(peer, third)).toMatchObject({ type: 'ack', seq: 2 });
    clock.advance(1_000);
    peer.post('second', { cid: second });
    expect(await answerTo(peer, second)).toMatchObject({ type: 'ack', seq: 3 });
  });

  it('refuses every post of a pipelined run past the budget, each with its cid, so the client must resend them all in order', async () => {
    const clock = manualClock();
    const host = await startHost({ clock: clock.now, limits: { postBurst: 2, postsPerSecond: 1 } });
    const peer = await RawPeer.join(host.port, 'Pipeliner');
    const cids = ['a', 'b', 'c', 'd', 'e'].map((text) => peer.post(text, { cid: text }));
    const answers = [];
    for (const cid of cids) answers.push(await answerTo(peer, cid));
    expect(answers.map((a) => (a.type === 'ack' ? 'ack' : a.code))).toEqual([
      'ack',
      'ack',
      ErrorCode.RateLimited,
      ErrorCode.RateLimited,
      ErrorCode.RateLimited,
    ]);
    // Held back, then resent in order at the sustained rate: stored in the order they were typed.
    const seqs = [];
    for (const cid of cids.slice(2)) {
      clock.advance(1_000);
      peer.post(cid, { cid });
      const answer = await answerTo(peer, cid);
      seqs.push(answer.type === 'ack' ? answer.seq : answer.code);
    }
    expect(seqs).toEqual([3, 4, 5]);
  });
});

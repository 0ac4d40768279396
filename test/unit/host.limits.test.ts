import { get } from 'node:https';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { WebSocket, type ClientOptions } from 'ws';
import { MemoryHistory } from '../../src/core/host/history';
import { HOST_LIMIT_DEFAULTS, type HostLimits } from '../../src/core/host/limits';
import { CloseCode, ErrorCode, INFO_PATH, type RoomInfo } from '../../src/shared/protocol';
import { presentedFingerprint, signedHello } from '../support/signedHello';
import { manualClock, startHost } from './support/host';
import { allPresent, newKey, RawPeer } from './support/RawPeer';
import { makeClient, stateOf } from './support/client';
import { ReasonCode } from '../../src/shared/reasons';

/** A room whose rate limits run on a clock the test moves, with Alice watching. */
async function limitedRoom(limits: Partial<HostLimits> = {}) {
  const clock = manualClock();
  const host = await startHost({ clock: clock.now, limits });
  const alice = await RawPeer.join(host.port, 'Alice');
  // From a machine of her own: the per-address budgets are not what these tests are about.
  const mallory = await RawPeer.join(host.port, 'Mallory', {}, { localAddress: '127.0.0.66' });
  await allPresent(alice, mallory);
  /** Proves the room still works for Alice: her own post comes back acked and echoed. */
  const aliceStillChats = async (text = 'still chatting'): Promise<void> => {
    const cid = alice.post(text);
    expect(await alice.nextOf('ack')).toMatchObject({ cid });
    expect((await alice.nextOf('message')).message.text).toBe(text);
  };
  return { host, clock, alice, mallory, aliceStillChats };
}

/** Answers of `peer` until `count` of them are errors or acks, in order. */
async function outcomes(peer: RawPeer, count: number): Promise<string[]> {
  const seen: string[] = [];
  while (seen.length < count) {
    const frame = await peer.next();
    if (frame.type === 'ack') seen.push('ack');
    else if (frame.type === 'error') seen.push(frame.code);
  }
  return seen;
}

describe('RoomHost rate limits', () => {
  it('accepts a burst of posts, then answers RATE_LIMITED with the cid and stores nothing of it', async () => {
    const { host, mallory, alice } = await limitedRoom({ postBurst: 3, postsPerSecond: 1 });
    for (let i = 1; i <= 3; i++) mallory.post(`burst ${i}`);
    mallory.post('one too many');
    expect(await outcomes(mallory, 4)).toEqual(['ack', 'ack', 'ack', ErrorCode.RateLimited]);
    for (const text of ['burst 1', 'burst 2', 'burst 3'])
      expect((await alice.nextOf('message')).message.text).toBe(text);
    const late = await RawPeer.join(host.port, 'Late');
    expect(late.welcome.history.map((m) => m.text)).toEqual(['burst 1', 'burst 2', 'burst 3']);
  });

  it('tells the member which post was refused and that it may send it again', async () => {
    const { mallory } = await limitedRoom({ postBurst: 1, postsPerSecond: 1 });
    mallory.post('first');
    mallory.post('second', { cid: 'second-cid' });
    const error = await mallory.nextOf('error');
    expect(error).toMatchObject({ code: ErrorCode.RateLimited, cid: 'second-cid' });
    expect(error.message).toMatch(/again/);
  });

  it('lets a member that kept quiet post again once its tokens have refilled', async () => {
    const { clock, mallory } = await limitedRoom({ postBurst: 2, postsPerSecond: 2 });
    mallory.post('a');
    mallory.post('b');
    mallory.post('c', { cid: 'c' });
    expect(await outcomes(mallory, 3)).toEqual(['ack', 'ack', ErrorCode.RateLimited]);
    clock.advance(500); // one token at 2 per second
    const resent = mallory.post('c', { cid: 'c' });
    mallory.post('d', { cid: 'd' });
    expect(await mallory.nextOf('ack')).toMatchObject({ cid: resent });
    expect(await mallory.nextOf('error')).toMatchObject({ code: ErrorCode.RateLimited, cid: 'd' });
    clock.advance(10_000); // a long quiet spell earns back the burst, no more
    for (const cid of ['e', 'f', 'g']) mallory.post(cid, { cid });
    expect(await outcomes(mallory, 3)).toEqual(['ack', 'ack', ErrorCode.RateLimited]);
  });

  it('limits each member on its own: one member over the limit does not slow another', async () => {
    const { mallory, aliceStillChats } = await limitedRoom({ postBurst: 1, postsPerSecond: 1 });
    mallory.post('mine');
    mallory.post('too many');
    expect(await outcomes(mallory, 2)).toEqual(['ack', ErrorCode.RateLimited]);
    await aliceStillChats();
  });

  it('limits fetches with their own bucket, leaving posts alone', async () => {
    const { mallory } = await limitedRoom({ fetchBurst: 2, fetchesPerSecond: 1 });
    for (const ref of ['r1', 'r2', 'r3']) mallory.fetch({ after: 0, ref });
    expect(await mallory.next('page')).toMatchObject({ ref: 'r1' });
    expect(await mallory.next('page')).toMatchObject({ ref: 'r2' });
    expect(await mallory.next('error')).toMatchObject({ code: ErrorCode.RateLimited });
    const cid = mallory.post('posting is still fine');
    expect(await mallory.next('ack')).toMatchObject({ cid });
  });
});

describe('RoomHost facing a flood', () => {
  it('disconnects a member that keeps posting over the limit with 1008, and the others see it dropped', async () => {
    const { alice, mallory, aliceStillChats } = await limitedRoom({
      postBurst: 2,
      postsPerSecond: 1,
      floodStrikes: 5,
    });
    for (let i = 0; i < 20; i++) mallory.post(`spam ${i}`);
    expect((await mallory.closed).code).toBe(CloseCode.PolicyViolation);
    expect(await alice.nextOf('presence')).toMatchObject({
      left: [{ member: mallory.welcome.you, reason: 'dropped' }],
      count: 1,
    });
    await aliceStillChats();
  });

  it('answers every refused frame up to the cut: the burst, then one error per frame', async () => {
    const { mallory } = await limitedRoom({ postBurst: 2, postsPerSecond: 1, floodStrikes: 5 });
    for (let i = 0; i < 20; i++) mallory.post(`spam ${i}`);
    const seen: string[] = [];
    for (;;) {
      const frame = await mallory.next().catch(() => null);
      if (!frame) break;
      if (frame.type === 'ack' || frame.type === 'error')
        seen.push(frame.type === 'ack' ? 'ack' : frame.code);
    }
    // Five strikes are allowed; the sixth is still answered, then the connection is closed.
    expect(seen).toEqual(['ack', 'ack', ...Array<string>(6).fill(ErrorCode.RateLimited)]);
    expect((await mallory.closed).code).toBe(CloseCode.PolicyViolation);
  });

  it('cuts off a firehose of garbage with 1008 and keeps serving the others', async () => {
    const { alice, mallory, aliceStillChats } = await limitedRoom({ floodStrikes: 10 });
    for (let i = 0; i < 100; i++) mallory.send(i % 2 ? '{"type":' : Buffer.from([0xde, 0xad]));
    expect((await mallory.closed).code).toBe(CloseCode.PolicyViolation);
    expect(await alice.nextOf('presence')).toMatchObject({
      left: [{ member: mallory.welcome.you, reason: 'dropped' }],
    });
    await aliceStillChats();
  });

  it('cuts off a connection that never joined but keeps sending garbage', async () => {
    const host = await startHost({ clock: manualClock().now, limits: { floodStrikes: 3 } });
    const stranger = await RawPeer.connect(host.port);
    for (let i = 0; i < 10; i++) stranger.fetch({ after: 0 });
    expect((await stranger.closed).code).toBe(CloseCode.PolicyViolation);
  });

  it('never disconnects a member whose mistakes are spread out over time', async () => {
    const { clock, mallory } = await limitedRoom({ floodStrikes: 3, floodWindowMs: 1_000 });
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 3; i++) mallory.send('not json');
      expect(await outcomes(mallory, 3)).toEqual(Array<string>(3).fill(ErrorCode.BadJson));
      clock.advance(1_000);
    }
    const cid = mallory.post('still here');
    expect(await mallory.nextOf('ack')).toMatchObject({ cid });
  });

  it('does not count posts the host failed to store against the member', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    onTestFinished(() => logged.mockRestore());
    const history = new MemoryHistory(100);
    history.append = () => {
      throw new Error('disk full');
    };
    const host = await startHost({ history, clock: manualClock().now, limits: { floodStrikes: 2 } });
    const alice = await RawPeer.join(host.port, 'Alice');
    for (let i = 0; i < 5; i++) alice.post(`try ${i}`);
    expect(await outcomes(alice, 5)).toEqual(Array<string>(5).fill(ErrorCode.StorageFailed));
    alice.fetch({ after: 0, ref: 'still-open' });
    expect(await alice.next('page')).toMatchObject({ ref: 'still-open' });
  });
});

describe('RoomHost handshake timeout', () => {
  it('closes a connection that sends no hello in time with 4003', async () => {
    const host = await startHost({ limits: { handshakeTimeoutMs: 50 } });
    const silent = await RawPeer.connect(host.port);
    expect((await silent.closed).code).toBe(CloseCode.HandshakeTimeout);
  });

  it('closes a connection whose hellos were all invalid with 4003', async () => {
    const host = await startHost({ limits: { handshakeTimeoutMs: 100 } });
    const fumbling = await RawPeer.connect(host.port);
    fumbling.send({ ...fumbling.helloFrame('Fumble'), pub: 'short' });
    expect(await fumbling.next('error')).toMatchObject({ code: ErrorCode.BadFrame });
    expect((await fumbling.closed).code).toBe(CloseCode.HandshakeTimeout);
  });

  it('leaves a member that joined in time alone', async () => {
    const host = await startHost({ limits: { handshakeTimeoutMs: 50 } });
    const alice = await RawPeer.join(host.port, 'Alice');
    // A connection opened after Alice's times out after hers would have: by then her timer is long past.
    const silent = await RawPeer.connect(host.port);
    expect((await silent.closed).code).toBe(CloseCode.HandshakeTimeout);
    const cid = alice.post('still here');
    expect(await alice.nextOf('ack')).toMatchObject({ cid });
  });
});

/** A member that joins and then ignores everything the room sends (cheap enough for hundreds). */
async function quietMember(port: number, nick: string): Promise<WebSocket> {
  const ws = new WebSocket(`wss://127.0.0.1:${port}/`, {
    perMessageDeflate: false,
    rejectUnauthorized: false,
  });
  ws.on('error', () => {});
  const fingerprint = presentedFingerprint(ws);
  await new Promise<void>((resolve, reject) => {
    const key = newKey();
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type?: string; nonce?: string };
      if (frame.type === 'challenge') {
        ws.send(JSON.stringify(signedHello(nick, key, frame.nonce!, fingerprint())));
      } else if (frame.type === 'welcome') {
        ws.removeAllListeners('message');
        resolve();
      } else reject(new Error(`${nick} got ${String(data).slice(0, 200)}`));
    });
    ws.once('close', (code) => reject(new Error(`${nick} was closed with ${code}`)));
  });
  return ws;
}

describe('RoomHost room size', () => {
  it(`refuses the member after the ${HOST_LIMIT_DEFAULTS.maxMembers}th with ROOM_FULL and 4004 while the others keep chatting`, async () => {
    // Every member connects from 127.0.0.1 here: the per-address seat share is lifted.
    const host = await startHost({ limits: { maxSeatsPerAddress: 1_000, maxSeatsPerPrefix: 1_000 } });
    const sockets: WebSocket[] = [];
    try {
      const alice = await RawPeer.join(host.port, 'Alice');
      const bob = await RawPeer.join(host.port, 'Bob');
      for (let i = 3; i <= HOST_LIMIT_DEFAULTS.maxMembers; i++)
        sockets.push(await quietMember(host.port, `Quiet ${i}`));
      expect(host.info().members).toBe(HOST_LIMIT_DEFAULTS.maxMembers);

      const extra = await RawPeer.connect(host.port);
      extra.hello('One too many');
      const error = await extra.next('error');
      expect(error).toMatchObject({ code: ErrorCode.RoomFull, message: 'This room is full (500 members).' });
      expect((await extra.closed).code).toBe(CloseCode.RoomFull);
      expect(host.info().members).toBe(HOST_LIMIT_DEFAULTS.maxMembers);

      const text = 'the room is full and fine';
      bob.post(text);
      expect((await alice.nextOf('message')).message.text).toBe(text);
    } finally {
      for (const ws of sockets) ws.terminate();
    }
    // 500 TLS handshakes in a row: on a shared, loaded machine this takes well over the default 20 s.
  }, 90_000);

  it('lets a member of a full room take its own seat back on a new connection', async () => {
    const host = await startHost({ limits: { maxMembers: 2 } });
    await RawPeer.join(host.port, 'Alice');
    const bob = await RawPeer.join(host.port, 'Bob');
    const bobAgain = await RawPeer.join(host.port, 'Bob', { key: bob.key });
    expect(bobAgain.welcome.you).toEqual(bob.welcome.you);
    expect((await bob.closed).code).toBe(CloseCode.Replaced);
  });

  it('tells a member app that the room is full, and lets it in by itself once a seat is free', async () => {
    const host = await startHost({ limits: { maxMembers: 1 } });
    const alice = await RawPeer.join(host.port, 'Alice');
    const bob = makeClient(host.port, 'Bob', { backoff: { initialMs: 20, maxMs: 50, maxAttempts: 100 } });
    onTestFinished(() => bob.close());
    const waiting = stateOf(bob, 'reconnecting');
    bob.start();
    expect((await waiting)[2]).toEqual({ code: ReasonCode.RoomFull });
    alice.ws.close(1000);
    await stateOf(bob, 'online');
  });

  it('has a seat again once a member leaves', async () => {
    const host = await startHost({ limits: { maxMembers: 2 } });
    await RawPeer.join(host.port, 'Alice');
    const bob = await RawPeer.join(host.port, 'Bob');
    const carol = await RawPeer.connect(host.port);
    carol.hello('Carol');
    expect(await carol.next('error')).toMatchObject({
      code: ErrorCode.RoomFull,
      message: 'This room is full (2 members).',
    });
    // Bob's join and leave may fall in one presence interval (and then nobody hears of either):
    // the host's own count says when his seat is free.
    const freed = new Promise<void>((resolve) => host.on('count', (n) => n === 1 && resolve()));
    bob.ws.close(1000);
    await freed;
    expect((await RawPeer.join(host.port, 'Carol')).welcome.room.members).toBe(2);
  });
});

/** Tries a WebSocket handshake; resolves with 'open' or the refusal's message. */
function tryConnect(port: number, opts: ClientOptions = {}): Promise<string> {
  return RawPeer.connect(port, opts).then(
    () => 'open',
    (err: Error) => err.message,
  );
}

/** GET the room's info; rejects when the connection is refused or reset. */
function fetchInfo(port: number, localAddress?: string): Promise<RoomInfo> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: INFO_PATH, rejectUnauthorized: false, localAddress }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(JSON.parse(body) as RoomInfo));
    }).on('error', reject);
  });
}

describe('RoomHost connection cap', () => {
  it('resets a connection past maxConnections, joined ones counted, when its address already holds the most', async () => {
    const host = await startHost({ limits: { maxConnections: 3 } });
    await RawPeer.join(host.port, 'Alice');
    const idle = await RawPeer.connect(host.port);
    await RawPeer.connect(host.port);
    expect(await tryConnect(host.port)).toMatch(/ECONNRESET|socket hang up/);
    // A plain HTTP probe is a connection like any other.
    await expect(fetchInfo(host.port)).rejects.toThrow(/ECONNRESET|socket hang up/);
    idle.ws.terminate();
    await idle.closed;
    // The host may see the close a moment after the peer does: retry until the slot is free.
    let outcome = await tryConnect(host.port);
    while (outcome !== 'open') outcome = await tryConnect(host.port);
    expect(outcome).toBe('open');
  });

  it('refuses one address more connections that have not joined than its share, counting neither its members nor other addresses', async () => {
    const host = await startHost({ limits: { maxUnjoinedPerAddress: 2 } });
    await RawPeer.join(host.port, 'Alice');
    const idle = await RawPeer.connect(host.port);
    await RawPeer.connect(host.port);
    expect(await tryConnect(host.port)).toMatch(/ECONNRESET|socket hang up/);
    // Another machine (another loopback address here) is not held back by this one's sockets.
    expect(await tryConnect(host.port, { localAddress: '127.0.0.2' })).toBe('open');
    expect((await fetchInfo(host.port, '127.0.0.3')).members).toBe(1);
    // Once one of them joins, the address has a free slot for a newcomer again.
    idle.hello('Idle');
    await idle.nextOf('welcome');
    expect(await tryConnect(host.port)).toBe('open');
  });

  it('allows twice maxMembers connections unless told otherwise', async () => {
    const host = await startHost({ limits: { maxMembers: 1 } });
    await RawPeer.connect(host.port);
    await RawPeer.connect(host.port);
    expect(await tryConnect(host.port)).toMatch(/ECONNRESET|socket hang up/);
  });
});

describe('RoomHost facing a slow consumer', () => {
  it('disconnects a member that stops reading with 4005 while the others keep chatting', async () => {
    const maxBufferedBytes = 64 * 1024;
    const host = await startHost({ limits: { maxBufferedBytes, postBurst: 1e6, postsPerSecond: 1e6 } });
    const alice = await RawPeer.join(host.port, 'Alice');
    const bob = await RawPeer.join(host.port, 'Bob');
    const slow = await RawPeer.join(host.port, 'Slow');
    await allPresent(alice, bob, slow);
    slow.ws.pause(); // stops reading its TCP socket: the kernel buffers fill, then the host's

    // Alice talks (big messages, waiting for each batch's acks) until the host gives up on Slow.
    const big = 'x'.repeat(7_000);
    let left = null;
    // Batches of 5 (35 KB): over TLS a burst written in one tick sits in the TLS socket's own
    // buffer (counted in bufferedAmount) until the next tick, even for a member who reads.
    for (let batch = 0; !left && batch < 2000; batch++) {
      const cids = Array.from({ length: 5 }, () => alice.post(big));
      for (const cid of cids) {
        for (;;) {
          const frame = await alice.next();
          if (frame.type === 'presence' && frame.left.length > 0) left = frame;
          if (frame.type === 'ack' && frame.cid === cid) break;
        }
      }
    }
    expect(left).toMatchObject({ left: [{ member: slow.welcome.you, reason: 'dropped' }], count: 2 });
    expect(host.info().members).toBe(2);

    slow.ws.resume();
    expect((await slow.closed).code).toBe(CloseCode.TooSlow);
    const text = 'bob still hears alice';
    alice.post(text);
    for (;;) if ((await bob.nextOf('message')).message.text === text) break;
  });
});

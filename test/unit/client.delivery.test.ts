import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/shared/protocol';
import type { OutboxStore, PendingPost, Problem } from '../../src/core/client/RoomClient';
import { SEND_WINDOW } from '../../src/core/client/Delivery';
import { joinClient, makeClient, nextEvent, stateOf, until } from './support/client';
import { FakeRoom, startFakeHost, welcomeFor, type Post } from './support/fakeHost';

describe('RoomClient delivery', () => {
  it('files a post in the outbox before sending it, and lets it go only on its ack', async () => {
    const room = await FakeRoom.start();
    const client = await joinClient(room.port, 'Alice');
    const pendingWhenSent: string[][] = [];
    room.on('frame', () => pendingWhenSent.push(client.pending().map((p) => p.text)));
    const pendingAtAck: string[][] = [];
    client.on('ack', () => pendingAtAck.push(client.pending().map((p) => p.text)));
    const acked = nextEvent(client, 'ack');
    const cid = client.post('hello');
    expect(client.pending()).toMatchObject([{ cid, text: 'hello' }]);
    const [ackedCid, id, seq] = await acked;
    expect(pendingWhenSent).toEqual([['hello']]);
    expect(pendingAtAck).toEqual([[]]);
    expect([ackedCid, id, seq]).toEqual([cid, room.messages[0]!.id, 1]);
  });

  it('keeps a post the host swallowed pending while online', async () => {
    const room = await FakeRoom.start();
    room.verdict = () => 'swallow';
    const client = await joinClient(room.port, 'Alice');
    const arrived = nextEvent(room, 'frame');
    const cid = client.post('into the void', undefined);
    await arrived;
    expect(client.pending().map((p) => p.cid)).toEqual([cid]);
  });

  it('resends unacked posts in order after the next welcome, sent-but-unacked ones included', async () => {
    const room = await FakeRoom.start();
    // The first link loses every post: the host never stores or acks them.
    room.verdict = () => (room.hellos.length === 1 ? 'swallow' : 'store');
    const client = await joinClient(room.port, 'Alice');
    const bothArrived = until(room, 'frame', () => room.frames.length === 2);
    client.post('one');
    client.post('two');
    await bothArrived;

    const reconnecting = stateOf(client, 'reconnecting');
    room.drop();
    await reconnecting;
    client.post('three');
    const acks: string[] = [];
    client.on('ack', (cid) => acks.push(cid));
    const allAcked = until(client, 'ack', () => acks.length === 3);
    const cids = client.pending().map((p) => p.cid);
    await allAcked;
    expect(room.messages.map((m) => m.text)).toEqual(['one', 'two', 'three']);
    expect(acks).toEqual(cids);
    expect(client.pending()).toEqual([]);
  });

  it('resends after a drop that lost only the ack, and the room still stores the post once', async () => {
    const room = await FakeRoom.start();
    // The host stores the post, but its ack never makes it back before the link dies.
    room.verdict = (_post, attempt) => (attempt === 1 ? 'store-quietly' : 'store');
    const client = await joinClient(room.port, 'Alice');
    room.once('stored', () => room.drop());
    const acked = nextEvent(client, 'ack');
    const cid = client.post('only once');
    const [ackedCid, , seq] = await acked;
    expect([ackedCid, seq]).toEqual([cid, 1]);
    expect(room.messages.map((m) => m.text)).toEqual(['only once']);
    expect(room.frames.filter((f) => f.type === 'post' && f.cid === cid)).toHaveLength(2);
    expect(client.pending()).toEqual([]);
  });

  it('takes a duplicate ack in its stride', async () => {
    const port = await startFakeHost(
      ({ hello, send }) => send(welcomeFor(hello)),
      (peer, frame) => {
        if (frame.type !== 'post') return;
        const ack = { type: 'ack', cid: frame.cid, id: 'msg-1', seq: 1 } as const;
        peer.send(ack);
        peer.send(ack);
        peer.send({ type: 'presence', joined: [{ id: 'b', nick: 'Bob' }], left: [], count: 2 });
      },
    );
    const client = await joinClient(port, 'Alice');
    const acks: string[] = [];
    const problems: Problem[] = [];
    client.on('ack', (cid) => acks.push(cid));
    client.on('problem', (p) => problems.push(p));
    const after = nextEvent(client, 'presence');
    const cid = client.post('hi');
    await after;
    expect(acks).toEqual([cid]);
    expect(problems).toEqual([]);
    expect(client.pending()).toEqual([]);
    expect(client.state).toBe('online');
  });

  it.each([ErrorCode.TextTooLong, ErrorCode.NoSuchMember, ErrorCode.BadFrame, ErrorCode.QuotaExceeded])(
    'drops a post refused with %s, reports it with its cid and never resends it',
    async (code) => {
      const room = await FakeRoom.start();
      room.verdict = (post) => (post.text === 'doomed' ? { code, message: 'No.' } : 'store');
      const client = await joinClient(room.port, 'Alice');
      const problem = nextEvent(client, 'problem');
      const cid = client.post('doomed');
      expect((await problem)[0]).toEqual({ code, message: 'No.', cid });
      expect(client.pending()).toEqual([]);

      // A later welcome resends what is pending: the refused post is not among it.
      const back = stateOf(client, 'online');
      room.drop();
      await back;
      const acked = nextEvent(client, 'ack');
      client.post('fine');
      await acked;
      expect(room.frames.filter((f) => f.type === 'post').map((f) => (f as Post).text)).toEqual([
        'doomed',
        'fine',
      ]);
    },
  );

  it.each([
    ['too long', 'x'.repeat(8_001), ErrorCode.TextTooLong],
    ['blank', '   ', ErrorCode.BadFrame],
  ])('refuses a %s post at once, without filing or sending it', async (_what, text, code) => {
    const room = await FakeRoom.start();
    const client = await joinClient(room.port, 'Alice');
    const problem = nextEvent(client, 'problem');
    const cid = client.post(text);
    expect(client.pending()).toEqual([]);
    expect((await problem)[0]).toMatchObject({ code, cid });
    const acked = nextEvent(client, 'ack');
    client.post('fine');
    await acked;
    expect(room.frames.map((f) => (f as Post).text)).toEqual(['fine']);
  });

  it('keeps a post the host could not store and resends it after a short pause', async () => {
    const room = await FakeRoom.start();
    room.verdict = (_post, attempt) =>
      attempt === 1 ? { code: ErrorCode.StorageFailed, message: 'Disk full.' } : 'store';
    const client = await joinClient(room.port, 'Alice');
    const problems: Problem[] = [];
    client.on('problem', (p) => problems.push(p));
    const acked = nextEvent(client, 'ack');
    const cid = client.post('try again');
    expect((await acked)[0]).toBe(cid);
    expect(room.messages.map((m) => m.text)).toEqual(['try again']);
    expect(room.frames).toHaveLength(2);
    // Reported, but without the cid: the post is not lost, so the window must not mark it failed.
    expect(problems).toEqual([
      { code: ErrorCode.StorageFailed, message: 'Disk full. It will be sent again.' },
    ]);
    expect(client.pending()).toEqual([]);
  });

  it('keeps the outbox through STORAGE_FULL, backing off, and sends it again in order once the host has room', async () => {
    const room = await FakeRoom.start();
    let full = true;
    room.verdict = () =>
      full ? { code: ErrorCode.StorageFull, message: 'The host’s disk is full.' } : 'store';
    const client = await joinClient(room.port, 'Alice', { storageRetry: { initialMs: 5, maxMs: 20 } });
    const problems: Problem[] = [];
    client.on('problem', (p) => problems.push(p));
    const refused = nextEvent(client, 'problem');
    const cids = ['one', 'two', 'three'].map((text) => client.post(text));
    await refused;
    // Nothing is lost while the disk is full: all three wait, in order.
    expect(client.pending().map((p) => p.cid)).toEqual(cids);
    // Held back again at least once more (the backoff), then the host has room.
    await until(client, 'problem', () => problems.length >= 2);
    full = false;
    await until(client, 'ack', () => client.pending().length === 0);
    expect(room.messages.map((m) => m.text)).toEqual(['one', 'two', 'three']);
    // Reported as a pause, never as a failed post (no cid).
    expect(problems.every((p) => p.code === ErrorCode.StorageFull && p.cid === undefined)).toBe(true);
  });

  it('holds posts back after RATE_LIMITED and then resends the whole outbox in order', async () => {
    const room = await FakeRoom.start();
    let limited = false;
    // The host takes the first post, refuses the second as too fast, and takes everything after.
    room.verdict = (post) => {
      if (post.text === 'two' && !limited) {
        limited = true;
        return { code: ErrorCode.RateLimited, message: 'Slow down.' };
      }
      return 'store';
    };
    const client = await joinClient(room.port, 'Alice');
    const refused = until(client, 'problem', () => limited);
    client.post('one');
    client.post('two');
    await refused;
    // Typed while held back: it must wait, or it would overtake "two".
    client.post('three');
    await until(client, 'ack', () => client.pending().length === 0);
    expect(room.messages.map((m) => m.text)).toEqual(['one', 'two', 'three']);
  });

  it('keeps at most a window of unacknowledged posts on the wire, and drains the rest in order', async () => {
    const room = await FakeRoom.start();
    room.verdict = () => 'swallow'; // nothing is acknowledged
    const client = await joinClient(room.port, 'Alice');
    for (let i = 0; i < 40; i++) client.post(`post ${i}`);
    // A fetch is answered after every frame sent before it: a barrier, not a wait.
    await client.fetchEarlier(1);
    expect(room.frames.filter((f) => (f as Post).type === 'post')).toHaveLength(SEND_WINDOW);

    room.verdict = () => 'store';
    const drained = until(client, 'ack', () => client.pending().length === 0);
    room.drop(); // the next welcome resends the outbox from the start
    await drained;
    expect(room.messages.map((m) => m.text)).toEqual(Array.from({ length: 40 }, (_, i) => `post ${i}`));
  });

  it('resends a post the host could not store on the next welcome', async () => {
    const room = await FakeRoom.start();
    room.verdict = () => (room.hellos.length === 1 ? { code: ErrorCode.StorageFailed } : 'store');
    // A pause far longer than the test: only the welcome can bring the post back.
    const client = await joinClient(room.port, 'Alice', { storageRetry: { initialMs: 60_000 } });
    const refused = nextEvent(client, 'problem');
    const cid = client.post('after the welcome');
    await refused;
    expect(client.pending().map((p) => p.cid)).toEqual([cid]);
    const acked = nextEvent(client, 'ack');
    room.drop();
    expect((await acked)[0]).toBe(cid);
    expect(room.messages.map((m) => m.text)).toEqual(['after the welcome']);
  });

  it('keeps posts in a given outbox and leaves them there when closed', async () => {
    const room = await FakeRoom.start();
    room.verdict = () => 'swallow';
    const kept: PendingPost[] = [];
    const outbox: OutboxStore = {
      list: () => [...kept],
      add: (post) => void kept.push(post),
      remove: (cid) => {
        const at = kept.findIndex((p) => p.cid === cid);
        if (at >= 0) kept.splice(at, 1);
      },
    };
    const client = makeClient(room.port, 'Alice', { outbox });
    const cid = client.post('written down first');
    expect(kept.map((p) => p.cid)).toEqual([cid]);
    await client.close();
    expect(kept.map((p) => p.text)).toEqual(['written down first']);
  });
});

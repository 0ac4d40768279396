import { ReasonCode } from '../../src/shared/reasons';
import { describe, expect, it } from 'vitest';
import type { RoomClient } from '../../src/core/client/RoomClient';
import type { ChatMessage } from '../../src/shared/protocol';
import { joinClient, makeClient, nextEvent, stateOf, until } from './support/client';
import { FakeRoom, startFakeHost, welcomeFor, type Fetch } from './support/fakeHost';

/** Every message a client emits, as [event, seq] in emission order. */
function recordSeqs(client: RoomClient): ['backlog' | 'message', number][] {
  const seen: ['backlog' | 'message', number][] = [];
  client.on('backlog', (messages) =>
    seen.push(...messages.map((m): ['backlog', number] => ['backlog', m.seq])),
  );
  client.on('message', (m) => seen.push(['message', m.seq]));
  return seen;
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

function seed(room: FakeRoom, count: number): void {
  for (let i = 1; i <= count; i++) room.say(`message ${i}`);
}

describe('RoomClient history', () => {
  it('asks for nothing in particular on first join and gets the latest messages as backlog', async () => {
    const room = await FakeRoom.start({ backlog: 50 });
    seed(room, 60);
    const client = makeClient(room.port, 'Alice');
    const backlog = nextEvent(client, 'backlog');
    client.start();
    expect((await backlog)[0].map((m) => m.seq)).toEqual(range(11, 60));
    expect(room.hellos[0]!.since).toBeUndefined();
    expect(room.frames).toEqual([]);
  });

  it('asks to continue from the highest seq of its saved copy', async () => {
    const room = await FakeRoom.start();
    seed(room, 5);
    const client = makeClient(room.port, 'Alice', { since: () => 3 });
    const backlog = nextEvent(client, 'backlog');
    client.start();
    expect((await backlog)[0].map((m) => m.seq)).toEqual([4, 5]);
    expect(room.hellos[0]!.since).toBe(3);
  });

  it('asks after a drop for exactly the messages it missed', async () => {
    const room = await FakeRoom.start();
    seed(room, 5);
    const client = await joinClient(room.port, 'Alice');
    const seqs = recordSeqs(client);
    const live = nextEvent(client, 'message');
    room.say('live');
    await live;

    const reconnecting = stateOf(client, 'reconnecting');
    room.drop();
    await reconnecting;
    room.say('missed 1');
    room.say('missed 2');
    const backlog = nextEvent(client, 'backlog');
    await backlog;
    expect(room.hellos.map((h) => h.since)).toEqual([undefined, 6]);
    expect(seqs).toEqual([
      ['message', 6],
      ['backlog', 7],
      ['backlog', 8],
    ]);
  });

  it('sets a saved copy of another history aside, then loads the room as a first-time member does', async () => {
    // The host lost its data and has 4 messages; our copy reaches to seq 9 of the old history.
    const room = await FakeRoom.start();
    seed(room, 4);
    let saved: number | undefined = 9;
    const client = makeClient(room.port, 'Alice', { since: () => saved });
    const order: string[] = [];
    client.on('copyReplaced', (newest) => {
      order.push(`copyReplaced ${newest}`);
      saved = undefined; // what the app does: the copy goes aside, so `since` stops answering from it
    });
    client.on('welcome', () => order.push('welcome'));
    const seqs = recordSeqs(client);
    const loaded = until(client, 'backlog', () => seqs.length === 4);
    client.start();
    await loaded;
    expect(order).toEqual(['copyReplaced 4', 'welcome']);
    expect(seqs).toEqual(range(1, 4).map((seq) => ['backlog', seq]));
    expect(room.frames).toEqual([expect.objectContaining({ type: 'fetch', before: 5 })]);

    // The next hello continues from the host's history, not from the copy set aside.
    const back = nextEvent(client, 'welcome');
    room.drop();
    await back;
    expect(room.hellos.map((h) => h.since)).toEqual([9, 4]);
  });

  it("keeps a saved copy whose since is within the host's history", async () => {
    const room = await FakeRoom.start();
    seed(room, 4);
    const client = makeClient(room.port, 'Alice', { since: () => 4 });
    let replaced = false;
    client.on('copyReplaced', () => (replaced = true));
    const welcome = nextEvent(client, 'welcome');
    client.start();
    await welcome;
    expect(replaced).toBe(false);
    expect(room.frames).toEqual([]);
  });

  it("plans its fetches around the page size the host's welcome says it enforces", async () => {
    const asked: number[] = [];
    const port = await startFakeHost(
      ({ hello, send }) => send(welcomeFor(hello, { limits: { pageMax: 3, maxTextChars: 100 } })),
      (peer, frame) => {
        if (frame.type !== 'fetch') return;
        asked.push(frame.limit ?? 0);
        peer.send({ type: 'page', ref: frame.ref!, messages: [], more: false });
      },
    );
    const client = makeClient(port, 'Alice');
    const welcome = nextEvent(client, 'welcome');
    client.start();
    await welcome;
    expect(client.limits).toEqual({ pageMax: 3, maxTextChars: 100 });
    await client.fetchEarlier(50, 50);
    expect(asked).toEqual([3]);
  });

  /**
   * A host whose answer to each fetch `answer` picks: an empty page, or an error with the
   * fetch's ref. Resolves with a client welcomed there, whose fetches wait far beyond the
   * test: anything it sees is the host's answer, never its own deadline.
   */
  async function answeringHost(answer: (fetch: Fetch) => 'page' | string): Promise<RoomClient> {
    const port = await startFakeHost(
      ({ hello, send }) => send(welcomeFor(hello)),
      (peer, frame) => {
        if (frame.type !== 'fetch') return;
        const said = answer(frame);
        if (said === 'page') peer.send({ type: 'page', ref: frame.ref!, messages: [], more: false });
        else peer.send({ type: 'error', code: said, message: 'refused', ref: frame.ref! });
      },
    );
    const client = makeClient(port, 'Alice', { requestTimeoutMs: 600_000 });
    const welcome = nextEvent(client, 'welcome');
    client.start();
    await welcome;
    return client;
  }

  it('fails a fetch the host answers with an error by its ref at once, and leaves the others waiting', async () => {
    const asked: number[] = [];
    const client = await answeringHost((fetch) => {
      asked.push(fetch.before!);
      return fetch.before === 10 ? 'STORAGE_FAILED' : 'page';
    });
    const problems: string[] = [];
    client.on('problem', (p) => problems.push(p.code));
    const [refused, answered] = await Promise.allSettled([client.fetchEarlier(10), client.fetchEarlier(20)]);
    expect(refused).toMatchObject({ status: 'rejected', reason: { code: 'STORAGE_FAILED' } });
    expect(answered).toEqual({ status: 'fulfilled', value: { messages: [], more: false } });
    expect(asked).toEqual([10, 20]);
    // The caller was told; nothing reaches the room-wide problem stream.
    expect(problems).toEqual([]);
  });

  it('asks again, after a pause, only for the fetch the host refused as too fast', async () => {
    const asked: number[] = [];
    const client = await answeringHost((fetch) => {
      asked.push(fetch.before!);
      return fetch.before === 10 && asked.filter((b) => b === 10).length === 1 ? 'RATE_LIMITED' : 'page';
    });
    await Promise.all([client.fetchEarlier(10), client.fetchEarlier(20)]);
    expect(asked).toEqual([10, 20, 10]);
  });

  it('fetches page after page when the welcome says there is more, in order and each seq once', async () => {
    const room = await FakeRoom.start({ pageMax: 3 });
    seed(room, 10);
    const client = makeClient(room.port, 'Alice', { since: () => 2 });
    const seqs = recordSeqs(client);
    const caughtUp = until(client, 'backlog', () => seqs.length === 8);
    client.start();
    await caughtUp;
    expect(seqs).toEqual(range(3, 10).map((seq) => ['backlog', seq]));
    expect(room.frames.map((f) => (f as Fetch).after)).toEqual([5, 8]);
    expect(room.frames.every((f) => f.type === 'fetch' && f.limit === 200 && f.ref)).toBe(true);
  });

  it('holds live messages that arrive during a catch-up until it is done, and never emits a seq twice', async () => {
    const room = await FakeRoom.start({ pageMax: 3 });
    seed(room, 10);
    // A message arrives live while the first catch-up page is on its way: the host's next
    // page then carries it too.
    room.once('frame', () => room.say('while catching up'));
    const client = makeClient(room.port, 'Alice', { since: () => 2 });
    const seqs = recordSeqs(client);
    const caughtUp = until(client, 'backlog', () => seqs.length === 9);
    client.start();
    await caughtUp;
    const afterwards = nextEvent(client, 'message');
    room.say('after the catch-up');
    await afterwards;
    expect(seqs).toEqual([...range(3, 11).map((seq) => ['backlog', seq]), ['message', 12]]);
  });

  it('emits a live message held during the catch-up after the last page when the page lacks it', async () => {
    // A host whose catch-up page was read before the live message was stored.
    const msg = (seq: number): ChatMessage => ({
      id: `m${seq}`,
      seq,
      ts: 1,
      from: { id: 'o', nick: 'O' },
      text: `${seq}`,
    });
    const port = await startFakeHost(
      ({ hello, send }) => send(welcomeFor(hello, { history: [msg(2)], more: true })),
      (peer, frame) => {
        if (frame.type !== 'fetch') return;
        peer.send({ type: 'message', message: msg(4) });
        peer.send({ type: 'page', ref: frame.ref!, messages: [msg(3)], more: false });
      },
    );
    const client = makeClient(port, 'Alice', { since: () => 1 });
    const seqs = recordSeqs(client);
    const done = until(client, 'message', () => seqs.length === 3);
    client.start();
    await done;
    expect(seqs).toEqual([
      ['backlog', 2],
      ['backlog', 3],
      ['message', 4],
    ]);
  });

  it('drops the link when a catch-up page never comes, and asks again from where it was', async () => {
    const msg = (seq: number): ChatMessage => ({
      id: `m${seq}`,
      seq,
      ts: 1,
      from: { id: 'o', nick: 'O' },
      text: `${seq}`,
    });
    const hellos: (number | undefined)[] = [];
    const port = await startFakeHost(({ hello, send }) => {
      hellos.push(hello.since);
      // The first welcome promises more and the fetch then goes unanswered.
      send(
        welcomeFor(hello, hellos.length === 1 ? { history: [msg(2)], more: true } : { history: [msg(3)] }),
      );
    });
    const client = makeClient(port, 'Alice', { since: () => 1, requestTimeoutMs: 50 });
    const seqs = recordSeqs(client);
    const reconnecting = stateOf(client, 'reconnecting');
    const done = until(client, 'backlog', () => seqs.length === 2);
    client.start();
    expect((await reconnecting)[2]).toEqual({ code: ReasonCode.PageTimeout });
    await done;
    expect(hellos).toEqual([1, 2]);
    expect(seqs).toEqual([
      ['backlog', 2],
      ['backlog', 3],
    ]);
  });

  it('fetches earlier messages, matching each answer to its question', async () => {
    const room = await FakeRoom.start();
    seed(room, 20);
    const client = await joinClient(room.port, 'Alice', { since: () => 20 });
    const [near, far] = await Promise.all([client.fetchEarlier(20, 5), client.fetchEarlier(4, 10)]);
    expect(near.messages.map((m) => m.seq)).toEqual(range(15, 19));
    expect(near.more).toBe(true);
    expect(far.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(far.more).toBe(false);
  });

  it('does not emit the messages it fetched earlier', async () => {
    const room = await FakeRoom.start();
    seed(room, 3);
    const client = await joinClient(room.port, 'Alice', { since: () => 3 });
    const seqs = recordSeqs(client);
    await client.fetchEarlier(3);
    const live = nextEvent(client, 'message');
    room.say('now');
    await live;
    expect(seqs).toEqual([['message', 4]]);
  });

  it('refuses to fetch earlier messages while not online', async () => {
    const room = await FakeRoom.start();
    const client = makeClient(room.port, 'Alice');
    await expect(client.fetchEarlier(10)).rejects.toThrow(/Not connected to the room/);
  });

  it('gives up on an earlier-messages fetch that is never answered', async () => {
    const port = await startFakeHost(({ hello, send }) => send(welcomeFor(hello)));
    const client = await joinClient(port, 'Alice', { requestTimeoutMs: 50 });
    await expect(client.fetchEarlier(10)).rejects.toThrow(/did not send the requested messages within/);
    expect(client.state).toBe('online');
  });

  it('fails an earlier-messages fetch at once when the connection drops', async () => {
    const port = await startFakeHost(
      ({ hello, send }) => send(welcomeFor(hello)),
      (peer, frame) => frame.type === 'fetch' && peer.ws.terminate(),
    );
    const client = await joinClient(port, 'Alice');
    await expect(client.fetchEarlier(10)).rejects.toThrow(/connection to the room was lost/);
  });
});

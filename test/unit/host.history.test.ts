import { describe, expect, it } from 'vitest';
import type { HistoryStore } from '../../src/core/host/history';
import { newMessageId } from '../../src/core/host/ids';
import type { MemberKey } from '../../src/core/memberKey';
import { LIMITS, type ChatMessage, type Member } from '../../src/shared/protocol';
import { openHostDb, startHost, tempDir } from './support/host';
import { newKey, RawPeer } from './support/RawPeer';

/** A member that is not online, posting straight into the store. */
function someone(nick: string): Member & { key: MemberKey } {
  const key = newKey();
  return { id: key.id, nick, key };
}

/** Stores messages number `first` to `last`; `shape(i)` says who sends each and to whom. */
function fill(
  history: HistoryStore,
  last: number,
  shape: (i: number) => { from: Member; to?: Member },
  first = 1,
): void {
  for (let i = first; i <= last; i++) {
    history.append({ id: newMessageId(), ts: i, text: `m${i}`, ...shape(i) }, `c${i}`);
  }
}

/** A host over a fresh host.db in a temp folder. */
async function persistentHost(name = 'Office') {
  const dir = tempDir();
  const db = openHostDb(dir);
  const room = db.room(name);
  const host = await startHost({ name, roomId: room.id, history: room.history });
  return { dir, db, room, host };
}

/** Every page back from `from` (exclusive), oldest first, as one list; checks the ref echo. */
async function pageBackToStart(peer: RawPeer, from: number, limit: number): Promise<ChatMessage[]> {
  const got: ChatMessage[] = [];
  let before = from;
  for (let n = 0; ; n++) {
    peer.fetch({ before, limit, ref: `p${n}` });
    const page = await peer.next('page');
    expect(page.ref).toBe(`p${n}`);
    got.unshift(...page.messages);
    if (!page.more) return got;
    expect(page.messages.length).toBe(limit);
    before = page.messages[0]!.seq;
  }
}

describe('RoomHost history over host.db', () => {
  it('gives the same key the same member id, and its private history, after a host restart', async () => {
    const { dir, db, room, host } = await persistentHost();
    const alice = await RawPeer.join(host.port, 'Alice');
    const bob = await RawPeer.join(host.port, 'Bob');
    alice.post('for bob only', { to: bob.welcome.you.id });
    alice.post('for everyone');
    await bob.nextOf('message');
    await bob.nextOf('message');
    await host.stop();
    db.close();

    const reopened = openHostDb(dir);
    const again = reopened.room('Office');
    expect(again.id).toBe(room.id);
    const restarted = await startHost({ name: 'Office', roomId: again.id, history: again.history });
    const bobBack = await RawPeer.join(restarted.port, 'Bob', { key: bob.key });
    expect(bobBack.welcome.you.id).toBe(bob.welcome.you.id);
    expect(bobBack.welcome.room.id).toBe(room.id);
    expect(bobBack.welcome.history.map((m) => [m.seq, m.text])).toEqual([
      [1, 'for bob only'],
      [2, 'for everyone'],
    ]);
    const carol = await RawPeer.join(restarted.port, 'Carol');
    expect(carol.welcome.history.map((m) => m.text)).toEqual(['for everyone']);
    // Numbering carries on where the first run stopped.
    bobBack.post('after the restart');
    expect(await bobBack.nextOf('ack')).toMatchObject({ seq: 3 });
  });

  it('catches a member up on a gap larger than a page: first page and `more`, then fetch after', async () => {
    const { db, room, host } = await persistentHost();
    const poster = someone('Poster');
    const total = 2 * LIMITS.pageMax + 50;
    db.batch(() => fill(room.history, total, () => ({ from: poster })));

    const bob = await RawPeer.join(host.port, 'Bob', { since: 10 });
    expect(bob.welcome.more).toBe(true);
    const got = [...bob.welcome.history];
    expect(got).toHaveLength(LIMITS.pageMax);
    for (;;) {
      bob.fetch({ after: got.at(-1)!.seq, limit: LIMITS.pageMax });
      const page = await bob.next('page');
      got.push(...page.messages);
      if (!page.more) break;
    }
    expect(got.map((m) => m.seq)).toEqual(Array.from({ length: total - 10 }, (_, i) => i + 11));
  });

  it('pages back to message 1 through a 5,000-message room with no duplicates or holes', async () => {
    const { db, room, host } = await persistentHost();
    const [ann, ben, cat] = [someone('Ann'), someone('Ben'), someone('Cat')];
    const me = await RawPeer.join(host.port, 'Me');
    const self = me.welcome.you;
    // Mostly group messages, with whispers between others and to and from "me" mixed in.
    const shape = (i: number): { from: Member; to?: Member } => {
      if (i % 11 === 0) return { from: cat, to: self };
      if (i % 13 === 0) return { from: self, to: ann };
      if (i % 7 === 0) return { from: ann, to: ben };
      return { from: i % 2 ? ann : cat };
    };
    const started = performance.now();
    db.batch(() => fill(room.history, 5_000, shape));
    const ms = performance.now() - started;
    console.info(`stored 5,000 messages in one transaction in ${ms.toFixed(0)} ms`);

    const expected: number[] = [];
    for (let i = 1; i <= 5_000; i++) if (i % 7 !== 0 || i % 11 === 0 || i % 13 === 0) expected.push(i);

    // A fresh welcome's backlog, then pages back from its oldest message.
    const welcome = await RawPeer.join(host.port, 'Me again', { key: me.key });
    expect(welcome.welcome.history.map((m) => m.seq)).toEqual(expected.slice(-LIMITS.backlog));
    const older = await pageBackToStart(welcome, welcome.welcome.history[0]!.seq, LIMITS.pageMax);
    const all = [...older, ...welcome.welcome.history].map((m) => m.seq);
    expect(all).toEqual(expected);
  });

  it('never shows another member’s private messages in a welcome, a catch-up or a page', async () => {
    const { db, room, host } = await persistentHost();
    const [ann, ben] = [someone('Ann'), someone('Ben')];
    db.batch(() =>
      fill(room.history, 300, (i) => (i % 3 === 0 ? { from: ann, to: ben } : { from: ben, to: ann })),
    );
    db.batch(() => fill(room.history, 302, () => ({ from: ann }), 301));

    const carol = await RawPeer.join(host.port, 'Carol');
    expect(carol.welcome.history.map((m) => m.text)).toEqual(['m301', 'm302']);
    const caughtUp = await RawPeer.join(host.port, 'Carol 2', { since: 0 });
    expect(caughtUp.welcome.history.map((m) => m.seq)).toEqual([301, 302]);
    expect(caughtUp.welcome.more).toBe(false);
    carol.fetch({ before: 301 });
    expect(await carol.nextOf('page')).toMatchObject({ messages: [], more: false });
    carol.fetch({ after: 0 });
    expect((await carol.nextOf('page')).messages.map((m) => m.seq)).toEqual([301, 302]);

    const annBack = await RawPeer.join(host.port, 'Ann', { key: ann.key, since: 0 });
    expect(annBack.welcome.history).toHaveLength(LIMITS.pageMax);
    expect(annBack.welcome.more).toBe(true);
  });

  it('answers a fetch without a limit with at most the backlog size, and echoes no ref when none was given', async () => {
    const { db, room, host } = await persistentHost();
    db.batch(() => fill(room.history, LIMITS.backlog + 10, () => ({ from: someone('P') })));
    const peer = await RawPeer.join(host.port, 'Reader');
    peer.fetch({ after: 0 });
    const page = await peer.next('page');
    expect(page.ref).toBeUndefined();
    expect(page.messages.map((m) => m.seq)).toEqual(Array.from({ length: LIMITS.backlog }, (_, i) => i + 1));
    expect(page.more).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import type { HistoryStore } from '../../src/core/host/history';
import { MemoryHistory } from '../../src/core/host/history';
import { ErrorCode } from '../../src/shared/protocol';
import { startHost } from './support/host';
import { allPresent, RawPeer } from './support/RawPeer';

/** Alice, Bob and Carol in one room, each with the others' joins already read. */
async function threeMembers(history?: HistoryStore) {
  const host = await startHost(history ? { history } : {});
  const alice = await RawPeer.join(host.port, 'Alice');
  const bob = await RawPeer.join(host.port, 'Bob');
  const carol = await RawPeer.join(host.port, 'Carol');
  await allPresent(alice, bob, carol);
  return { host, alice, bob, carol };
}

describe('RoomHost messaging', () => {
  it('delivers a group message to every member, the sender included', async () => {
    const { alice, bob, carol } = await threeMembers();
    alice.post('hello all');
    await alice.next('ack');
    for (const peer of [alice, bob, carol]) {
      const { message } = await peer.next('message');
      expect(message.text).toBe('hello all');
      expect(message.from).toEqual(alice.welcome.you);
      expect(message.to).toBeUndefined();
    }
  });

  it('acknowledges a post to its sender with the cid, id and seq before echoing it', async () => {
    const { alice, bob } = await threeMembers();
    alice.post('first', { cid: 'c-1' });
    const ack = await alice.next('ack');
    const echo = (await alice.next('message')).message;
    expect(ack).toEqual({ type: 'ack', cid: 'c-1', id: echo.id, seq: 1 });
    expect(echo).toMatchObject({ seq: 1, cid: 'c-1', text: 'first' });
    expect((await bob.next('message')).message).toEqual({ ...echo, cid: undefined });
  });

  it('numbers the room’s messages 1, 2, 3 in the order it stored them', async () => {
    const { alice, bob, carol } = await threeMembers();
    alice.post('one');
    await alice.next('ack');
    bob.post('two');
    await bob.nextOf('ack');
    alice.post('three');
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push((await carol.next('message')).message);
    expect(seen.map((m) => [m.seq, m.text])).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ]);
  });

  it('acknowledges a resent cid again with the same seq, storing and broadcasting nothing new', async () => {
    const { host, alice, bob } = await threeMembers();
    alice.post('only once', { cid: 'c-dup' });
    const first = await alice.next('ack');
    await alice.next('message');
    alice.post('only once', { cid: 'c-dup' });
    expect(await alice.next('ack')).toEqual(first);
    alice.post('next', { cid: 'c-next' });
    // Frames arrive in order: had the resend been broadcast, Bob would see it before "next".
    expect((await bob.next('message')).message).toMatchObject({ text: 'only once', seq: 1 });
    expect((await bob.next('message')).message).toMatchObject({ text: 'next', seq: 2 });
    expect(await alice.next('ack')).toMatchObject({ cid: 'c-next', seq: 2 });
    const late = await RawPeer.join(host.port, 'Late');
    expect(late.welcome.history.map((m) => m.text)).toEqual(['only once', 'next']);
  });

  it('treats the same cid from two different members as two posts', async () => {
    const { alice, bob } = await threeMembers();
    alice.post('from alice', { cid: 'same' });
    bob.post('from bob', { cid: 'same' });
    expect(await alice.next('ack')).toMatchObject({ seq: 1 });
    expect(await bob.nextOf('ack')).toMatchObject({ seq: 2 });
  });

  it('acknowledges a resent private message even after its recipient left', async () => {
    const { alice, bob, carol } = await threeMembers();
    alice.post('psst', { to: bob.welcome.you.id, cid: 'c-p' });
    const ack = await alice.next('ack');
    await bob.next('message');
    bob.ws.close();
    await carol.nextOf('presence');
    alice.post('psst', { to: bob.welcome.you.id, cid: 'c-p' });
    await alice.nextOf('presence');
    expect(await alice.next('ack')).toEqual(ack);
  });

  it('delivers a private message to its sender and recipient only', async () => {
    const { alice, bob } = await threeMembers();
    alice.post('just for you', { to: bob.welcome.you.id });
    const toBob = (await bob.next('message')).message;
    const echo = (await alice.nextOf('message')).message;
    expect(toBob).toMatchObject({ text: 'just for you', from: alice.welcome.you, to: bob.welcome.you });
    expect(echo.id).toBe(toBob.id);
  });

  it('does not deliver a private message to a third member', async () => {
    const { alice, bob, carol } = await threeMembers();
    alice.post('secret', { to: bob.welcome.you.id });
    alice.post('public');
    // Frames arrive in order, so if the private message had reached Carol it would come first.
    expect((await carol.next('message')).message).toMatchObject({ text: 'public', seq: 2 });
  });

  it('keeps private messages out of a third member’s backlog', async () => {
    const { host, alice, bob } = await threeMembers();
    alice.post('secret', { to: bob.welcome.you.id });
    alice.post('public');
    await bob.nextOf('message');
    await bob.nextOf('message');
    const dave = await RawPeer.join(host.port, 'Dave');
    expect(dave.welcome.history.map((m) => m.text)).toEqual(['public']);
  });

  it('echoes the cid to the sender only', async () => {
    const { alice, bob, carol } = await threeMembers();
    alice.post('with a cid', { cid: 'c-42' });
    expect((await alice.nextOf('message')).message.cid).toBe('c-42');
    expect((await bob.next('message')).message.cid).toBeUndefined();
    expect((await carol.next('message')).message.cid).toBeUndefined();
  });

  it('stores messages without the sender’s cid', async () => {
    const { host, alice } = await threeMembers();
    alice.post('remember me', { cid: 'c-1' });
    await alice.nextOf('message');
    const late = await RawPeer.join(host.port, 'Late');
    expect(late.welcome.history[0]).toMatchObject({ text: 'remember me', seq: 1 });
    expect(late.welcome.history[0]!.cid).toBeUndefined();
  });

  it('stamps messages with the sending connection’s member, whatever the frame claims', async () => {
    const { alice, bob } = await threeMembers();
    alice.send(
      JSON.stringify({
        type: 'post',
        text: 'I am Bob',
        cid: 'c-f',
        from: bob.welcome.you,
        id: 'forged',
        ts: 1,
        seq: 99,
      }),
    );
    const { message } = await bob.next('message');
    expect(message.from).toEqual(alice.welcome.you);
    expect(message.id).not.toBe('forged');
    expect(message.ts).toBeGreaterThan(1);
    expect(message.seq).toBe(1);
  });

  it('answers a private message to an unknown member with NO_SUCH_MEMBER and the cid', async () => {
    const { alice, bob } = await threeMembers();
    alice.post('anyone?', { to: 'nobody', cid: 'c-7' });
    expect(await alice.next('error')).toMatchObject({ code: ErrorCode.NoSuchMember, cid: 'c-7' });
    alice.post('still here');
    expect((await bob.next('message')).message).toMatchObject({ text: 'still here', seq: 1 });
  });

  it('delivers a private message to oneself once', async () => {
    const { alice } = await threeMembers();
    alice.post('note to self', { to: alice.welcome.you.id, cid: 'me' });
    alice.post('after', { cid: 'after' });
    expect(await alice.next('ack')).toMatchObject({ cid: 'me' });
    expect((await alice.next('message')).message).toMatchObject({ text: 'note to self', cid: 'me' });
    expect(await alice.next('ack')).toMatchObject({ cid: 'after' });
    expect((await alice.next('message')).message.text).toBe('after');
  });

  it('answers STORAGE_FAILED with the cid when the message cannot be kept, and broadcasts nothing', async () => {
    const history = new MemoryHistory();
    let refuse = true;
    const append = history.append.bind(history);
    history.append = (draft, cid) => {
      if (refuse) throw new Error('disk on fire');
      return append(draft, cid);
    };
    const { alice, bob } = await threeMembers(history);
    alice.post('lost?', { cid: 'c-s' });
    expect(await alice.next('error')).toMatchObject({ code: ErrorCode.StorageFailed, cid: 'c-s' });
    refuse = false;
    alice.post('lost?', { cid: 'c-s' });
    expect(await alice.next('ack')).toMatchObject({ cid: 'c-s', seq: 1 });
    expect((await bob.next('message')).message).toMatchObject({ text: 'lost?', seq: 1 });
  });
});

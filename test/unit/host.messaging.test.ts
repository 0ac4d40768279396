import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/shared/protocol';
import { startHost } from './support/host';
import { RawPeer } from './support/RawPeer';

/** Alice, Bob and Carol in one room, each with the others' joins already read. */
async function threeMembers() {
  const host = await startHost();
  const alice = await RawPeer.join(host.port, 'Alice');
  const bob = await RawPeer.join(host.port, 'Bob');
  const carol = await RawPeer.join(host.port, 'Carol');
  await alice.next('joined');
  await alice.next('joined');
  await bob.next('joined');
  return { host, alice, bob, carol };
}

describe('RoomHost messaging', () => {
  it('delivers a group message to every member, the sender included', async () => {
    const { alice, bob, carol } = await threeMembers();
    alice.post('hello all');
    for (const peer of [alice, bob, carol]) {
      const { message } = await peer.next('message');
      expect(message.text).toBe('hello all');
      expect(message.from).toEqual(alice.welcome.you);
      expect(message.to).toBeUndefined();
    }
  });

  it('delivers a private message to its sender and recipient only', async () => {
    const { alice, bob } = await threeMembers();
    alice.post('just for you', { to: bob.welcome.you.id });
    const toBob = (await bob.next('message')).message;
    const echo = (await alice.next('message')).message;
    expect(toBob).toMatchObject({ text: 'just for you', from: alice.welcome.you, to: bob.welcome.you });
    expect(echo.id).toBe(toBob.id);
  });

  it('does not deliver a private message to a third member', async () => {
    const { alice, bob, carol } = await threeMembers();
    alice.post('secret', { to: bob.welcome.you.id });
    alice.post('public');
    // Frames arrive in order, so if the private message had reached Carol it would come first.
    expect((await carol.next('message')).message.text).toBe('public');
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
    expect((await alice.next('message')).message.cid).toBe('c-42');
    expect((await bob.next('message')).message.cid).toBeUndefined();
    expect((await carol.next('message')).message.cid).toBeUndefined();
  });

  it('stores messages without the sender’s cid', async () => {
    const { host, alice } = await threeMembers();
    alice.post('remember me', { cid: 'c-1' });
    await alice.next('message');
    const late = await RawPeer.join(host.port, 'Late');
    expect(late.welcome.history[0]).toMatchObject({ text: 'remember me' });
    expect(late.welcome.history[0]!.cid).toBeUndefined();
  });

  it('stamps messages with the sending connection’s member, whatever the frame claims', async () => {
    const { alice, bob } = await threeMembers();
    alice.send(
      JSON.stringify({ type: 'post', text: 'I am Bob', from: bob.welcome.you, id: 'forged', ts: 1 }),
    );
    const { message } = await bob.next('message');
    expect(message.from).toEqual(alice.welcome.you);
    expect(message.id).not.toBe('forged');
    expect(message.ts).toBeGreaterThan(1);
  });

  it('answers a private message to an unknown member with NO_SUCH_MEMBER and the cid', async () => {
    const { alice, bob } = await threeMembers();
    alice.post('anyone?', { to: 'nobody', cid: 'c-7' });
    expect(await alice.next('error')).toMatchObject({ code: ErrorCode.NoSuchMember, cid: 'c-7' });
    alice.post('still here');
    expect((await bob.next('message')).message.text).toBe('still here');
  });

  it('delivers a private message to oneself once', async () => {
    const { alice } = await threeMembers();
    alice.post('note to self', { to: alice.welcome.you.id, cid: 'me' });
    alice.post('after');
    expect((await alice.next('message')).message).toMatchObject({ text: 'note to self', cid: 'me' });
    expect((await alice.next('message')).message.text).toBe('after');
  });
});

import { describe, expect, it } from 'vitest';
import { CloseCode } from '../../src/shared/protocol';
import { startHost } from './support/host';
import { RawPeer } from './support/RawPeer';

describe('RoomHost members coming back with their key', () => {
  it('gives a member that dropped and came back with its key the same id', async () => {
    const host = await startHost();
    const watcher = await RawPeer.join(host.port, 'Watcher');
    const first = await RawPeer.join(host.port, 'Alice');
    await watcher.next('presence');
    first.ws.terminate();
    await watcher.next('presence');

    const again = await RawPeer.join(host.port, 'Alice', { key: first.key });
    expect(again.welcome.you).toEqual(first.welcome.you);
    expect(again.welcome.you.id).toBe(first.key.id);
    expect(await watcher.next('presence')).toMatchObject({ joined: [first.welcome.you], count: 2 });
  });

  it('gives different keys different ids, even under the same nickname', async () => {
    const host = await startHost();
    const one = await RawPeer.join(host.port, 'Alice');
    one.ws.close();
    await one.closed;
    const other = await RawPeer.join(host.port, 'Alice');
    expect(other.welcome.you.id).not.toBe(one.welcome.you.id);
  });

  it('takes over a still-open connection silently, closing the old one with 4002', async () => {
    const host = await startHost();
    const watcher = await RawPeer.join(host.port, 'Watcher');
    const old = await RawPeer.join(host.port, 'Alice');
    await watcher.next('presence');
    const counts: number[] = [];
    host.on('count', (n) => counts.push(n));

    // A different nickname in the new hello: to the others it is still the Alice they know.
    const fresh = await RawPeer.join(host.port, 'Alicia', { key: old.key });
    expect(fresh.welcome.you).toEqual(old.welcome.you);
    expect(await fresh.present(2, fresh.welcome.you)).toEqual([watcher.welcome.you, old.welcome.you]);
    expect((await old.closed).code).toBe(CloseCode.Replaced);

    // The watcher saw no left and no joined: its next frame is the member's message.
    fresh.post('same me, new socket');
    const { message } = await watcher.next('message');
    expect(message).toMatchObject({ from: old.welcome.you, text: 'same me, new socket' });
    expect(counts).toEqual([]);
  });

  it('does not let a replaced connection speak for the member any more', async () => {
    const host = await startHost();
    const old = await RawPeer.join(host.port, 'Alice');
    old.ws.pause();
    const fresh = await RawPeer.join(host.port, 'Alice', { key: old.key });
    // The old socket's post, sent as the host replaced it, must not appear as Alice's.
    old.post('ghost');
    fresh.post('real');
    await fresh.next('ack');
    expect((await fresh.next('message')).message.text).toBe('real');
  });

  it('sends a member that comes back with `since` exactly the messages it missed', async () => {
    const host = await startHost();
    const bob = await RawPeer.join(host.port, 'Bob');
    const alice = await RawPeer.join(host.port, 'Alice');
    for (const text of ['one', 'two']) alice.post(text);
    await bob.nextOf('message');
    const seen = (await bob.nextOf('message')).message.seq;
    bob.ws.terminate();
    await alice.nextOf('presence');
    for (const text of ['three', 'four', 'five']) alice.post(text);
    await alice.nextOf('ack');
    await alice.nextOf('ack');
    await alice.nextOf('ack');

    const back = await RawPeer.join(host.port, 'Bob', { key: bob.key, since: seen });
    expect(back.welcome.history.map((m) => [m.seq, m.text])).toEqual([
      [3, 'three'],
      [4, 'four'],
      [5, 'five'],
    ]);
    expect(back.welcome.more).toBe(false);
  });

  it('sends an empty catch-up to a member that missed nothing', async () => {
    const host = await startHost();
    const alice = await RawPeer.join(host.port, 'Alice');
    alice.post('one');
    await alice.next('ack');
    const again = await RawPeer.join(host.port, 'Alice 2', { since: 1 });
    expect(again.welcome).toMatchObject({ history: [], more: false });
  });
});

import { describe, expect, it } from 'vitest';
import { CloseCode, PROTOCOL_VERSION } from '../../src/shared/protocol';
import { startHost } from './support/host';
import { RawPeer } from './support/RawPeer';

describe('RoomHost resuming members', () => {
  it('gives a member that dropped and came back with its token the same id and nickname', async () => {
    const host = await startHost();
    const watcher = await RawPeer.join(host.port, 'Watcher');
    const first = await RawPeer.join(host.port, 'Alice');
    await watcher.next('joined');
    first.ws.terminate();
    await watcher.next('left');

    const again = await RawPeer.connect(host.port);
    again.send({ type: 'hello', v: PROTOCOL_VERSION, nick: 'Alice', resume: first.welcome.token });
    const welcome = await again.next('welcome');
    expect(welcome.you).toEqual(first.welcome.you);
    expect(welcome.token).toBe(first.welcome.token);
    expect(await watcher.next('joined')).toMatchObject({ member: first.welcome.you, count: 2 });
  });

  it('takes over a still-open connection silently, closing the old one with 4002', async () => {
    const host = await startHost();
    const watcher = await RawPeer.join(host.port, 'Watcher');
    const old = await RawPeer.join(host.port, 'Alice');
    await watcher.next('joined');
    const counts: number[] = [];
    host.on('count', (n) => counts.push(n));

    const fresh = await RawPeer.connect(host.port);
    fresh.send({ type: 'hello', v: PROTOCOL_VERSION, nick: 'Alice', resume: old.welcome.token });
    const welcome = await fresh.next('welcome');
    expect(welcome.you).toEqual(old.welcome.you);
    expect(welcome.members).toEqual([watcher.welcome.you, old.welcome.you]);
    expect((await old.closed).code).toBe(CloseCode.Replaced);

    // The watcher saw no left and no joined: its next frame is the resumed member's message.
    fresh.post('same me, new socket');
    const { message } = await watcher.next('message');
    expect(message).toMatchObject({ from: old.welcome.you, text: 'same me, new socket' });
    expect(counts).toEqual([]);
  });

  it('treats an unknown resume token as a fresh join', async () => {
    const host = await startHost();
    const peer = await RawPeer.connect(host.port);
    peer.send({ type: 'hello', v: PROTOCOL_VERSION, nick: 'Alice', resume: 'made-up-token' });
    const welcome = await peer.next('welcome');
    expect(welcome.you.nick).toBe('Alice');
    expect(welcome.token).not.toBe('made-up-token');
  });

  it('does not let a replaced connection speak for the member any more', async () => {
    const host = await startHost();
    const old = await RawPeer.join(host.port, 'Alice');
    old.ws.pause();
    const fresh = await RawPeer.connect(host.port);
    fresh.send({ type: 'hello', v: PROTOCOL_VERSION, nick: 'Alice', resume: old.welcome.token });
    await fresh.next('welcome');
    // The old socket's post, sent as the host replaced it, must not appear as Alice's.
    old.post('ghost');
    fresh.post('real');
    expect((await fresh.next('message')).message.text).toBe('real');
  });
});

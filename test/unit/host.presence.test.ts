import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { RoomHost } from '../../src/core/host/RoomHost';
import { CloseCode, INFO_PATH, PROTOCOL_VERSION } from '../../src/shared/protocol';
import { startHost } from './support/host';
import { httpsGet } from './support/https';
import { testIdentity } from './support/identity';
import { RawPeer } from './support/RawPeer';

describe('RoomHost presence', () => {
  it('welcomes a member with itself and the room, then tells it everyone present', async () => {
    const host = await startHost({ heartbeatMs: 5_000 });
    const alice = await RawPeer.join(host.port, 'Alice');
    const bob = await RawPeer.join(host.port, 'Bob');
    expect(bob.welcome).toMatchObject({
      v: PROTOCOL_VERSION,
      you: { nick: 'Bob' },
      room: { id: host.id, name: 'Test room', host: 'Hosting Hana', members: 2 },
      heartbeatMs: 5_000,
    });
    expect(await bob.present(2, bob.welcome.you)).toEqual([alice.welcome.you, bob.welcome.you]);
    expect(bob.welcome.you.id).toBe(bob.key.id);
    expect(bob.welcome).toMatchObject({ history: [], more: false });
    expect(bob.welcome.you.id).not.toBe(alice.welcome.you.id);
  });

  it('tells the others who joined and left, with the new count', async () => {
    const host = await startHost();
    const alice = await RawPeer.join(host.port, 'Alice');
    const bob = await RawPeer.join(host.port, 'Bob');
    expect(await alice.next('presence')).toEqual({
      type: 'presence',
      joined: [bob.welcome.you],
      left: [],
      count: 2,
    });
    bob.ws.close(CloseCode.Normal);
    expect(await alice.next('presence')).toEqual({
      type: 'presence',
      joined: [],
      left: [{ member: bob.welcome.you, reason: 'quit' }],
      count: 1,
    });
  });

  it('reports a member whose connection vanished as dropped', async () => {
    const host = await startHost();
    const alice = await RawPeer.join(host.port, 'Alice');
    const bob = await RawPeer.join(host.port, 'Bob');
    await alice.next('presence');
    bob.ws.terminate();
    expect(await alice.next('presence')).toMatchObject({
      left: [{ member: bob.welcome.you, reason: 'dropped' }],
      count: 1,
    });
  });

  it('emits count whenever the number of members changes', async () => {
    const host = await startHost();
    const counts: number[] = [];
    host.on('count', (n) => counts.push(n));
    const alice = await RawPeer.join(host.port, 'Alice');
    const bob = await RawPeer.join(host.port, 'Bob');
    await alice.next('presence');
    bob.ws.close();
    await alice.next('presence');
    expect(counts).toEqual([1, 2, 1]);
  });

  it('renames a second "Alice" to "Alice (2)", ignoring case', async () => {
    const host = await startHost();
    await RawPeer.join(host.port, 'Alice');
    expect((await RawPeer.join(host.port, 'alice')).welcome.you.nick).toBe('alice (2)');
    expect((await RawPeer.join(host.port, 'Alice')).welcome.you.nick).toBe('Alice (3)');
  });

  it('frees a nickname when its member leaves, once its reservation is over', async () => {
    const host = await startHost({ nicknames: { reserveMs: 0 } });
    const watcher = await RawPeer.join(host.port, 'Watcher');
    const first = await RawPeer.join(host.port, 'Alice');
    await watcher.next('presence');
    first.ws.close();
    await watcher.next('presence');
    expect((await RawPeer.join(host.port, 'Alice')).welcome.you.nick).toBe('Alice');
  });

  it('drops a member that stops answering pings, and the others see it dropped', async () => {
    // Every change its own presence frame: Silent's join and drop could otherwise fall in one
    // interval, and then nobody is told of either (see the coalescing tests).
    const host = await startHost({ heartbeatMs: 100, limits: { presenceIntervalMs: 0 } });
    const alice = await RawPeer.join(host.port, 'Alice');
    const silent = await RawPeer.join(host.port, 'Silent', {}, { autoPong: false });
    await alice.next('presence');
    expect(await alice.next('presence')).toMatchObject({
      left: [{ member: silent.welcome.you, reason: 'dropped' }],
      count: 1,
    });
    expect((await silent.closed).code).toBe(1006);
    // Alice answers pings, so she is still there to chat.
    alice.post('still here');
    expect((await alice.nextOf('message')).message.text).toBe('still here');
  });

  it('answers GET /parley/info with the room and its current member count', async () => {
    const host = await startHost({ roomId: 'room-1' });
    await RawPeer.join(host.port, 'Alice');
    await RawPeer.join(host.port, 'Bob');
    const res = await httpsGet(host.port, INFO_PATH);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(res.body)).toEqual({
      v: PROTOCOL_VERSION,
      id: 'room-1',
      name: 'Test room',
      host: 'Hosting Hana',
      members: 2,
    });
  });

  it('answers any other HTTP path with 404', async () => {
    const host = await startHost();
    expect((await httpsGet(host.port, '/')).status).toBe(404);
    expect((await httpsGet(host.port, `${INFO_PATH}/x`)).status).toBe(404);
  });

  it('closes every member with 1001 when it stops, and stopping twice is harmless', async () => {
    const host = await startHost();
    const alice = await RawPeer.join(host.port, 'Alice');
    const bob = await RawPeer.join(host.port, 'Bob');
    await Promise.all([host.stop(), host.stop()]);
    expect(await alice.closed).toEqual({ code: CloseCode.GoingAway, reason: 'host stopping' });
    expect((await bob.closed).code).toBe(CloseCode.GoingAway);
    await expect(httpsGet(host.port, INFO_PATH)).rejects.toThrow();
  });

  it('stops even when a member never finishes its closing handshake', async () => {
    const host = await startHost();
    const stuck = await RawPeer.join(host.port, 'Stuck');
    // Pausing the socket means the member never reads the close frame, so never answers it.
    stuck.ws.pause();
    const counted = once(host, 'count');
    await host.stop();
    expect(await counted).toEqual([0]);
  });

  it('rejects start() when its port is already taken', async () => {
    const first = await startHost();
    const second = new RoomHost({
      identity: await testIdentity(),
      name: 'Clash',
      hostNick: 'Hana',
      bindAddress: '127.0.0.1',
      port: first.port,
    });
    await expect(second.start()).rejects.toThrow(/EADDRINUSE/);
    await second.stop();
  });

  it('refuses a room name that no member would accept', async () => {
    const identity = await testIdentity();
    expect(() => new RoomHost({ identity, name: ' ', hostNick: 'Hana' })).toThrow();
  });
});

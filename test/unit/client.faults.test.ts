import { ReasonCode } from '../../src/shared/reasons';
import { describe, expect, it } from 'vitest';
import { CloseCode, ErrorCode } from '../../src/shared/protocol';
import { hostSideVersionMismatch } from '../../src/shared/codec';
import { joinClient, keyFor, makeClient, nextEvent, recordStates, stateOf } from './support/client';
import { FakeRoom, startFakeHost, welcomeFor } from './support/fakeHost';
import { silentPort } from './support/net';

describe('RoomClient facing a faulty host', () => {
  it('goes offline at once on a version mismatch, saying so by code (the host’s words are not the user’s language)', async () => {
    const message = hostSideVersionMismatch(1);
    const port = await startFakeHost(({ ws, send }) => {
      send({ type: 'error', code: ErrorCode.VersionMismatch, message });
      ws.close(CloseCode.VersionMismatch, 'protocol version mismatch');
    });
    const client = makeClient(port, 'Alice');
    const states = recordStates(client);
    const problem = nextEvent(client, 'problem');
    client.start();
    const [, , reason] = await stateOf(client, 'offline');
    expect(reason).toEqual({ code: ReasonCode.VersionMismatch });
    expect((await problem)[0].code).toBe(ErrorCode.VersionMismatch);
    expect(states.map(([s]) => s)).toEqual(['connecting', 'offline']);
  });

  it('goes offline on close code 4001 even without an error frame', async () => {
    const port = await startFakeHost(({ ws }) => ws.close(CloseCode.VersionMismatch, 'speak v9'));
    const client = makeClient(port, 'Alice');
    client.start();
    expect((await stateOf(client, 'offline'))[2]).toEqual({ code: ReasonCode.VersionMismatch });
  });

  it('goes offline when another connection takes its session over', async () => {
    const port = await startFakeHost(({ ws, hello, send }) => {
      send(welcomeFor(hello));
      ws.close(CloseCode.Replaced, 'replaced by a newer connection');
    });
    const client = makeClient(port, 'Alice');
    client.start();
    expect((await stateOf(client, 'offline'))[2]).toEqual({ code: ReasonCode.Replaced });
  });

  it('reports a bad host frame as a problem and stays online', async () => {
    const port = await startFakeHost(({ hello, send }) => {
      send(welcomeFor(hello));
      send('{"type":"message","message":{"id":1}}');
      send('not json');
      send({ type: 'presence', joined: [{ id: 'm2', nick: 'Bob' }], left: [], count: 2 });
    });
    const client = makeClient(port, 'Alice');
    const problems: string[] = [];
    client.on('problem', (p) => problems.push(p.code));
    const joined = nextEvent(client, 'presence');
    client.start();
    expect((await joined)[0].joined.map((m) => m.nick)).toEqual(['Bob']);
    expect(problems).toEqual([ErrorCode.BadFrame, ErrorCode.BadJson]);
    expect(client.state).toBe('online');
  });

  it('reconnects when the host goes quiet for 2.5 heartbeats', async () => {
    let hellos = 0;
    const port = await startFakeHost(({ hello, send }) => {
      hellos++;
      // Claims a 40 ms heartbeat and then never pings.
      send(welcomeFor(hello, { heartbeatMs: 40 }));
    });
    const client = await joinClient(port, 'Alice');
    const [, attempt, reason] = await stateOf(client, 'reconnecting');
    expect([attempt, reason]).toEqual([1, { code: ReasonCode.Silent }]);
    await stateOf(client, 'online');
    expect(hellos).toBe(2);
  });

  it('says the same public key in every hello, and no resume token', async () => {
    const hellos: Record<string, unknown>[] = [];
    const port = await startFakeHost(({ ws, hello, send }) => {
      hellos.push({ ...hello });
      send(welcomeFor(hello));
      if (hellos.length === 1) ws.terminate();
    });
    const client = makeClient(port, 'Alice', { key: keyFor('Alice') });
    const backOnline = nextEvent(client, 'state', (state) => state === 'online' && hellos.length === 2);
    client.start();
    await backOnline;
    expect(hellos.map((h) => h.pub)).toEqual([keyFor('Alice').pub, keyFor('Alice').pub]);
    expect(hellos.some((h) => 'resume' in h)).toBe(false);
  });

  it('moves on to the next endpoint when one accepts but never answers', async () => {
    const room = await FakeRoom.start();
    const silent = await silentPort();
    const client = makeClient(room.port, 'Alice', {
      connectTimeoutMs: 100,
      endpoints: [
        { host: '127.0.0.1', port: silent },
        { host: '127.0.0.1', port: room.port },
      ],
    });
    client.start();
    await stateOf(client, 'online');
    expect(client.address).toBe(`127.0.0.1:${room.port}`);
  });

  it('stays online while the host keeps pinging', async () => {
    const room = await FakeRoom.start({ heartbeatMs: 30, pingMs: 30 });
    const client = await joinClient(room.port, 'Alice');
    // Four pings span well over the client's 2.5-heartbeat watchdog.
    for (let i = 0; i < 4; i++) await nextEvent(room, 'pinged');
    expect(client.state).toBe('online');
    client.post('still here');
    expect((await nextEvent(room, 'stored'))[0].text).toBe('still here');
  });
});

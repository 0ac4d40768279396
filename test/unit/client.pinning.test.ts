import { ReasonCode } from '../../src/shared/reasons';
import { createServer } from 'node:https';
import { describe, expect, it, onTestFinished } from 'vitest';
import { verificationCode } from '../../src/core/identity/fingerprint';
import { startHost } from './support/host';
import { otherIdentity, testIdentity } from './support/identity';
import { joinClient, makeClient, nextEvent, recordStates, stateOf } from './support/client';

/**
 * A TLS server with this file's identity that records what reaches it: connections, and
 * any HTTP request or WebSocket upgrade (which would carry, then be followed by, the hello).
 */
async function listeningSpy() {
  const identity = await testIdentity();
  const seen = { connections: 0, upgrades: 0, requests: 0 };
  const server = createServer({ key: identity.key, cert: identity.cert }, (_req, res) => {
    seen.requests++;
    res.writeHead(404).end();
  });
  // (The TCP connection: the client may cut the TLS one before the server counts it as set up.)
  server.on('connection', () => seen.connections++);
  server.on('upgrade', (_req, socket) => {
    seen.upgrades++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const address = server.address();
  return { seen, port: typeof address === 'object' && address !== null ? address.port : 0 };
}

describe('RoomClient certificate pinning', () => {
  it('never sends its hello to a host with another certificate, and goes offline with a loud reason', async () => {
    const { seen, port } = await listeningSpy();
    const wrong = (await otherIdentity()).fingerprint;
    const client = makeClient(port, 'Alice', { fingerprint: wrong });
    const states = recordStates(client);
    const offline = stateOf(client, 'offline');
    client.start();
    const [, attempt, reason] = await offline;
    expect(seen.connections).toBe(1);
    expect(seen.upgrades).toBe(0);
    expect(seen.requests).toBe(0);
    expect(attempt).toBe(0);
    // The codes to compare: the one trusted, and the one this host showed instead.
    expect(reason).toEqual({
      code: ReasonCode.CertChanged,
      params: {
        pinned: verificationCode(wrong),
        presented: verificationCode((await testIdentity()).fingerprint),
      },
    });
    // Not retried: a wrong certificate cannot become the right one by asking again.
    expect(states.map(([state]) => state)).toEqual(['connecting', 'offline']);
    expect(client.fingerprint).toBeNull();
  });

  it('joins a host that presents the pinned certificate and reports it with the welcome', async () => {
    const host = await startHost();
    const client = makeClient(host.port, 'Alice', { fingerprint: host.fingerprint });
    const welcomed = nextEvent(client, 'welcome');
    client.start();
    const [welcome, presented] = await welcomed;
    expect(welcome.room.id).toBe(host.id);
    expect(presented).toBe(host.fingerprint);
    expect(client.fingerprint).toBe(host.fingerprint);
    expect(host.fingerprint).toBe((await testIdentity()).fingerprint);
  });

  it('on first contact (no pin) accepts any certificate and tells which one it was', async () => {
    const host = await startHost();
    const client = await joinClient(host.port, 'Alice', { fingerprint: null });
    expect(client.fingerprint).toBe(host.fingerprint);
    expect(verificationCode(client.fingerprint!)).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
  });

  it('skips an address with the wrong certificate and joins at the next one that has the pinned one', async () => {
    const spy = await listeningSpy();
    const pinned = await otherIdentity();
    const host = await startHost({ identity: pinned });
    const client = makeClient(spy.port, 'Alice', {
      fingerprint: pinned.fingerprint,
      endpoints: [
        { host: '127.0.0.1', port: spy.port },
        { host: '127.0.0.1', port: host.port },
      ],
    });
    const online = stateOf(client, 'online');
    client.start();
    await online;
    expect(spy.seen.upgrades).toBe(0);
    expect(client.fingerprint).toBe(pinned.fingerprint);
  });

  it('connects to the new certificate after setFingerprint', async () => {
    const host = await startHost();
    const client = makeClient(host.port, 'Alice', { fingerprint: (await otherIdentity()).fingerprint });
    const offline = stateOf(client, 'offline');
    client.start();
    await offline;
    client.setFingerprint(host.fingerprint);
    const online = stateOf(client, 'online');
    client.reconnectNow();
    await online;
    expect(client.fingerprint).toBe(host.fingerprint);
  });
});

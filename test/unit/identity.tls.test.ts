import { createServer as createTcpServer, type Socket } from 'node:net';
import { createServer as createHttpsServer, request, type Server } from 'node:https';
import { createServer as createTlsServer } from 'node:tls';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createIdentity, type HostIdentity } from '../../src/core/identity/createIdentity';
import { fetchInfoTls } from '../../src/core/roomInfo';
import {
  FingerprintMismatchError,
  pinnedTlsOptions,
  pinnedWsTarget,
  type PinOptions,
} from '../../src/core/identity/tlsClient';
import { infoRoute } from '../../src/core/host/infoRoute';
import { INFO_PATH, PROTOCOL_VERSION, type RoomInfo } from '../../src/shared/protocol';
import { silentPort } from './support/net';

let host: HostIdentity;
let impostor: HostIdentity;
beforeAll(async () => {
  [host, impostor] = await Promise.all([createIdentity(), createIdentity()]);
});

const INFO: RoomInfo = { v: PROTOCOL_VERSION, id: 'room-1', name: 'Lounge', host: 'Hana', members: 2 };

function portOf(server: { address(): unknown }): number {
  return (server.address() as { port: number }).port;
}

/** Resolves once every connection the server accepted has closed (so late bytes would have arrived). */
function tracker() {
  const open = new Set<Promise<void>>();
  return {
    add(socket: Socket) {
      open.add(new Promise<void>((resolve) => socket.once('close', () => resolve())));
    },
    settled: () => Promise.all(open),
    get count() {
      return open.size;
    },
  };
}

/** An https room-like server on loopback: the info route, plus counters of what reached it. */
async function httpsRoom(identity: HostIdentity) {
  const seen = { requests: 0, upgrades: 0, connections: tracker() };
  const route = infoRoute(() => INFO);
  const server: Server = createHttpsServer({ key: identity.key, cert: identity.cert }, (req, res) => {
    seen.requests++;
    if (req.url === '/echo') req.pipe(res);
    else route(req, res);
  });
  // TCP connections, not TLS ones: a client that hangs up right after the handshake may never
  // count as a secure connection, but it is still a connection that could have carried a request.
  server.on('connection', (socket: Socket) => seen.connections.add(socket));
  server.on('upgrade', () => seen.upgrades++);
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => ws.on('message', (data) => ws.send(`echo:${data.toString()}`)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(async () => {
    wss.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: portOf(server), seen };
}

/** POSTs `body` (ending it a moment later, after the socket is assigned) with the pin options. */
function post(port: number, expected: string | null, body: string, pin: PinOptions = {}) {
  return new Promise<string>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/echo', method: 'POST', ...pinnedTlsOptions(expected, pin) },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
      },
    );
    req.on('error', reject);
    req.write(body.slice(0, 3));
    setImmediate(() => req.end(body.slice(3)));
  });
}

describe("Node's own checkServerIdentity", () => {
  it('is never consulted for a self-signed certificate with rejectUnauthorized: false', async () => {
    const { port, seen } = await httpsRoom(host);
    let calls = 0;
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: INFO_PATH,
          agent: false,
          rejectUnauthorized: false,
          checkServerIdentity: () => {
            calls++;
            return new Error('refused by checkServerIdentity');
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    // The request went through although checkServerIdentity would have refused it.
    expect(calls).toBe(0);
    expect(status).toBe(200);
    expect(seen.requests).toBe(1);
  });
});

describe('pinnedTlsOptions with https', () => {
  it('connects when the host presents the pinned certificate', async () => {
    const { port, seen } = await httpsRoom(host);
    const presented: string[] = [];
    const answer = await post(port, host.fingerprint, 'hello there', {
      onPresented: (fp) => presented.push(fp),
    });
    expect(answer).toBe('hello there');
    expect(presented).toEqual([host.fingerprint]);
    expect(seen.requests).toBe(1);
  });

  it('fails with FingerprintMismatchError, and the host never receives the request', async () => {
    const { port, seen } = await httpsRoom(impostor);
    const error = await post(port, host.fingerprint, 'secret body').catch((err: unknown) => err);

    expect(error).toBeInstanceOf(FingerprintMismatchError);
    expect(error).toMatchObject({
      code: 'FINGERPRINT_MISMATCH',
      pinned: host.fingerprint,
      presented: impostor.fingerprint,
    });
    await seen.connections.settled();
    expect(seen.connections.count).toBe(1); // the TLS handshake did happen...
    expect(seen.requests).toBe(0); // ...but no request followed it
  });

  it('sends not one byte of application data to a host with the wrong certificate', async () => {
    // A bare TLS server counts every decrypted byte, whatever it is.
    let bytes = 0;
    const connections = tracker();
    const server = createTlsServer({ key: impostor.key, cert: impostor.cert }, (socket) => {
      socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
      socket.on('error', () => {});
    });
    server.on('connection', (socket: Socket) => connections.add(socket));
    server.on('tlsClientError', () => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const error = await post(portOf(server), host.fingerprint, 'x'.repeat(10_000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FingerprintMismatchError);
    await connections.settled();
    expect(connections.count).toBe(1);
    expect(bytes).toBe(0);
  });

  it('on first contact (nothing pinned) connects and reports the fingerprint presented', async () => {
    const { port } = await httpsRoom(host);
    const presented: string[] = [];
    const answer = await post(port, null, 'first', { onPresented: (fp) => presented.push(fp) });
    expect(answer).toBe('first');
    expect(presented).toEqual([host.fingerprint]);
  });

  it('gives up when the TLS handshake does not finish in time', async () => {
    const error = await post(await silentPort(), null, 'anything', { handshakeTimeoutMs: 100 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/secure connection was not set up/);
  });

  it("accepts the pin in Node's colon-separated spelling, and refuses a malformed one at once", async () => {
    const { port } = await httpsRoom(host);
    const nodeStyle = host.fingerprint.toUpperCase().match(/../g)!.join(':');
    expect(await post(port, nodeStyle, 'spelled differently')).toBe('spelled differently');
    expect(() => pinnedTlsOptions('not-a-fingerprint')).toThrow(/fingerprint/);
  });

  it('fails closed when an agent would bypass the pin', async () => {
    const { port, seen } = await httpsRoom(impostor);
    const { Agent } = await import('node:https');
    const error = await new Promise<unknown>((resolve) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/', agent: new Agent(), ...pinnedTlsOptions(host.fingerprint) },
        () => resolve(null),
      );
      req.on('error', resolve);
      req.end();
    });
    // Ordinary CA validation refuses the self-signed certificate instead of skipping the pin.
    expect((error as NodeJS.ErrnoException).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(seen.requests).toBe(0);
  });
});

describe('pinnedWsTarget with the ws client', () => {
  function open(port: number, expected: string | null, onPresented?: (fp: string) => void) {
    const target = pinnedWsTarget({ host: '127.0.0.1', port }, expected, onPresented ? { onPresented } : {});
    const ws = new WebSocket(target.url, { ...target.options, perMessageDeflate: false });
    onTestFinished(() => ws.terminate());
    return ws;
  }

  it('opens a wss connection to the pinned host and exchanges messages', async () => {
    const { port } = await httpsRoom(host);
    const ws = open(port, host.fingerprint);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send('hi');
    const reply = await new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
    expect(reply).toBe('echo:hi');
  });

  it('refuses a host with another certificate before the upgrade request is sent', async () => {
    const { port, seen } = await httpsRoom(impostor);
    const ws = open(port, host.fingerprint);
    const closed = new Promise((resolve) => ws.once('close', resolve));
    const error = await new Promise<Error>((resolve) => ws.once('error', resolve));
    await closed;

    expect(error).toBeInstanceOf(FingerprintMismatchError);
    expect(error).toMatchObject({ pinned: host.fingerprint, presented: impostor.fingerprint });
    await seen.connections.settled();
    expect(seen.upgrades).toBe(0);
    expect(seen.requests).toBe(0);
  });

  it('on first contact opens and reports the fingerprint presented', async () => {
    const { port } = await httpsRoom(host);
    const presented: string[] = [];
    const ws = open(port, null, (fp) => presented.push(fp));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    expect(presented).toEqual([host.fingerprint]);
  });

  it('puts a link-local zone in the connect address, not the URL', () => {
    const target = pinnedWsTarget({ host: 'fe80::1%eth0', port: 4321 }, null);
    expect(target.url).toBe('wss://[fe80::1]:4321/');
    expect(pinnedWsTarget({ host: '10.0.0.5', port: 80 }, null).url).toBe('wss://10.0.0.5:80/');
  });
});

describe('fetchInfoTls', () => {
  it("returns the room's info and the fingerprint it was served with", async () => {
    const { port } = await httpsRoom(host);
    await expect(fetchInfoTls({ host: '127.0.0.1', port }, host.fingerprint, 5_000)).resolves.toEqual({
      info: INFO,
      fingerprint: host.fingerprint,
    });
  });

  it('on first contact accepts any certificate and says which', async () => {
    const { port } = await httpsRoom(impostor);
    const { fingerprint } = await fetchInfoTls({ host: '127.0.0.1', port }, null, 5_000);
    expect(fingerprint).toBe(impostor.fingerprint);
  });

  it('rejects with FingerprintMismatchError for another certificate, asking nothing', async () => {
    const { port, seen } = await httpsRoom(impostor);
    const error = await fetchInfoTls({ host: '127.0.0.1', port }, host.fingerprint, 5_000).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FingerprintMismatchError);
    await seen.connections.settled();
    expect(seen.requests).toBe(0);
  });

  it('names the address when nothing answers there', async () => {
    const server = createTcpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = portOf(server);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await expect(fetchInfoTls({ host: '127.0.0.1', port }, null, 5_000)).rejects.toThrow(
      `Could not reach a room at 127.0.0.1:${port}`,
    );
  });

  /** An https server on loopback answering every request with `handler`; its endpoint. */
  async function answering(handler: (res: import('node:http').ServerResponse) => void) {
    const server = createHttpsServer({ key: host.key, cert: host.cert }, (_req, res) => handler(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return { host: '127.0.0.1', port: portOf(server) };
  }

  it('refuses an answer that is not room info, not JSON, or not a 200, saying which', async () => {
    await expect(fetchInfoTls(await answering((res) => res.end('{"hello":1}')), null, 5_000)).rejects.toThrow(
      /invalid room info/,
    );
    await expect(fetchInfoTls(await answering((res) => res.end('<html>')), null, 5_000)).rejects.toThrow(
      /not JSON/,
    );
    await expect(
      fetchInfoTls(await answering((res) => res.writeHead(404).end()), null, 5_000),
    ).rejects.toThrow(/HTTP 404/);
  });

  it('gives up on a room that takes the request and never answers', async () => {
    const silent = await answering(() => {});
    await expect(fetchInfoTls(silent, null, 300)).rejects.toThrow(/did not answer within 300 ms/);
  });
});

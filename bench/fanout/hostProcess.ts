/**
 * The host side of the fan-out benchmark, alone in its own process so that its CPU time and
 * memory are its own: either Parley's RoomHost (with its SQLite history in a temporary folder),
 * or the baseline, a minimal https + ws server that relays each frame's raw bytes to everyone
 * else. Started by index.ts with `node --import tsx --expose-gc`; driven over IPC.
 */
import { createServer } from 'node:https';
import { WebSocket, WebSocketServer } from 'ws';
import { RoomHost } from '../../src/core/host/RoomHost';
import { HostDatabase } from '../../src/core/store/host/HostDatabase';
import type { HostCommand, HostKind, HostReply, HostStats } from './ipc';

/**
 * Parley's limits raised so that they do not shape the result: one sender posts far faster
 * than the default 5 per second, the room holds 1,000 members, and a receiver that falls
 * behind under saturation is not cut off at 1 MiB (the baseline has no such bound either).
 * All 1,000 members connect from 127.0.0.1 here, so the per-address bound on connections that
 * have not joined yet (16: one machine's share on a real LAN) is raised too.
 */
const BENCH_LIMITS = {
  postsPerSecond: 1_000_000,
  postBurst: 1_000_000,
  maxMembers: 5_000,
  maxConnections: 10_000,
  maxUnjoinedPerAddress: 10_000,
  // Every bench member comes from 127.0.0.1: the per-address and per-prefix caps would seat 8.
  maxUnjoinedPerPrefix: 10_000,
  maxSeatsPerAddress: 10_000,
  maxSeatsPerPrefix: 10_000,
  // Thousands of TLS handshakes queue up while the room fills; none must be cut for taking long.
  joinTimeoutMs: 120_000,
  maxBufferedBytes: 256 * 1024 * 1024,
};

let stopHost: (() => Promise<void>) | null = null;

function reply(message: HostReply): void {
  process.send?.(message);
}

async function startParley(key: string, cert: string, dataDir: string): Promise<number> {
  const db = HostDatabase.open(dataDir);
  const room = db.room('bench');
  const host = new RoomHost({
    name: 'Bench',
    hostNick: 'host',
    identity: { key, cert },
    history: room.history,
    bindAddress: '127.0.0.1',
    limits: BENCH_LIMITS,
  });
  const port = await host.start();
  stopHost = async () => {
    await host.stop();
    db.close();
  };
  return port;
}

/** The baseline: what a fan-out costs with nothing but TLS and ws framing. */
function startWs(key: string, cert: string): Promise<number> {
  const server = createServer({ key, cert, minVersion: 'TLSv1.2' });
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => {
      for (const other of wss.clients) {
        if (other !== ws && other.readyState === WebSocket.OPEN)
          other.send(data as Buffer, { binary: isBinary });
      }
    });
  });
  stopHost = () =>
    new Promise<void>((resolve) => {
      for (const ws of wss.clients) ws.terminate();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

function start(kind: HostKind, key: string, cert: string, dataDir: string): Promise<number> {
  return kind === 'parley' ? startParley(key, cert, dataDir) : startWs(key, cert);
}

function stats(gc: boolean): HostStats {
  if (gc) {
    // Twice: the first pass can leave objects whose finalisers free more on the second.
    globalThis.gc?.();
    globalThis.gc?.();
  }
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return {
    cpuMicros: cpu.user + cpu.system,
    heapUsed: mem.heapUsed,
    heapTotal: mem.heapTotal,
    external: mem.external,
    rss: mem.rss,
  };
}

process.on('message', (raw) => {
  const command = raw as HostCommand;
  if (command.cmd === 'start') {
    start(command.kind, command.key, command.cert, command.dataDir).then(
      (port) => reply({ type: 'ready', port }),
      (err: unknown) => reply({ type: 'error', message: String(err) }),
    );
  } else if (command.cmd === 'stats') {
    reply({ type: 'stats', stats: stats(command.gc) });
  } else {
    const done = (): never => process.exit(0);
    // Bounded: a host that does not stop in time is left to the exit.
    setTimeout(done, 3_000).unref();
    void (stopHost?.() ?? Promise.resolve()).finally(done);
  }
});
// The parent went away (finished, crashed or timed out): nothing is left to serve.
process.on('disconnect', () => process.exit(0));

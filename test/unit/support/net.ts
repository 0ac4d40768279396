import { connect, createServer, type Server, type Socket } from 'node:net';
import { onTestFinished } from 'vitest';

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A loopback port that accepts TCP connections and then never says a word (a stalled or hostile peer). */
export async function silentPort(): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => sockets.add(socket.on('error', () => {})));
  const port = await listen(server);
  onTestFinished(() => {
    for (const socket of sockets) socket.destroy();
    return close(server);
  });
  return port;
}

/** A loopback port with nothing listening on it (taken, then released). */
export async function deadPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await close(server);
  return port;
}

/**
 * A TCP relay in front of a room, so a test can cut live connections as a flaky network
 * would: both ends see the link die without a closing handshake.
 */
export class Relay {
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  /** Whether the room's answers are being thrown away (see holdReplies). */
  private holding = false;

  private constructor(targetPort: number) {
    this.server = createServer((inbound) => {
      const outbound = connect(targetPort, '127.0.0.1');
      for (const socket of [inbound, outbound]) {
        this.sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => {
          this.sockets.delete(socket);
          inbound.destroy();
          outbound.destroy();
        });
      }
      inbound.on('data', (chunk) => outbound.write(chunk));
      outbound.on('data', (chunk) => {
        if (!this.holding) inbound.write(chunk);
      });
    });
  }

  /**
   * From now on, what the room sends is thrown away, on every connection, new ones included:
   * what members send still arrives, but they never hear back (no acks, no welcome). Meant to
   * be followed by cut() or stop(); the streams it leaves behind are not valid WebSockets.
   */
  holdReplies(): void {
    this.holding = true;
  }

  /** A relay on a free loopback port to 127.0.0.1:targetPort, stopped when the test ends. */
  static async start(targetPort: number): Promise<{ relay: Relay; port: number }> {
    const relay = new Relay(targetPort);
    const port = await listen(relay.server);
    onTestFinished(() => relay.stop());
    return { relay, port };
  }

  /** Destroys every relayed connection at once; new ones are still relayed. */
  cut(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    this.cut();
    if (this.server.listening) await close(this.server);
  }
}

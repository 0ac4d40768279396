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
      inbound.pipe(outbound);
      outbound.pipe(inbound);
    });
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

import { WebSocket } from 'ws';
import type { Conn } from './Conn';

/**
 * Pings every connection each `everyMs`. A connection that sent nothing (no pong, no frame)
 * since the previous ping is terminated, so a vanished member is noticed within two periods.
 * Returns the function that stops it.
 */
export function startHeartbeat(conns: Iterable<Conn>, everyMs: number): () => void {
  const timer = setInterval(() => {
    for (const conn of conns) {
      if (!conn.alive) {
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      if (conn.ws.readyState !== WebSocket.OPEN) continue;
      try {
        conn.ws.ping();
      } catch {
        // The socket died between the check and the write; its close event follows.
      }
    }
  }, everyMs);
  // The server keeps the process alive while it listens; the heartbeat alone should not.
  timer.unref();
  return () => clearInterval(timer);
}

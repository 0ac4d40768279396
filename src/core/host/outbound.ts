import { WebSocket } from 'ws';
import { encodeFrame } from '../../shared/codec';
import type { HostFrame } from '../../shared/protocol';

/**
 * A member that stops reading lets its unsent frames pile up in the host's memory. Past this
 * much we cut it off rather than let one stalled laptop grow the host without bound; the
 * largest legitimate burst (a welcome with a full backlog) stays far below it.
 */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** A frame serialised once, to be sent as-is to any number of members. */
export type Prepared = Buffer;

/**
 * Encodes a frame to UTF-8 bytes once. Sending a string makes ws encode it again for every
 * member; with a Buffer it writes the same bytes to each socket (a server never masks).
 */
export function prepare(frame: HostFrame): Prepared {
  return Buffer.from(encodeFrame(frame));
}

/** Sends a prepared text frame if the socket can take it; never throws. */
export function sendPrepared(ws: WebSocket, data: Prepared): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
    ws.terminate();
    return;
  }
  try {
    // The callback swallows write errors; the socket's 'close' event does the cleanup.
    ws.send(data, { binary: false }, () => {});
  } catch {
    // A socket can fail between the readyState check and the write; its close event follows.
  }
}

/** Encodes and sends one frame to one member. */
export function sendFrame(ws: WebSocket, frame: HostFrame): void {
  sendPrepared(ws, prepare(frame));
}

/** Closes a socket, ignoring sockets that are already closing and errors from dead ones. */
export function safeClose(ws: WebSocket, code: number, reason: string): void {
  if (ws.readyState !== WebSocket.OPEN && ws.readyState !== WebSocket.CONNECTING) return;
  try {
    ws.close(code, reason);
  } catch {
    ws.terminate();
  }
}

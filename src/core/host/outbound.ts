import { WebSocket } from 'ws';
import { encodeFrame } from '../../shared/codec';
import type { HostFrame } from '../../shared/protocol';

/** Every prepared frame is text; one options object for all sends, not one per send. */
const TEXT = { binary: false } as const;

/** A frame serialised once, to be sent as-is to any number of members. */
export type Prepared = Buffer;

/**
 * Encodes a frame to UTF-8 bytes once. Sending a string makes ws encode it again for every
 * member; with a Buffer it writes the same bytes to each socket (a server never masks).
 */
export function prepare(frame: HostFrame): Prepared {
  return Buffer.from(encodeFrame(frame));
}

/**
 * Sends a prepared text frame if the socket is open; never throws. How much may wait for a
 * member that is not reading is the Room's call (HostLimits.maxBufferedBytes), not this one's.
 */
export function sendPrepared(ws: WebSocket, data: Prepared): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  try {
    // No callback (not even a no-op one, a closure per member per message): ws reports a write
    // error on the socket, whose 'close' event does the cleanup, and ignores sends after close.
    ws.send(data, TEXT);
  } catch {
    // A socket can fail between the readyState check and the write; its close event follows.
  }
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

import type { Writable } from 'node:stream';
import { WebSocket } from 'ws';
import { encodeFrame } from '../../shared/codec';
import type { HostFrame } from '../../shared/protocol';

/** For the sockets a prepared frame cannot be written to directly (see sendPrepared). */
const TEXT = { binary: false } as const;

/**
 * A host frame serialised once, as the exact bytes of a WebSocket text frame (RFC 6455 §5.2:
 * FIN, opcode 1, unmasked, as every server frame is), written as-is to any number of members.
 * `payload` is the frame's JSON, a view of the same memory.
 */
export interface Prepared {
  readonly wire: Buffer;
  readonly payload: Buffer;
}

/** Frames `json` once, header and payload in one Buffer. */
export function preparedText(json: string): Prepared {
  const length = Buffer.byteLength(json);
  const head = length < 126 ? 2 : length < 0x1_0000 ? 4 : 10;
  const wire = Buffer.allocUnsafe(head + length);
  wire[0] = 0x81;
  if (head === 2) {
    wire[1] = length;
  } else if (head === 4) {
    wire[1] = 126;
    wire.writeUInt16BE(length, 2);
  } else {
    wire[1] = 127;
    wire.writeBigUInt64BE(BigInt(length), 2);
  }
  wire.write(json, head, 'utf8');
  return { wire, payload: wire.subarray(head) };
}

export function prepare(frame: HostFrame): Prepared {
  return preparedText(encodeFrame(frame));
}

/**
 * Sends a prepared frame if the WebSocket is open; never throws. The bytes go straight to the
 * member's socket: ws.send would build a header for every member and hand the socket two
 * chunks, the largest share of what a broadcast allocates. This is safe beside ws's own writes
 * (pings, pongs, the close frame) because ws writes each of its frames whole and at once: with
 * perMessageDeflate off it never holds a frame back in a queue, so no write can land inside
 * one of its frames. ws.bufferedAmount still counts these bytes (it reads the socket's buffer).
 * How much may wait for a member that is not reading is the Room's call
 * (HostLimits.maxBufferedBytes), not this one's.
 */
export function sendPrepared(ws: WebSocket, socket: Writable | null, data: Prepared): void {
  if (ws.readyState !== WebSocket.OPEN) return;
  try {
    // No callback: a write error reaches ws through the socket, whose 'close' does the cleanup.
    if (socket) socket.write(data.wire);
    else ws.send(data.payload, TEXT);
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

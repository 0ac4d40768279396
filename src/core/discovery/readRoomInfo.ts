import type { IncomingMessage } from 'node:http';
import { RoomInfoSchema, type RoomInfo } from '../../shared/protocol';

/** The most a room-info answer may be; a real one is a few hundred bytes. */
const MAX_BODY_BYTES = 16 * 1024;

/**
 * Reads a room-info answer (plain or TLS alike): status 200, at most MAX_BODY_BYTES of JSON,
 * parsed by RoomInfoSchema, the one place this outside data becomes typed. Reports once
 * through `finish`, with an error that names the address and what was wrong.
 */
export function readRoomInfo(
  res: IncomingMessage,
  where: string,
  finish: (err: Error | null, info?: RoomInfo) => void,
): void {
  if (res.statusCode !== 200) {
    res.resume();
    finish(new Error(`Room at ${where} answered HTTP ${res.statusCode} instead of its room info.`));
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      finish(new Error(`Room at ${where} sent more than ${MAX_BODY_BYTES} bytes of room info.`));
    else chunks.push(chunk);
  });
  res.on('error', (err) => finish(new Error(`Room at ${where} broke off its answer: ${err.message}`)));
  res.on('end', () => {
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      finish(new Error(`Room at ${where} answered with something that is not JSON.`));
      return;
    }
    const parsed = RoomInfoSchema.safeParse(body);
    if (parsed.success) finish(null, parsed.data);
    else
      finish(
        new Error(
          `Room at ${where} answered with invalid room info: ${parsed.error.issues[0]?.message ?? 'unknown problem'}.`,
        ),
      );
  });
}

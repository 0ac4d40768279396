import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Endpoint } from '../../shared/api';
import { formatEndpoint } from '../../shared/endpoint';
import { INFO_PATH, RoomInfoSchema, type RoomInfo } from '../../shared/protocol';

/** The most a room-info answer may be; a real one is a few hundred bytes. */
const MAX_BODY_BYTES = 16 * 1024;

/** The options every room-info request is made with. */
export interface InfoRequestOptions {
  hostname: string;
  port: number;
  path: string;
  method: 'GET';
  headers: Record<string, string>;
}

/** The error for a request that failed before any answer: it names the address. */
export function couldNotReach(err: Error, where: string): Error {
  return new Error(`Could not reach a room at ${where}: ${err.message}`);
}

/**
 * Asks a room for its RoomInfo once (`GET /parley/info`), with the rules every probe shares: a
 * deadline, exactly one outcome, the request destroyed on failure, and the address named in
 * every error. `send` makes the request from the shared options (over pinned TLS, fetchInfoTls);
 * `explain` turns a request error into the one to reject with (a certificate mismatch, say,
 * is kept as it is rather than called unreachable).
 */
export function requestRoomInfo(
  endpoint: Endpoint,
  timeoutMs: number,
  send: (options: InfoRequestOptions, onResponse: (res: IncomingMessage) => void) => ClientRequest,
  explain: (err: Error, where: string) => Error = couldNotReach,
): Promise<RoomInfo> {
  const host = endpoint.host.replace(/^\[(.*)\]$/, '$1');
  const where = formatEndpoint({ host, port: endpoint.port });
  return new Promise<RoomInfo>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | null, info?: RoomInfo): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        req.destroy();
        reject(err);
      } else {
        resolve(info!);
      }
    };
    const timer = setTimeout(
      () => finish(new Error(`Room at ${where} did not answer within ${timeoutMs} ms.`)),
      timeoutMs,
    );
    const options: InfoRequestOptions = {
      hostname: host,
      port: endpoint.port,
      path: INFO_PATH,
      method: 'GET',
      headers: { accept: 'application/json' },
    };
    const req = send(options, (res) => readRoomInfo(res, where, finish));
    req.on('error', (err) => finish(explain(err, where)));
    req.end();
  });
}

/**
 * Reads a room-info answer (plain or TLS alike): status 200, at most MAX_BODY_BYTES of JSON,
 * parsed by RoomInfoSchema, the one place this outside data becomes typed. Reports once
 * through `finish`, with an error that names the address and what was wrong.
 */
function readRoomInfo(
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

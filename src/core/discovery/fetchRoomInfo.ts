import { formatEndpoint } from '../../shared/endpoint';
import http from 'node:http';
import type { Endpoint } from '../../shared/api';
import { INFO_PATH, RoomInfoSchema, type RoomInfo } from '../../shared/protocol';

/** A room's info document is tiny; anything bigger is not a Parley host. */
const MAX_BODY_BYTES = 16 * 1024;

/**
 * Asks a room for its RoomInfo (`GET http://host:port/parley/info`). Used as the liveness probe
 * and to join by address. Rejects with an Error whose message names the address and the reason.
 * Each call opens a fresh connection (no keep-alive agent): a probe must prove the host answers
 * now, not that an old socket has not noticed it died.
 */
export function fetchRoomInfo(endpoint: Endpoint, timeoutMs: number): Promise<RoomInfo> {
  const host = endpoint.host.replace(/^\[(.*)\]$/, '$1');
  const where = formatEndpoint({ host, port: endpoint.port });
  return new Promise<RoomInfo>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | null, info?: RoomInfo) => {
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
    const req = http.request(
      {
        hostname: host,
        port: endpoint.port,
        path: INFO_PATH,
        method: 'GET',
        agent: false,
        headers: { accept: 'application/json' },
      },
      (res) => {
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
      },
    );
    req.on('error', (err) => finish(new Error(`Could not reach a room at ${where}: ${err.message}`)));
    req.end();
  });
}

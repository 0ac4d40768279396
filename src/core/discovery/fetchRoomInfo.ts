import { formatEndpoint } from '../../shared/endpoint';
import http from 'node:http';
import type { Endpoint } from '../../shared/api';
import { INFO_PATH, type RoomInfo } from '../../shared/protocol';
import { readRoomInfo } from './readRoomInfo';

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
      (res) => readRoomInfo(res, where, finish),
    );
    req.on('error', (err) => finish(new Error(`Could not reach a room at ${where}: ${err.message}`)));
    req.end();
  });
}

import https from 'node:https';
import type { Endpoint } from '../../shared/api';
import { formatEndpoint } from '../../shared/endpoint';
import { INFO_PATH, type RoomInfo } from '../../shared/protocol';
import { FingerprintMismatchError, pinnedTlsOptions } from './tlsClient';
import { readRoomInfo } from '../discovery/readRoomInfo';

/** What a room said about itself, and the certificate it said it with. */
export interface TlsRoomInfo {
  info: RoomInfo;
  /** SHA-256 fingerprint of the certificate the host presented (64 lowercase hex). */
  fingerprint: string;
}

/**
 * Asks a room for its RoomInfo over TLS (`GET https://host:port/parley/info`), accepting only
 * the certificate whose fingerprint is `expected` (any when null: first contact; then check
 * the returned fingerprint against the trust store before believing the info).
 *
 * The TLS counterpart of discovery/fetchRoomInfo.ts, with the same rules: a fresh connection
 * per call (no agent: a probe must prove the host answers now), rejects with an Error naming
 * the address. A wrong certificate rejects with the FingerprintMismatchError itself, so callers
 * can tell an impostor from an unreachable host with `instanceof`; no request was sent then.
 */
export function fetchInfoTls(
  endpoint: Endpoint,
  expected: string | null,
  timeoutMs: number,
): Promise<TlsRoomInfo> {
  const host = endpoint.host.replace(/^\[(.*)\]$/, '$1');
  const where = formatEndpoint({ host, port: endpoint.port });
  return new Promise<TlsRoomInfo>((resolve, reject) => {
    let presented: string | null = null;
    let settled = false;
    const finish = (err: Error | null, info?: RoomInfo) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        req.destroy();
        reject(err);
      } else {
        resolve({ info: info!, fingerprint: presented! });
      }
    };
    const timer = setTimeout(
      () => finish(new Error(`Room at ${where} did not answer within ${timeoutMs} ms.`)),
      timeoutMs,
    );
    const req = https.request(
      {
        hostname: host,
        port: endpoint.port,
        path: INFO_PATH,
        method: 'GET',
        headers: { accept: 'application/json' },
        // No `agent`: an agent's own createConnection would bypass the pin (it then fails closed).
        ...pinnedTlsOptions(expected, {
          onPresented: (fingerprint) => (presented = fingerprint),
          handshakeTimeoutMs: timeoutMs,
        }),
      },
      (res) => readRoomInfo(res, where, finish),
    );
    req.on('error', (err) => {
      if (err instanceof FingerprintMismatchError) finish(err);
      else finish(new Error(`Could not reach a room at ${where}: ${err.message}`));
    });
    req.end();
  });
}

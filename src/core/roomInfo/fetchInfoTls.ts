import https from 'node:https';
import type { Endpoint } from '../../shared/api';
import type { RoomInfo } from '../../shared/protocol';
import { FingerprintMismatchError, pinnedTlsOptions } from '../identity/tlsClient';
import { couldNotReach, requestRoomInfo } from './readRoomInfo';

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
 * A fresh connection per call (no agent: a probe must prove the host answers now); rejects
 * with an Error naming the address. A wrong certificate rejects with the FingerprintMismatchError itself, so callers
 * can tell an impostor from an unreachable host with `instanceof`; no request was sent then.
 */
export async function fetchInfoTls(
  endpoint: Endpoint,
  expected: string | null,
  timeoutMs: number,
): Promise<TlsRoomInfo> {
  let presented: string | null = null;
  const info = await requestRoomInfo(
    endpoint,
    timeoutMs,
    (options, onResponse) =>
      https.request(
        {
          ...options,
          // No `agent`: an agent's own createConnection would bypass the pin (it then fails closed).
          ...pinnedTlsOptions(expected, {
            onPresented: (fingerprint) => (presented = fingerprint),
            handshakeTimeoutMs: timeoutMs,
          }),
        },
        onResponse,
      ),
    (err, where) => (err instanceof FingerprintMismatchError ? err : couldNotReach(err, where)),
  );
  // An answer came over TLS, so the handshake reported the certificate before it.
  return { info, fingerprint: presented! };
}

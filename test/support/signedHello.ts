import type { TLSSocket } from 'node:tls';
import type { WebSocket } from 'ws';
import { fingerprintOf } from '../../src/core/identity/fingerprint';
import type { MemberKey } from '../../src/core/memberKey';
import { PROTOCOL_VERSION, type HelloFrame } from '../../src/shared/protocol';

/**
 * For test clients that speak the protocol by hand: records the fingerprint of the certificate
 * the host presents on `ws` (read once the upgrade response arrives) and returns a getter.
 */
export function presentedFingerprint(ws: WebSocket): () => string {
  let fingerprint = '';
  ws.once('upgrade', (res) => {
    fingerprint = fingerprintOf((res.socket as TLSSocket).getPeerCertificate().raw);
  });
  return () => fingerprint;
}

/** The hello a real member sends: signed by `key` over the challenge's nonce and the certificate seen. */
export function signedHello(
  nick: string,
  key: MemberKey,
  nonce: string,
  fingerprint: string,
  extra: { since?: number; proof?: string } = {},
): HelloFrame {
  return {
    type: 'hello',
    v: PROTOCOL_VERSION,
    nick,
    pub: key.pub,
    sig: key.signHello(nonce, fingerprint),
    ...(extra.since !== undefined && { since: extra.since }),
    ...(extra.proof !== undefined && { proof: extra.proof }),
  };
}

import { createHash } from 'node:crypto';
import type { ClientRequestArgs } from 'node:http';
import type { Duplex } from 'node:stream';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { Endpoint } from '../../shared/api';
import { formatEndpoint } from '../../shared/endpoint';
import { normalizeFingerprint } from './fingerprint';

/** Default for how long the TLS handshake may take before the attempt fails. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * The host presented a certificate other than the one pinned for the room. The connection was
 * closed right after the TLS handshake: nothing of ours (no request, no hello) was sent on it.
 */
export class FingerprintMismatchError extends Error {
  readonly code = 'FINGERPRINT_MISMATCH';
  constructor(
    /** The fingerprint we expected (pinned on first contact, or advertised). */
    readonly pinned: string,
    /** The fingerprint of the certificate the peer presented. */
    readonly presented: string,
  ) {
    super(
      `The host presented a different certificate (${presented.slice(0, 16)}…) from the one trusted for this room ` +
        `(${pinned.slice(0, 16)}…). Someone may be impersonating it, or its owner reset its identity.`,
    );
    this.name = 'FingerprintMismatchError';
  }
}

/** How pinnedTlsOptions connects. */
export interface PinOptions {
  /** Told the fingerprint the peer presented, before it is compared (first contact records it). */
  onPresented?: (fingerprint: string) => void;
  /**
   * The address to open the TCP connection to, when the URL cannot name it: a link-local IPv6
   * address with a zone id (`fe80::1%eth0`). Default: the host of the request.
   */
  connectHost?: string;
  /** How long TCP connect plus TLS handshake may take; default 10 s. */
  handshakeTimeoutMs?: number;
}

/** Node's ClientRequest (and so `https.request` and `ws`) accepts an asynchronous createConnection. */
export type PinnedConnect = NonNullable<ClientRequestArgs['createConnection']>;

/**
 * Options for `https.request` or `new WebSocket('wss://…')` that accept the host's self-signed
 * certificate only when its SHA-256 fingerprint is `expected` (any certificate when `expected`
 * is null: first contact, where `onPresented` records what was shown). `expected` may be in
 * any spelling normalizeFingerprint accepts; anything else throws here, at once.
 *
 * Why a custom createConnection and not `checkServerIdentity`: Node calls checkServerIdentity
 * only when CA validation succeeded (`if (!verifyError && !this.isSessionReused())` in
 * `onConnectSecure`, lib/_tls_wrap.js), which a self-signed certificate never does, and even
 * then its error only aborts with `rejectUnauthorized: true`. So with `rejectUnauthorized:
 * false` it is never consulted (test/unit/identity.tls.test.ts proves it).
 *
 * Instead the TLS socket is opened here and handed to the HTTP layer only after its
 * certificate has been checked: `ClientRequest` calls `createConnection(opts, oncreate)` and,
 * when it returns nothing, waits for `oncreate(err, socket)`. Until then the request (headers,
 * body, WebSocket upgrade) sits in the request's own buffer, with no socket to be written to,
 * so on a mismatch not one byte of application data leaves this machine: the request fails
 * with FingerprintMismatchError.
 *
 * Fails closed: the options carry no `rejectUnauthorized: false`, so if an `agent` is also
 * given (an agent's own createConnection wins over this one) the connection is refused by
 * ordinary CA validation instead of silently skipping the pin. Do not pass `agent`.
 */
export function pinnedTlsOptions(
  expected: string | null,
  opts: PinOptions = {},
): { createConnection: PinnedConnect } {
  const timeoutMs = opts.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
  const pin = expected === null ? null : normalizeFingerprint(expected);
  if (expected !== null && pin === null) {
    throw new Error(`Not a SHA-256 fingerprint: ${JSON.stringify(expected)}.`);
  }
  const createConnection: PinnedConnect = (request, oncreate) => {
    const tlsOptions = {
      ...(request as ConnectionOptions),
      host: opts.connectHost ?? request.host ?? undefined,
      // ClientRequest copies the URL path into `path`, which net.connect takes for a unix socket.
      path: undefined,
      // The certificate is self-signed: CA validation cannot pass. The pin below replaces it.
      rejectUnauthorized: false,
      // No SNI: hosts are addressed by IP and serve one certificate (Node also refuses IP servernames).
      servername: '',
      // Every Parley host speaks TLS 1.3; nothing older (nor its CBC-SHA1 suites) is offered.
      minVersion: 'TLSv1.3',
    } as ConnectionOptions;
    const socket = connect(tlsOptions);
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      oncreate(err, socket);
    };
    const timer = setTimeout(
      () => fail(new Error(`The secure connection was not set up within ${timeoutMs / 1000} s.`)),
      timeoutMs,
    );
    // The socket itself keeps the process alive while it connects; the timer need not.
    timer.unref();
    // Stays for the socket's life: an error between hand-over and the HTTP layer's own
    // listener must not become an uncaught exception.
    socket.on('error', fail);
    socket.once('secureConnect', () => {
      if (settled) return;
      const presented = peerFingerprint(socket);
      if (presented === null) {
        fail(new Error('The host presented no certificate.'));
        return;
      }
      opts.onPresented?.(presented);
      if (pin !== null && presented !== pin) {
        fail(new FingerprintMismatchError(pin, presented));
        return;
      }
      settled = true;
      clearTimeout(timer);
      oncreate(null, socket as Duplex);
    });
    // Nothing returned: ClientRequest waits for oncreate.
    return undefined;
  };
  return { createConnection };
}

/** The SHA-256 fingerprint (64 lowercase hex) of the certificate the peer presented; null if none. */
export function peerFingerprint(socket: TLSSocket): string | null {
  const cert = socket.getPeerCertificate();
  if (!cert || !Buffer.isBuffer(cert.raw) || cert.raw.length === 0) return null;
  return createHash('sha256').update(cert.raw).digest('hex');
}

/**
 * A `wss://` URL for an endpoint and the pinned connect options to use with it (spread both into
 * `new WebSocket(target.url, { ...target.options, ... })`). A link-local IPv6 zone id, which
 * URLs cannot carry, is left out of the URL and kept for the TCP connect.
 */
export function pinnedWsTarget(
  endpoint: Endpoint,
  expected: string | null,
  opts: Omit<PinOptions, 'connectHost'> = {},
): { url: string; options: { createConnection: PinnedConnect } } {
  const zone = endpoint.host.indexOf('%');
  if (zone < 0 || !endpoint.host.includes(':')) {
    return { url: `wss://${formatEndpoint(endpoint)}/`, options: pinnedTlsOptions(expected, opts) };
  }
  const bare = { host: endpoint.host.slice(0, zone), port: endpoint.port };
  return {
    url: `wss://${formatEndpoint(bare)}/`,
    options: pinnedTlsOptions(expected, { ...opts, connectHost: endpoint.host }),
  };
}

/**
 * Between Parley peers TLS 1.3 alone: the host refuses anything older (so the CBC-SHA1 suites
 * of TLS 1.2 are never negotiated), and the member's client will not speak anything older.
 */
import { createServer as createHttpsServer, get } from 'node:https';
import { connect } from 'node:tls';
import { describe, expect, it, onTestFinished } from 'vitest';
import { pinnedTlsOptions } from '../../src/core/identity/tlsClient';
import { INFO_PATH } from '../../src/shared/protocol';
import { startHost } from './support/host';
import { testIdentity } from './support/identity';

/** The protocol a TLS handshake with the given bounds agreed on, or the error code it failed with. */
function handshake(port: number, opts: { maxVersion?: 'TLSv1.2' | 'TLSv1.3' } = {}): Promise<string> {
  return new Promise((done) => {
    const socket = connect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...opts });
    socket.once('secureConnect', () => {
      done(socket.getProtocol() ?? 'none');
      socket.destroy();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}

describe('TLS between Parley peers', () => {
  it('the host refuses a client that offers at most TLS 1.2, and speaks TLS 1.3', async () => {
    const host = await startHost();
    expect(await handshake(host.port, { maxVersion: 'TLSv1.2' })).toBe(
      'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
    );
    expect(await handshake(host.port)).toBe('TLSv1.3');
  });

  it("the member's client refuses a host that offers at most TLS 1.2, before sending anything", async () => {
    const { key, cert } = await testIdentity();
    let requests = 0;
    const server = createHttpsServer({ key, cert, maxVersion: 'TLSv1.2' }, (_req, res) => {
      requests++;
      res.end('{}');
    });
    server.on('tlsClientError', () => {});
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    onTestFinished(() => new Promise<void>((closed) => server.close(() => closed())));
    const port = (server.address() as { port: number }).port;
    const outcome = await new Promise<string>((done) => {
      get({ host: '127.0.0.1', port, path: INFO_PATH, ...pinnedTlsOptions(null) }, () => done('answered')).on(
        'error',
        (err: NodeJS.ErrnoException) => done(err.code ?? err.message),
      );
    });
    expect(outcome).toMatch(/PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL/);
    expect(requests).toBe(0);
  });
});

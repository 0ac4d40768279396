import { connect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { startHost } from './support/host';
import { RawPeer } from './support/RawPeer';

/** The protocol the host agrees on by ALPN for a TLS client offering `protocols`. */
function negotiated(port: number, protocols: string[] | undefined): Promise<string | false> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: '127.0.0.1', port, rejectUnauthorized: false, ...(protocols && { ALPNProtocols: protocols }) },
      () => {
        resolve(socket.alpnProtocol ?? false);
        socket.end();
      },
    );
    socket.on('error', reject);
  });
}

describe('RoomHost over TLS, having let go of its per-connection copy of the ALPN list', () => {
  it('still agrees on http/1.1 with clients that offer it, alone or after h2, and on nothing with those that offer none', async () => {
    const host = await startHost();
    expect(await negotiated(host.port, ['http/1.1'])).toBe('http/1.1');
    expect(await negotiated(host.port, ['h2', 'http/1.1'])).toBe('http/1.1');
    expect(await negotiated(host.port, undefined)).toBe(false);
  });

  it('serves members on many connections after their handshakes are done', async () => {
    const host = await startHost();
    const peers = await Promise.all(['Ann', 'Ben', 'Cai'].map((nick) => RawPeer.join(host.port, nick)));
    peers[0]!.send({ type: 'post', text: 'hello', cid: 'c1' });
    expect((await peers[2]!.nextOf('message')).message.text).toBe('hello');
  });
});

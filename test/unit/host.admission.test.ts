/**
 * Attacks on a room's admission, before TLS, on loopback: every address of 127.0.0.0/8 is this
 * machine's, so a socket bound to 127.0.0.2 or 127.0.1.5 stands for another machine, or another
 * /24. The bound these tests hold: while the attack runs, a good member from another address
 * (or from the attacker's own /24) joins on its first try, without waiting for any deadline,
 * and its post is acknowledged and echoed.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HOST_LIMIT_DEFAULTS } from '../../src/core/host/limits';
import { IdleFlood, admissionUntil, hostHasSeen } from './support/flood';
import { startHost } from './support/host';
import { RawPeer } from './support/RawPeer';

/** Joins from `localAddress` (another machine, to the host). */
function joinFrom(port: number, nick: string, localAddress: string) {
  return RawPeer.join(port, nick, {}, { localAddress });
}

/** The member's post comes back acknowledged and echoed: the room serves it. */
async function chats(peer: RawPeer, text = `hello from ${Math.random()}`): Promise<void> {
  const cid = peer.post(text);
  expect(await peer.nextOf('ack')).toMatchObject({ cid });
  expect((await peer.nextOf('message')).message.text).toBe(text);
}

/** `127.0.<subnet>.1` … `127.0.<subnet>.<count>`: many machines on one /24. */
function addressesIn(subnet: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `127.0.${subnet}.${i + 1}`);
}

describe('RoomHost admission facing idle sockets', () => {
  it('resets all but 16 of 1,100 idle sockets from one address at once, seats a member from another address meanwhile, and the TLS handshake deadline closes the 16', async () => {
    // The join deadline is pushed out of the way: only the TLS handshake deadline can close them.
    const host = await startHost({ limits: { joinTimeoutMs: 600_000 } });
    const flood = await IdleFlood.start(host.port, 1_100, { from: ['127.0.0.2'] });
    await hostHasSeen(host, 1_100);
    const perAddress = HOST_LIMIT_DEFAULTS.maxUnjoinedPerAddress;
    expect(host.admission()).toMatchObject({
      open: perAddress,
      unjoined: perAddress,
      refused: 1_100 - perAddress,
    });

    const alice = await joinFrom(host.port, 'Alice', '127.0.0.3');
    await chats(alice);

    await flood.allClosed();
    const after = await admissionUntil(host, (counts) => counts.open === 1);
    expect(after).toMatchObject({ unjoined: 0, expired: 0 });
  });

  it('holds a /24 of 20 addresses to its 128 unjoined sockets and seats members from another /24 and from its own', async () => {
    const host = await startHost();
    // 20 machines of one /24, 15 idle sockets each: under the per-address share, over the prefix's.
    await IdleFlood.start(host.port, 300, { from: addressesIn(1, 20) });
    await hostHasSeen(host, 300);
    expect(host.admission().unjoined).toBe(HOST_LIMIT_DEFAULTS.maxUnjoinedPerPrefix);

    const alice = await joinFrom(host.port, 'Alice', '127.0.2.1');
    // Bob shares the attackers' /24: his address holds nothing, so the busiest one gives way.
    const bob = await joinFrom(host.port, 'Bob', '127.0.1.200');
    await chats(alice);
    await chats(bob);
    expect(host.admission().evicted).toBeGreaterThan(0);
  });

  it('shares a full host fairly: a renewing flood from 20 addresses of one /24 cannot keep members from another /24 or its own out', async () => {
    // Only the global cap stands in the flood's way here.
    const limits = { maxConnections: 100, maxUnjoinedPerAddress: 10_000, maxUnjoinedPerPrefix: 10_000 };
    const host = await startHost({ limits });
    const flood = await IdleFlood.start(host.port, 100, {
      from: addressesIn(1, 20),
      refill: true,
      maxOpens: 3_000,
    });
    await hostHasSeen(host, 100);
    expect(host.admission().open).toBe(100);

    const alice = await joinFrom(host.port, 'Alice', '127.0.2.1');
    const bob = await joinFrom(host.port, 'Bob', '127.0.1.200');
    await chats(alice);
    await chats(bob);
    expect(host.admission().open).toBeLessThanOrEqual(100);
    flood.stop();
  });

  it('never pushes a joined member out to make room for a newcomer', async () => {
    const host = await startHost({ limits: { maxConnections: 3 } });
    const alice = await joinFrom(host.port, 'Alice', '127.0.0.1');
    const bob = await joinFrom(host.port, 'Bob', '127.0.0.2');
    const carol = await joinFrom(host.port, 'Carol', '127.0.0.3');
    const flood = await IdleFlood.start(host.port, 50, { from: ['127.0.0.4', '127.0.1.4'] });
    await flood.allClosed();
    expect(await hostHasSeen(host, 53)).toMatchObject({ open: 3, refused: 50, evicted: 0 });
    await chats(alice);
    await chats(bob);
    await chats(carol);
  });
});

describe('RoomHost join deadline', () => {
  it('cuts a socket that dribbles its TLS handshake a byte at a time once the join deadline passes', async () => {
    // The TLS handshake deadline is an idle timer, which a dribbler keeps resetting: the join
    // deadline, counted from accept, is what ends it.
    const host = await startHost({ limits: { joinTimeoutMs: 300, tlsHandshakeTimeoutMs: 600_000 } });
    const socket = connect({ port: host.port, host: '127.0.0.1' });
    socket.on('error', () => {});
    // The start of a TLS record header (handshake, TLS 1.0 legacy version), one byte at a time.
    const bytes = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03];
    let sent = 0;
    const dribble = setInterval(() => {
      if (sent < bytes.length) socket.write(Buffer.of(bytes[sent++]!));
    }, 50);
    await new Promise((resolve) => socket.once('close', resolve));
    clearInterval(dribble);
    expect(host.admission()).toMatchObject({ open: 0, expired: 1 });
  });

  it('cuts a socket that finished TLS but never asks for the WebSocket once the join deadline passes', async () => {
    const host = await startHost({ limits: { joinTimeoutMs: 300 } });
    const { connect: tlsConnect } = await import('node:tls');
    const socket = tlsConnect({ port: host.port, host: '127.0.0.1', rejectUnauthorized: false });
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    await new Promise((resolve) => socket.once('close', resolve));
    expect(host.admission()).toMatchObject({ open: 0, expired: 1 });
  });
});

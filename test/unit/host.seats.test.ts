/**
 * Seats per address and per prefix, on loopback (127.0.0.2, 127.0.3.1… stand for other
 * machines and other /24s). The bound these tests hold: one address never holds more than
 * maxSeatsPerAddress seats however many fresh identities it says hello with, and a member
 * from another address is seated on its first try meanwhile.
 */
import { ReasonCode } from '../../src/shared/reasons';
import { describe, expect, it } from 'vitest';
import { HOST_LIMIT_DEFAULTS } from '../../src/core/host/limits';
import { CloseCode, ErrorCode } from '../../src/shared/protocol';
import { startHost } from './support/host';
import { makeClient, recordStates, stateOf } from './support/client';
import { RawPeer } from './support/RawPeer';

/** What became of one hello with a fresh identity from `localAddress`. */
async function helloFrom(port: number, nick: string, localAddress: string): Promise<'welcome' | string> {
  const peer = await RawPeer.connect(port, { localAddress });
  peer.hello(nick);
  const frame = await peer.next();
  if (frame.type === 'welcome') return 'welcome';
  if (frame.type !== 'error') return frame.type;
  const { code } = await peer.closed;
  return `${frame.code} ${code}`;
}

const REFUSED = `${ErrorCode.TooManyFromAddress} ${CloseCode.TooManyFromAddress}`;

describe('RoomHost seats per address', () => {
  it(`seats ${HOST_LIMIT_DEFAULTS.maxSeatsPerAddress} of 520 fresh identities from one address, refuses the rest with TOO_MANY_FROM_ADDRESS and 4008, and seats a member from another address`, async () => {
    const host = await startHost();
    const outcomes: string[] = [];
    // Ten at a time: the address's share of connections that have not joined is 16.
    for (let i = 0; i < 520; i += 10) {
      const batch = Array.from({ length: 10 }, (_, j) => helloFrom(host.port, `Sybil ${i + j}`, '127.0.0.4'));
      outcomes.push(...(await Promise.all(batch)));
    }
    const seated = HOST_LIMIT_DEFAULTS.maxSeatsPerAddress;
    expect(outcomes.filter((o) => o === 'welcome')).toHaveLength(seated);
    expect(outcomes.filter((o) => o === REFUSED)).toHaveLength(520 - seated);
    expect(host.info().members).toBe(seated);

    const alice = await RawPeer.join(host.port, 'Alice', {}, { localAddress: '127.0.0.5' });
    expect(alice.welcome.room.members).toBe(seated + 1);
    // 520 TLS handshakes on a shared machine: a bound on the test's run, not an assertion.
  }, 60_000);

  it('tells the refused member why, and that someone from its address must leave first', async () => {
    const host = await startHost({ limits: { maxSeatsPerAddress: 1 } });
    await RawPeer.join(host.port, 'Alice', {}, { localAddress: '127.0.0.6' });
    const bob = await RawPeer.connect(host.port, { localAddress: '127.0.0.6' });
    bob.hello('Bob');
    const error = await bob.next('error');
    expect(error.code).toBe(ErrorCode.TooManyFromAddress);
    expect(error.message).toMatch(/1 members from your address.*must leave/);
    expect((await bob.closed).code).toBe(CloseCode.TooManyFromAddress);
  });

  it('sends the refused client offline with the host’s sentence instead of retrying', async () => {
    const host = await startHost({ limits: { maxSeatsPerAddress: 1 } });
    await RawPeer.join(host.port, 'Alice');
    const bob = makeClient(host.port, 'Bob');
    const states = recordStates(bob);
    const offline = stateOf(bob, 'offline');
    bob.start();
    const [, , reason] = await offline;
    expect(reason).toEqual({ code: ReasonCode.TooManyFromAddress });
    expect(states.map(([state]) => state)).toEqual(['connecting', 'offline']);
  });

  it('lets a member of a full address take its own seat back on a new connection', async () => {
    const host = await startHost({ limits: { maxSeatsPerAddress: 2 } });
    await RawPeer.join(host.port, 'Alice', {}, { localAddress: '127.0.0.7' });
    const bob = await RawPeer.join(host.port, 'Bob', {}, { localAddress: '127.0.0.7' });
    const bobAgain = await RawPeer.join(host.port, 'Bob', { key: bob.key }, { localAddress: '127.0.0.7' });
    expect(bobAgain.welcome.you).toEqual(bob.welcome.you);
    expect((await bob.closed).code).toBe(CloseCode.Replaced);
    // Taking the seat back did not count twice: the address is still exactly full.
    expect(await helloFrom(host.port, 'Carol', '127.0.0.7')).toBe(REFUSED);
  });

  it('seats a member from a full address again once one of its members leaves', async () => {
    const host = await startHost({ limits: { maxSeatsPerAddress: 1 } });
    const watcher = await RawPeer.join(host.port, 'Watcher', {}, { localAddress: '127.0.0.9' });
    const alice = await RawPeer.join(host.port, 'Alice', {}, { localAddress: '127.0.0.8' });
    await watcher.next('presence');
    expect(await helloFrom(host.port, 'Bob', '127.0.0.8')).toBe(REFUSED);
    alice.ws.close(1000);
    await watcher.nextOf('presence');
    expect(await helloFrom(host.port, 'Bob', '127.0.0.8')).toBe('welcome');
  });
});

describe('RoomHost seats per prefix', () => {
  it('holds one /24 to its seat share, whatever address each of its members has, and seats a member from another /24', async () => {
    const host = await startHost({ limits: { maxSeatsPerPrefix: 3 } });
    for (const address of ['127.0.3.1', '127.0.3.2', '127.0.3.3'])
      expect(await helloFrom(host.port, `At ${address}`, address)).toBe('welcome');
    const late = await RawPeer.connect(host.port, { localAddress: '127.0.3.4' });
    late.hello('Late');
    const error = await late.next('error');
    expect(error).toMatchObject({ code: ErrorCode.TooManyFromAddress });
    expect(error.message).toMatch(/from your network/);
    expect(await helloFrom(host.port, 'Elsewhere', '127.0.4.1')).toBe('welcome');
  });
});

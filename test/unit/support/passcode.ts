import { expect } from 'vitest';
import type { MemberKey } from '../../../src/core/memberKey';
import { passcodeKey, passcodeProof } from '../../../src/core/passcode';
import { ErrorCode } from '../../../src/shared/protocol';
import { RawPeer } from './RawPeer';

/** Derived passcode keys by passcode and salt: scrypt is slow on purpose, tests guess often. */
const derived = new Map<string, Buffer>();

/** The proof a member who knows `passcode` sends on `peer`'s connection (bound to what it saw). */
export function proofFor(peer: RawPeer, passcode: string, fingerprint = peer.fingerprint): string {
  const salt = peer.challenge.salt!;
  let key = derived.get(`${passcode}\0${salt}`);
  if (!key) derived.set(`${passcode}\0${salt}`, (key = passcodeKey(passcode, salt)));
  return passcodeProof(key, peer.challenge.nonce, fingerprint);
}

/**
 * Connects a raw peer (from `from`, any 127.x.y.z: the whole loopback range is this machine's,
 * so tests can play many addresses and networks) and says hello with the proof for `passcode`.
 */
export async function helloWith(
  port: number,
  passcode: string | null,
  opts: { from?: string; key?: MemberKey } = {},
): Promise<RawPeer> {
  const peer = await RawPeer.connect(port, opts.from ? { localAddress: opts.from } : {});
  peer.hello('Guesser', {
    ...(opts.key && { key: opts.key }),
    ...(passcode !== null && { proof: proofFor(peer, passcode) }),
  });
  return peer;
}

/** Sends `count` wrong passcodes, one from each address `addressOf(i)`, each refused as BAD_PASSCODE. */
export async function guessWrong(
  port: number,
  count: number,
  addressOf: (i: number) => string,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    const peer = await helloWith(port, `wrong guess ${i}`, { from: addressOf(i) });
    expect(await peer.next('error')).toMatchObject({ code: ErrorCode.BadPasscode });
  }
}

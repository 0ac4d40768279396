/**
 * Guards a room's passcode: checks hello proofs against the room's derived key, and counts
 * wrong ones per remote address so nobody on the LAN can guess at full speed.
 */
import { passcodeKey, proofMatches, randomToken } from '../passcode';

/** Wrong passcodes an address may send within PASSCODE_WINDOW_MS before it is refused. */
export const PASSCODE_ATTEMPTS = 5;
export const PASSCODE_WINDOW_MS = 60_000;
/** Addresses remembered at most, so a flood of spoofed ones cannot grow the host. */
const MAX_ADDRESSES = 10_000;

export type Verdict = { ok: true } | { ok: false; code: 'required' | 'bad' | 'locked'; waitS?: number };

export class PasscodeGate {
  /** The room's salt (base64url), the same for every connection of this room. */
  readonly salt = randomToken(16);
  private readonly key: Buffer;
  /** Times of recent wrong attempts, per address, oldest first. */
  private readonly failures = new Map<string, number[]>();

  constructor(
    passcode: string,
    private readonly now: () => number,
  ) {
    // Derived once per room: scrypt is deliberately slow, and must not run per hello.
    this.key = passcodeKey(passcode, this.salt);
  }

  /** Judges a hello's proof for the challenge `nonce` sent to a connection from `address`. */
  check(address: string, nonce: string, proof: string | undefined): Verdict {
    const now = this.now();
    const recent = (this.failures.get(address) ?? []).filter((t) => now - t < PASSCODE_WINDOW_MS);
    if (recent.length > 0) this.failures.set(address, recent);
    else this.failures.delete(address);
    if (recent.length >= PASSCODE_ATTEMPTS) {
      const waitS = Math.max(1, Math.ceil((recent[0]! + PASSCODE_WINDOW_MS - now) / 1000));
      return { ok: false, code: 'locked', waitS };
    }
    if (proof === undefined) return { ok: false, code: 'required' };
    if (proofMatches(this.key, nonce, proof)) return { ok: true };
    if (!this.failures.has(address) && this.failures.size >= MAX_ADDRESSES) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    this.failures.set(address, [...recent, now]);
    return { ok: false, code: 'bad' };
  }
}

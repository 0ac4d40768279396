/**
 * Guards a room's passcode: checks hello proofs against the room's derived key, and limits
 * guessing so that rotating addresses does not help. Wrong passcodes are counted per address,
 * per network (/24, /64: see originOf) and for the whole room; past the room's threshold
 * the room is "under guessing": the host is told, and newcomers' proofs are checked at most
 * once per `roomSlowIntervalMs` across the whole room from networks that guessed wrong lately,
 * and at most once per interval from networks that did not (two lanes: otherwise the guessers,
 * sending hundreds of hellos to the one slot, would keep every honest newcomer out). Members that
 * proved the passcode once (by their signed identity) need no proof again while the host runs,
 * so guessing never locks out the people already in the room.
 */
import { passcodeKey, proofMatches, randomToken } from '../passcode';
import { originOf } from './admission/addressGroups';
import { TokenBucket } from './TokenBucket';

/** How the gate counts wrong passcodes; see PASSCODE_POLICY for the values rooms use. */
export interface PasscodePolicy {
  /** Wrong passcodes one address may send within `windowMs` before it is refused. */
  perAddress: number;
  /** Wrong passcodes one network (/24 or /64) may send within `windowMs`. */
  perNetwork: number;
  windowMs: number;
  /** Wrong passcodes in the whole room within `roomWindowMs` that put it under guessing. */
  roomThreshold: number;
  roomWindowMs: number;
  /**
   * Under guessing: at most one newcomer's proof is checked per this many ms room-wide from
   * networks with a wrong passcode within `roomWindowMs`, and one from networks without.
   */
  roomSlowIntervalMs: number;
}

export const PASSCODE_POLICY: Readonly<PasscodePolicy> = {
  perAddress: 5,
  perNetwork: 20,
  windowMs: 60_000,
  roomThreshold: 30,
  roomWindowMs: 10 * 60_000,
  // 12 checks a minute per lane, ~35,000 a day at most, whatever the number of addresses: a
  // passcode of 10 random characters (see passcodeStrength) outlasts that by far; four digits
  // would not.
  roomSlowIntervalMs: 5_000,
};

/** Addresses, networks and admitted members remembered at most, so spoofed ones cannot grow the host. */
const MAX_TRACKED = 10_000;

/** Where a refusal comes from: the address, its network, or the room as a whole. */
export type LockScope = 'address' | 'network' | 'room';

export type Verdict =
  | { ok: true }
  | { ok: false; code: 'required' | 'bad' }
  | { ok: false; code: 'locked'; scope: LockScope; waitS: number };

/** What the host is told while its room is under guessing. */
export interface GuessingReport {
  /** Wrong passcodes within the room window. */
  failures: number;
  /** Distinct addresses they came from. */
  addresses: number;
  /** Distinct networks (/24, /64) they came from. */
  networks: number;
}

/** One hello to judge: who sent it, over which challenge, and its proof. */
export interface PasscodeAttempt {
  /** The hello's member id (from its verified public key). */
  memberId: string;
  address: string;
  nonce: string;
  /** Fingerprint of this host's certificate: the proof must be bound to it. */
  fingerprint: string;
  proof: string | undefined;
}

/** Times of recent events per key, oldest first, each list and the map bounded. */
class RecentTimes {
  private readonly times = new Map<string, number[]>();

  constructor(private readonly windowMs: number) {}

  /** The times of `key` still within the window at `now` (and forgets the rest). */
  within(key: string, now: number): number[] {
    const recent = (this.times.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (recent.length > 0) this.times.set(key, recent);
    else this.times.delete(key);
    return recent;
  }

  add(key: string, now: number, cap: number): void {
    const recent = this.within(key, now);
    if (recent.length === 0 && this.times.size >= MAX_TRACKED) {
      const oldest = this.times.keys().next().value;
      if (oldest !== undefined) this.times.delete(oldest);
    }
    // Only the newest `cap` matter for the limit; older ones would only cost memory.
    this.times.set(key, [...recent, now].slice(-cap));
  }
}

export class PasscodeGate {
  /** The room's salt (base64url), the same for every connection of this room. */
  readonly salt = randomToken(16);
  private readonly key: Buffer;
  private readonly policy: PasscodePolicy;
  private readonly byAddress: RecentTimes;
  private readonly byNetwork: RecentTimes;
  /** Networks with a wrong passcode within the room window: they share the guessers' lane. */
  private readonly guessedFrom: RecentTimes;
  /** The room's recent failures: time, address and network of each, oldest first. */
  private roomFailures: { at: number; address: string; network: string }[] = [];
  /** Under guessing: the lane of networks that guessed wrong lately. */
  private readonly slow: TokenBucket;
  /** Under guessing: the lane of networks that did not, so guessers cannot take every turn. */
  private readonly slowClean: TokenBucket;
  /** Member ids that proved the passcode, in the order they last did (bounded). */
  private readonly admitted = new Set<string>();
  private lastReport = -Infinity;

  constructor(
    passcode: string,
    private readonly now: () => number,
    /** Told when the room comes under guessing, then at most once a minute while it lasts. */
    private readonly onGuessing: (report: GuessingReport) => void = () => {},
    policy: Partial<PasscodePolicy> = {},
  ) {
    // Derived once per room: scrypt is deliberately slow, and must not run per hello.
    this.key = passcodeKey(passcode, this.salt);
    this.policy = { ...PASSCODE_POLICY, ...policy };
    this.byAddress = new RecentTimes(this.policy.windowMs);
    this.byNetwork = new RecentTimes(this.policy.windowMs);
    this.guessedFrom = new RecentTimes(this.policy.roomWindowMs);
    this.slow = new TokenBucket(1, 1000 / this.policy.roomSlowIntervalMs, now);
    this.slowClean = new TokenBucket(1, 1000 / this.policy.roomSlowIntervalMs, now);
  }

  /** Whether the room has had at least its threshold of wrong passcodes lately. */
  get underGuessing(): boolean {
    return this.recentRoomFailures(this.now()).length >= this.policy.roomThreshold;
  }

  /** Judges a hello: a member admitted before passes, anyone else needs a right, bound proof. */
  check(attempt: PasscodeAttempt): Verdict {
    if (this.admitted.has(attempt.memberId)) {
      this.admit(attempt.memberId);
      return { ok: true };
    }
    const now = this.now();
    // Counted as admission counts them: an IPv4-mapped address is its IPv4 one.
    const { address, prefix: network } = originOf(attempt.address);
    const locked =
      this.lockedBy('address', this.byAddress.within(address, now), this.policy.perAddress, now) ??
      this.lockedBy('network', this.byNetwork.within(network, now), this.policy.perNetwork, now);
    if (locked) return locked;
    if (attempt.proof === undefined) return { ok: false, code: 'required' };
    // Under guessing, every newcomer's check takes its lane's slow token, right or wrong. A
    // network that guesses wrong joins the guessers' lane for the room window, so each fresh
    // network an attacker brings costs it a turn of the other lane at most once.
    const lane = this.guessedFrom.within(network, now).length > 0 ? this.slow : this.slowClean;
    if (this.underGuessing && !lane.take()) {
      return {
        ok: false,
        code: 'locked',
        scope: 'room',
        waitS: Math.ceil(this.policy.roomSlowIntervalMs / 1000),
      };
    }
    if (proofMatches(this.key, attempt.nonce, attempt.fingerprint, attempt.proof)) {
      this.admit(attempt.memberId);
      return { ok: true };
    }
    this.fail(address, network, now);
    return { ok: false, code: 'bad' };
  }

  private lockedBy(scope: LockScope, recent: number[], limit: number, now: number): Verdict | null {
    if (recent.length < limit) return null;
    const oldest = recent[recent.length - limit]!;
    const waitS = Math.max(1, Math.ceil((oldest + this.policy.windowMs - now) / 1000));
    return { ok: false, code: 'locked', scope, waitS };
  }

  private admit(memberId: string): void {
    this.admitted.delete(memberId);
    this.admitted.add(memberId);
    if (this.admitted.size > MAX_TRACKED) {
      const oldest = this.admitted.values().next().value;
      if (oldest !== undefined) this.admitted.delete(oldest);
    }
  }

  private fail(address: string, network: string, now: number): void {
    this.byAddress.add(address, now, this.policy.perAddress);
    this.byNetwork.add(network, now, this.policy.perNetwork);
    this.guessedFrom.add(network, now, 1);
    const recent = this.recentRoomFailures(now);
    recent.push({ at: now, address, network });
    // Enough to report on; the threshold is far below this.
    this.roomFailures = recent.slice(-MAX_TRACKED);
    if (recent.length >= this.policy.roomThreshold && now - this.lastReport >= 60_000) {
      this.lastReport = now;
      this.onGuessing({
        failures: recent.length,
        addresses: new Set(recent.map((f) => f.address)).size,
        networks: new Set(recent.map((f) => f.network)).size,
      });
    }
  }

  private recentRoomFailures(now: number): { at: number; address: string; network: string }[] {
    const start = this.roomFailures.findIndex((f) => now - f.at < this.policy.roomWindowMs);
    this.roomFailures = start < 0 ? [] : this.roomFailures.slice(start);
    return this.roomFailures;
  }
}

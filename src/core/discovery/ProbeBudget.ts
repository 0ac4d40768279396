/**
 * How many liveness probes one lobby may open, so that advertisements (which anyone on the LAN
 * can send, naming any address) cannot turn every lobby into a connection flood against a victim.
 *
 * Three limits, all per lobby (one Discovery):
 *  - a global token bucket: at most `perSecond` probe connections a second, `burst` at once;
 *  - a bucket per target IP address (any port): `perHostPerSecond`, `perHostBurst`;
 *  - at most one probe in flight per address:port.
 * So in any T seconds a lobby opens at most `perHostBurst + perHostPerSecond * T` connections to
 * one address, whatever is advertised (docs/PROTOCOL.md, Discovery, states the defaults).
 */

/** Why a probe may not start now. */
export type ProbeRefusal = 'global' | 'host' | 'busy';

/** A probe connection that may start; `release` when it has ended (once). */
export interface ProbeSlot {
  release(): void;
}

export interface ProbeBudgetOptions {
  perSecond: number;
  burst: number;
  perHostPerSecond: number;
  perHostBurst: number;
  /** The clock, in ms (tests drive their own). */
  now?: () => number;
}

/** The defaults: a lobby of a normal LAN probes a few rooms every few seconds, far below these. */
export const PROBE_BUDGET_DEFAULTS = {
  perSecond: 10,
  burst: 10,
  perHostPerSecond: 2,
  perHostBurst: 4,
} as const satisfies ProbeBudgetOptions;

/** Host buckets kept before full (idle) ones are forgotten; a forgotten one is full anyway. */
const MAX_HOST_BUCKETS = 1024;

interface Bucket {
  tokens: number;
  at: number;
}

export class ProbeBudget {
  private readonly now: () => number;
  private readonly global: Bucket;
  private readonly hosts = new Map<string, Bucket>();
  private readonly inFlight = new Set<string>();

  constructor(private readonly opts: ProbeBudgetOptions = PROBE_BUDGET_DEFAULTS) {
    this.now = opts.now ?? Date.now;
    this.global = { tokens: opts.burst, at: this.now() };
  }

  /** Whether the lobby-wide budget allows one more probe now (a host's own may still say no). */
  canStart(): boolean {
    refill(this.global, this.now(), this.opts.perSecond, this.opts.burst);
    return this.global.tokens >= 1;
  }

  /** Takes the right to open one probe connection to host:port now, or says why not. */
  take(host: string, port: number): ProbeSlot | ProbeRefusal {
    const target = `${host.toLowerCase()}|${port}`;
    if (this.inFlight.has(target)) return 'busy';
    const now = this.now();
    refill(this.global, now, this.opts.perSecond, this.opts.burst);
    if (this.global.tokens < 1) return 'global';
    const bucket = this.hostBucket(host.toLowerCase(), now);
    if (bucket === null || bucket.tokens < 1) return 'host';
    this.global.tokens -= 1;
    bucket.tokens -= 1;
    this.inFlight.add(target);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.inFlight.delete(target);
      },
    };
  }

  /** The host's bucket, refilled; null when too many hosts have spent budget to track one more. */
  private hostBucket(host: string, now: number): Bucket | null {
    let bucket = this.hosts.get(host);
    if (bucket === undefined) {
      if (this.hosts.size >= MAX_HOST_BUCKETS) this.forgetFullBuckets(now);
      // A bucket still spending is never forgotten (that would refill it early): no room, no probe.
      if (this.hosts.size >= MAX_HOST_BUCKETS) return null;
      bucket = { tokens: this.opts.perHostBurst, at: now };
      this.hosts.set(host, bucket);
    } else {
      refill(bucket, now, this.opts.perHostPerSecond, this.opts.perHostBurst);
    }
    return bucket;
  }

  private forgetFullBuckets(now: number): void {
    for (const [host, bucket] of this.hosts) {
      refill(bucket, now, this.opts.perHostPerSecond, this.opts.perHostBurst);
      if (bucket.tokens >= this.opts.perHostBurst) this.hosts.delete(host);
    }
  }
}

function refill(bucket: Bucket, now: number, perSecond: number, burst: number): void {
  const elapsed = Math.max(0, now - bucket.at);
  bucket.tokens = Math.min(burst, bucket.tokens + (elapsed * perSecond) / 1000);
  bucket.at = now;
}

import { TokenBucket } from './TokenBucket';

/** Buckets remembered at most; the least recently used one goes first (it is full again soon). */
const MAX_BUCKETS = 10_000;

/**
 * Token buckets by key (a member id, an address) that outlive connections: a member that
 * reconnects, or an address that comes back with fresh identities, finds its bucket as it left
 * it instead of a full one. Bounded: past MAX_BUCKETS the least recently used is forgotten.
 */
export class RateBook {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number,
    private readonly max = MAX_BUCKETS,
  ) {}

  /** The bucket of `key`, made full on first use. */
  bucket(key: string): TokenBucket {
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key);
    } else {
      bucket = new TokenBucket(this.burst, this.perSecond, this.now);
      if (this.buckets.size >= this.max) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
    }
    this.buckets.set(key, bucket);
    return bucket;
  }
}

/** Takes a token from every bucket, or from none: an action counts against each limit or is refused. */
export function takeEach(...buckets: TokenBucket[]): boolean {
  if (!buckets.every((bucket) => bucket.available())) return false;
  for (const bucket of buckets) bucket.take();
  return true;
}

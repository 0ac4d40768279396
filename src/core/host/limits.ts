/**
 * How much one connection may ask of a room host, and the defaults, in one place. A LAN is not
 * a friendly place by default: anyone on it can open sockets to the room, so every resource a
 * connection can make the host spend (frames answered, sockets held, memory queued for it) has
 * a bound, and crossing it is answered (RATE_LIMITED, ROOM_FULL, TOO_MANY_FROM_ADDRESS) or ends
 * that one connection (1008, 4003, 4004, 4005, 4008, or a reset before TLS) while everyone else
 * keeps chatting.
 */

import { LIMITS, type RoomLimits } from '../../shared/protocol';

/** The limits a RoomHost enforces; see HOST_LIMIT_DEFAULTS for the values it uses unless told. */
export interface HostLimits {
  /** Posts a member may send in a burst before the sustained rate applies. */
  postBurst: number;
  /** Posts per second a member may keep up; a post beyond it is answered RATE_LIMITED. */
  postsPerSecond: number;
  /** History fetches a member may send in a burst (a catch-up is a string of them). */
  fetchBurst: number;
  /** Fetches per second a member may keep up; a fetch beyond it is answered RATE_LIMITED. */
  fetchesPerSecond: number;
  /**
   * The same budgets for everything one address sends, whoever it says it is: fresh identities
   * from one machine share these. Member and address budgets are both kept across reconnects.
   */
  addressPostBurst: number;
  addressPostsPerSecond: number;
  addressFetchBurst: number;
  addressFetchesPerSecond: number;
  /**
   * Rejected frames (any error answer the member caused: bad JSON, bad frames, RATE_LIMITED...)
   * a connection may pile up within `floodWindowMs`; one more closes it with 1008.
   */
  floodStrikes: number;
  floodWindowMs: number;
  /** How long a new connection may take to send a valid hello before it is closed with 4003. */
  handshakeTimeoutMs: number;
  /**
   * How long a TCP connection may take to finish its TLS handshake, counted from accept; a
   * socket that never sends its ClientHello is gone after this (Node's own default is 120 s).
   */
  tlsHandshakeTimeoutMs: number;
  /**
   * How long a TCP connection may stay open without its member being welcomed, counted from
   * accept, whatever it is doing (dribbling TLS or HTTP bytes, sitting after the upgrade, or
   * being an info probe). Default: tlsHandshakeTimeoutMs + handshakeTimeoutMs + 2 s, so an
   * honest join always has its full hello deadline and 4003 comes first.
   */
  joinTimeoutMs: number;
  /** Most members in the room; the next hello is answered ROOM_FULL and closed with 4004. */
  maxMembers: number;
  /**
   * Most TCP connections to the room's port, joined or not, info probes included. Past it, a
   * newcomer from a smaller group (address, then prefix) than the busiest one takes the place
   * of that group's oldest unjoined socket; otherwise it is reset at once. Joined members are
   * never pushed out. Default: twice maxMembers, so every member can have a reconnect or a
   * probe in flight.
   */
  maxConnections: number;
  /**
   * TCP connections from one address that have not joined yet (no welcome; info probes and
   * HTTP keep-alives count). Past it, the newcomer is reset at once, before TLS; its joined
   * members do not count.
   */
  maxUnjoinedPerAddress: number;
  /**
   * TCP connections from one prefix (IPv4 /24, IPv6 /64) that have not joined yet. Past it, a
   * newcomer from an address holding fewer than the prefix's busiest takes the place of that
   * address's oldest; otherwise it is reset at once.
   */
  maxUnjoinedPerPrefix: number;
  /**
   * Members seated from one address. Past it, a hello from a new member is answered
   * TOO_MANY_FROM_ADDRESS and closed with 4008; a member taking back its own seat is not new.
   */
  maxSeatsPerAddress: number;
  /** Members seated from one prefix (IPv4 /24, IPv6 /64); past it, as maxSeatsPerAddress. */
  maxSeatsPerPrefix: number;
  /**
   * Bytes the host may hold queued for one member that is not reading. Past it, the member is
   * closed with 4005 (and cut off if it does not finish closing), instead of growing the host.
   */
  maxBufferedBytes: number;
  /**
   * Most bytes of messages in one welcome or page (encoded JSON); a longer answer is cut and
   * says `more`. A fetch is answered only once less than this waits unsent for the member, so
   * a member that stops reading holds at most about twice this in answers.
   */
  maxReplyBytes: number;
  /** Fetches a member may have waiting for its earlier answers to drain; one more is RATE_LIMITED. */
  maxWaitingFetches: number;
  /**
   * Shortest time between two presence frames, in ms: the joins and leaves in between go out
   * together, so filling a room of n costs n frames per interval, not n² in all. A change after
   * a quiet spell goes out at the end of its turn.
   */
  presenceIntervalMs: number;
  /**
   * Presence frames that may wait behind a newcomer's roster pages (which go out only as it
   * reads); one more closes it with 4005.
   */
  maxHeldPresence: number;
  /**
   * Posts one member (by member id, so reconnecting does not help) may store per 24 hours, a
   * leaky bucket (see DailyQuota). A post beyond it is answered QUOTA_EXCEEDED.
   */
  dailyPostsPerMember: number;
  /** UTF-8 bytes of message text one member may store per 24 hours, likewise. */
  dailyBytesPerMember: number;
}

/** Limits whose defaults follow others (see resolveLimits). */
type FollowingLimit =
  | 'maxConnections'
  | 'joinTimeoutMs'
  | 'addressPostBurst'
  | 'addressPostsPerSecond'
  | 'addressFetchBurst'
  | 'addressFetchesPerSecond';

/** The defaults. Those in FollowingLimit, when not given, follow others (see resolveLimits). */
export const HOST_LIMIT_DEFAULTS: Readonly<Omit<HostLimits, FollowingLimit>> = {
  postBurst: 20,
  postsPerSecond: 5,
  // Gentler than posts: a member catching up after a long absence sends one fetch per page of
  // 200 messages, as fast as pages come back, and a page costs the host one indexed read.
  fetchBurst: 50,
  fetchesPerSecond: 20,
  // Far more than an honest client causes (it only errs by racing a member that just left, or
  // by resending a big outbox into the post limit), far fewer than a garbage firehose sends.
  floodStrikes: 100,
  floodWindowMs: 10_000,
  handshakeTimeoutMs: 10_000,
  // A TLS 1.3 handshake is one round trip: on a LAN, milliseconds; 3 s is still hundreds of
  // round trips on a poor Wi-Fi link, and a socket that says nothing is gone by then.
  tlsHandshakeTimeoutMs: 3_000,
  maxMembers: 500,
  // A machine opens one connection per app plus its lobby's info probes, and a reconnect
  // overlaps its old socket for a moment; 16 leaves room for a few apps and retries.
  maxUnjoinedPerAddress: 16,
  // A classroom on one /24 (or one IPv6 /64) that opens the app at the bell holds a few
  // unjoined sockets per machine for a few milliseconds each: 128 fits dozens of machines
  // joining in the same instant, and past it only the busiest address gives way.
  maxUnjoinedPerPrefix: 128,
  // One machine is one member per app: 8 leaves room for a shared computer with several
  // users or instances, and keeps one laptop with fresh identities to 8 of the 500 seats.
  maxSeatsPerAddress: 8,
  // An IPv4 /24 holds at most 254 machines, so a whole classroom, lab or office floor on one
  // network always fits; it stops one network from taking every seat of a room it shares
  // with others. A lecture hall of more than 256 on one IPv6 /64 must raise it.
  maxSeatsPerPrefix: 256,
  // Checked before each frame; the largest honest burst (a welcome or a page) is at most
  // maxReplyBytes, far below it, so a member that reads is never cut, and one that never reads
  // is cut at ~1 MiB plus at most one frame.
  maxBufferedBytes: 1024 * 1024,
  // 128 KiB is 200 messages of ~600 characters (chat lines are mostly far shorter), or 15 of
  // the longest. A stalled reader's answer costs the host about four times this (the frame,
  // its TLS records and what the collector has not yet returned; siege 5 measured ~1 MB at
  // 256 KiB), so 256 stalled readers stay within ~130 MB.
  maxReplyBytes: 128 * 1024,
  // A catch-up sends one fetch at a time; a few may overlap a Load earlier.
  maxWaitingFetches: 4,
  // A quarter second is not noticed in a "joined" notice, and bounds presence frames to 4 a second.
  presenceIntervalMs: 250,
  // A minute of presence frames at the interval above: only a member that reads nothing waits that long.
  maxHeldPresence: 240,
  // About 10 messages a minute for 8 hours: far more than a person types, while one key at the
  // documented 5 posts/s would store 432,000 a day. 20 MiB is 2,600 maximum-length messages
  // of plain text a day; 20 members at their quota add at most 400 MiB a day (instead of the
  // 243 GB the post rate alone allowed), and the room's retention budget caps the file.
  dailyPostsPerMember: 5_000,
  dailyBytesPerMember: 20 * 1024 * 1024,
};

/** The limits to use: `given` over the defaults, checked so a typo fails loudly now. */
export function resolveLimits(given: Partial<HostLimits> = {}): HostLimits {
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  const maxMembers = given.maxMembers ?? HOST_LIMIT_DEFAULTS.maxMembers;
  const tls = given.tlsHandshakeTimeoutMs ?? HOST_LIMIT_DEFAULTS.tlsHandshakeTimeoutMs;
  const hello = given.handshakeTimeoutMs ?? HOST_LIMIT_DEFAULTS.handshakeTimeoutMs;
  const member = { ...HOST_LIMIT_DEFAULTS, ...defined };
  const limits: HostLimits = {
    ...HOST_LIMIT_DEFAULTS,
    maxConnections: 2 * maxMembers,
    joinTimeoutMs: tls + hello + 2_000,
    // Two members' worth per address: a machine is one person, now and then two apps (a
    // reconnect overlap, a second window); one minting identities to refill its budget gets
    // no more than that.
    addressPostBurst: 2 * member.postBurst,
    addressPostsPerSecond: 2 * member.postsPerSecond,
    addressFetchBurst: 2 * member.fetchBurst,
    addressFetchesPerSecond: 2 * member.fetchesPerSecond,
    ...defined,
  };
  for (const [name, value] of Object.entries(limits)) {
    // 0 is a real presence interval: every change in a frame of its own (tests use it).
    if (name === 'presenceIntervalMs' && value === 0) continue;
    if (typeof value !== 'number' || !(value > 0)) {
      throw new RangeError(`RoomHost limit ${name} must be a positive number, not ${String(value)}.`);
    }
  }
  return limits;
}

/** The HostLimits a member can plan around, told to it in the welcome's `limits`. */
const TOLD: readonly (keyof HostLimits & keyof RoomLimits)[] = [
  'postBurst',
  'postsPerSecond',
  'addressPostBurst',
  'addressPostsPerSecond',
  'fetchBurst',
  'fetchesPerSecond',
  'addressFetchBurst',
  'addressFetchesPerSecond',
  'maxWaitingFetches',
  'maxReplyBytes',
  'maxMembers',
  'maxSeatsPerAddress',
  'maxSeatsPerPrefix',
  'floodStrikes',
  'floodWindowMs',
  'maxBufferedBytes',
  'dailyPostsPerMember',
  'dailyBytesPerMember',
];

/**
 * The welcome's `limits`: the protocol's fixed sizes and the bounds this host enforces, as it
 * enforces them. A bound that is not finite (an unlimited rate: JSON has no Infinity) is left
 * out, which the protocol reads as "no such bound".
 */
export function roomLimits(limits: HostLimits): RoomLimits {
  const told: RoomLimits = {
    maxTextChars: LIMITS.maxTextChars,
    maxNickChars: LIMITS.maxNickChars,
    maxIdChars: LIMITS.maxIdChars,
    maxPayloadBytes: LIMITS.maxPayloadBytes,
    pageMax: LIMITS.pageMax,
  };
  for (const name of TOLD) if (Number.isFinite(limits[name])) told[name] = limits[name];
  return told;
}

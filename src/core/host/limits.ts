/**
 * How much one connection may ask of a room host, and the defaults, in one place. A LAN is not
 * a friendly place by default: anyone on it can open sockets to the room, so every resource a
 * connection can make the host spend (frames answered, sockets held, memory queued for it) has
 * a bound, and crossing it is answered (RATE_LIMITED, ROOM_FULL) or ends that one connection
 * (1008, 4003, 4004, 4005) while everyone else keeps chatting.
 */

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
   * Rejected frames (any error answer the member caused: bad JSON, bad frames, RATE_LIMITED...)
   * a connection may pile up within `floodWindowMs`; one more closes it with 1008.
   */
  floodStrikes: number;
  floodWindowMs: number;
  /** How long a new connection may take to send a valid hello before it is closed with 4003. */
  handshakeTimeoutMs: number;
  /** Most members in the room; the next hello is answered ROOM_FULL and closed with 4004. */
  maxMembers: number;
  /**
   * Most WebSocket connections, joined or not. Past it, upgrades are refused with HTTP 503
   * (and raw TCP connections are capped a little above it, see RAW_SOCKET_MARGIN).
   * Default: twice maxMembers, so idle sockets cannot exhaust the host but every member can
   * have a reconnect in flight.
   */
  maxConnections: number;
  /**
   * Connections from one address that have not joined yet (no welcome). Past it, upgrades from
   * that address are refused with HTTP 503, so one machine cannot fill maxConnections with idle
   * sockets and keep everyone else out; its joined members do not count.
   */
  maxUnjoinedPerAddress: number;
  /**
   * Bytes the host may hold queued for one member that is not reading. Past it, the member is
   * closed with 4005 (and cut off if it does not finish closing), instead of growing the host.
   */
  maxBufferedBytes: number;
  /**
   * Posts one member (by member id, so reconnecting does not help) may store per 24 hours, a
   * leaky bucket (see DailyQuota). A post beyond it is answered QUOTA_EXCEEDED.
   */
  dailyPostsPerMember: number;
  /** UTF-8 bytes of message text one member may store per 24 hours, likewise. */
  dailyBytesPerMember: number;
}

/** The defaults. maxConnections, when not given, follows maxMembers (see HostLimits). */
export const HOST_LIMIT_DEFAULTS: Readonly<Omit<HostLimits, 'maxConnections'>> = {
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
  maxMembers: 500,
  // A machine opens one connection per app, and a reconnect overlaps its old socket for a
  // moment; 16 leaves room for a few apps and retries, and is far below maxConnections.
  maxUnjoinedPerAddress: 16,
  // The largest honest burst (a welcome or page of 200 messages of 8,000 characters, ~3.2 MB
  // at worst) goes out in one write, which this check does not cut; it is checked before each
  // further frame, so a member that reads keeps up, and one that never reads is cut at ~1 MiB
  // plus at most one frame.
  maxBufferedBytes: 1024 * 1024,
  // About 10 messages a minute for 8 hours: far more than a person types, while one key at the
  // documented 5 posts/s would store 432,000 a day. 20 MiB is 2,600 maximum-length messages
  // of plain text a day; 20 members at their quota add at most 400 MiB a day (instead of the
  // 243 GB the post rate alone allowed), and the room's retention budget caps the file.
  dailyPostsPerMember: 5_000,
  dailyBytesPerMember: 20 * 1024 * 1024,
};

/**
 * Raw TCP connections the HTTP server accepts beyond maxConnections: room for the lobby's info
 * probes and upgrades in flight. Past it, Node drops new sockets without a word.
 */
export const RAW_SOCKET_MARGIN = 64;

/** The limits to use: `given` over the defaults, checked so a typo fails loudly now. */
export function resolveLimits(given: Partial<HostLimits> = {}): HostLimits {
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  const maxMembers = given.maxMembers ?? HOST_LIMIT_DEFAULTS.maxMembers;
  const limits: HostLimits = {
    ...HOST_LIMIT_DEFAULTS,
    maxConnections: 2 * maxMembers,
    ...defined,
  };
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !(value > 0)) {
      throw new RangeError(`RoomHost limit ${name} must be a positive number, not ${String(value)}.`);
    }
  }
  return limits;
}

/**
 * Protocol constants, kept apart from the zod schemas so the window can import them without
 * bundling zod. protocol.ts re-exports everything here.
 */

/** Bumped on any incompatible change. Carried by every hello, welcome and advertisement. */
export const PROTOCOL_VERSION = 4;

/** DNS-SD service type rooms are advertised under (`_parley._tcp.local`). */
export const SERVICE_TYPE = 'parley';

/** HTTP path on a room's port that answers with its RoomInfo (liveness probe, join by address). */
export const INFO_PATH = '/parley/info';

/**
 * The protocol's fixed sizes. Every `…Chars` limit counts Unicode code points (see
 * codePointLength), never UTF-16 code units or bytes, of the string as sent: nothing is
 * normalised first (an "é" written as "e" + U+0301 is two), and only nicknames and room names
 * are trimmed before they are counted.
 */
export const LIMITS = {
  /** Longest message text, in code points (the text as sent, untrimmed). */
  maxTextChars: 8000,
  /** Largest WebSocket frame the host accepts, in bytes of its payload; bigger ones are closed with 1009. */
  maxPayloadBytes: 64 * 1024,
  /** Longest nickname, in code points, after trimming. */
  maxNickChars: 32,
  /** Longest room name, in code points, after trimming. */
  maxRoomNameChars: 64,
  /** Longest id (member and room ids, `cid`, `ref`, `to`), in code points. */
  maxIdChars: 64,
  /** Messages a first-time joiner receives in its welcome. */
  backlog: 50,
  /** Most messages in one welcome catch-up or one page. */
  pageMax: 200,
  /**
   * Most members in one `roster` frame (and changes in one `presence` frame). Parley's host
   * sends smaller ones still, about a kilobyte each (FRAME_BYTES in core/host/presence.ts).
   */
  rosterPage: 100,
  /** Status frames a member may send at once, and then one per `statusEveryMs` milliseconds. */
  statusBurst: 5,
  statusEveryMs: 2_000,
} as const;

/**
 * How many Unicode code points `text` holds, as the protocol's `…Chars` limits count them: a
 * surrogate pair is one, and so is a lone surrogate; nothing is normalised. (What
 * `[...text].length` gives, without building the array.)
 */
export function codePointLength(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdbff) continue;
    const next = text.charCodeAt(i + 1);
    if (next >= 0xdc00 && next <= 0xdfff) {
      count--;
      i++;
    }
  }
  return count;
}

/** Machine-readable error codes carried by `error` frames. */
export const ErrorCode = {
  BadJson: 'BAD_JSON',
  BadFrame: 'BAD_FRAME',
  BinaryFrame: 'BINARY_FRAME',
  UnknownType: 'UNKNOWN_TYPE',
  TextTooLong: 'TEXT_TOO_LONG',
  VersionMismatch: 'VERSION_MISMATCH',
  NotJoined: 'NOT_JOINED',
  AlreadyJoined: 'ALREADY_JOINED',
  /**
   * The post's `to` names no member connected now (one who left included): resending it cannot
   * succeed until that member is in the room again.
   */
  NoSuchMember: 'NO_SUCH_MEMBER',
  /** The host could not store the message; it was not accepted. Resend later. */
  StorageFailed: 'STORAGE_FAILED',
  /** Too many posts too fast; this one was not accepted. Slow down and resend. */
  RateLimited: 'RATE_LIMITED',
  /** The room has as many members as its host allows. */
  RoomFull: 'ROOM_FULL',
  /** The room has a passcode and the hello carried no proof of it. */
  PasscodeRequired: 'PASSCODE_REQUIRED',
  /** The hello's proof does not match the room's passcode. */
  BadPasscode: 'BAD_PASSCODE',
  /** Too many wrong passcodes from this address, its network or the whole room lately; wait and try again. */
  TooManyAttempts: 'TOO_MANY_ATTEMPTS',
  /**
   * The hello's signature does not verify for its key, this connection's challenge and this
   * host's certificate: the member signed for another certificate (a relay in between).
   */
  BadSignature: 'BAD_SIGNATURE',
  /**
   * As many members as the host allows already sit in the room from this address (or its
   * network prefix). Not worth retrying from there until one of them leaves.
   */
  TooManyFromAddress: 'TOO_MANY_FROM_ADDRESS',
  /**
   * The host's disk refuses writes and the memory it sets aside for unsaved messages is full:
   * this post was not accepted. Keep it and send it again later, in order, backing off.
   */
  StorageFull: 'STORAGE_FULL',
  /**
   * The sender used up its daily allowance of posts or bytes in this room; this post was not
   * accepted. Do not resend it automatically (`retryAfterMs` says when it would fit).
   */
  QuotaExceeded: 'QUOTA_EXCEEDED',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** WebSocket close codes the host uses (4000-4999 are the application's range). */
export const CloseCode = {
  Normal: 1000,
  /** The host is shutting the room down. */
  GoingAway: 1001,
  /** 1008: the peer broke the protocol in a way that ends the session. */
  PolicyViolation: 1008,
  /** 1009: a frame was larger than LIMITS.maxPayloadBytes. */
  MessageTooBig: 1009,
  /** The hello named a protocol version this host does not speak. */
  VersionMismatch: 4001,
  /** The same member resumed its session on a newer connection. */
  Replaced: 4002,
  /** No hello arrived in time after the connection opened. */
  HandshakeTimeout: 4003,
  /** The room is full (see the preceding ROOM_FULL error frame). */
  RoomFull: 4004,
  /** The member could not keep up: too much undelivered data waited for it. */
  TooSlow: 4005,
  /** No, or a wrong, passcode proof (see the preceding error frame). */
  Unauthorized: 4006,
  /** The hello's identity signature did not verify (see the preceding BAD_SIGNATURE error frame). */
  IdentityRefused: 4007,
  /** Too many members from the same address or prefix (see the preceding TOO_MANY_FROM_ADDRESS). */
  TooManyFromAddress: 4008,
} as const;

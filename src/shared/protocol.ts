/**
 * The Parley wire protocol: every frame a member and a room host exchange over the WebSocket,
 * as zod schemas with the types inferred from them. docs/PROTOCOL.md is the prose version of
 * this file; keep the two in step.
 *
 * Runtime-agnostic: no node:, electron or DOM imports.
 */
import { z } from 'zod';

export {
  CloseCode,
  codePointLength,
  ErrorCode,
  INFO_PATH,
  LIMITS,
  PROTOCOL_VERSION,
  SERVICE_TYPE,
} from './constants';
import { LIMITS } from './constants';
import { describeNameFault, nameFault } from './names';

/*
 * Every `…Chars` limit counts Unicode code points (constants.ts says so; codePointLength is the
 * same count for code without zod). zod 4's `.max()` on a string counts code points, and the
 * protocol tests pin it ("counts post text in code points as sent"), so a zod that counted
 * otherwise would fail them. A refinement of our own would do the same count at a cost: the
 * full-disk siege measured +180 MB of host RSS under its post flood with one, +40 MB without.
 */

/** The error a too-long string gets, in the unit the limit counts. */
const atMost = (max: number) => `must be at most ${max} code points`;

/**
 * A name people read (nickname, room name): trimmed, 1 to `max` code points, and nothing
 * invisible, formatting, control or unassigned in it (names.ts has the rule and its reasons).
 * The window checks the same rule without zod (renderer/src/lib/validation.ts), to keep zod out
 * of its bundle: both call names.ts, so they cannot drift apart. 'reading' relaxes only the
 * unassigned check, for names a host reports (see nameFault).
 */
const singleLine = (max: number, use: 'choosing' | 'reading' = 'choosing') =>
  z
    .string()
    .trim()
    .min(1)
    .max(max, atMost(max))
    .superRefine((s, ctx) => {
      const fault = nameFault(s, { for: use });
      if (fault) ctx.addIssue({ code: 'custom', message: describeNameFault(fault) });
    });

export const IdSchema = z.string().min(1).max(LIMITS.maxIdChars, atMost(LIMITS.maxIdChars));
export const NickSchema = singleLine(LIMITS.maxNickChars);
export const RoomNameSchema = singleLine(LIMITS.maxRoomNameChars);
/**
 * The same names as a host reports them (members, RoomInfo): unassigned code points pass, since
 * the host's Unicode may be newer than ours and one such name must not make a welcome unreadable.
 * Everything else a host could only send by breaking NickSchema is still refused.
 */
export const ReportedNickSchema = singleLine(LIMITS.maxNickChars, 'reading');
export const ReportedRoomNameSchema = singleLine(LIMITS.maxRoomNameChars, 'reading');
/** A post's text, counted as sent (untrimmed, unnormalised); not only white space. */
export const TextSchema = z
  .string()
  .max(LIMITS.maxTextChars, atMost(LIMITS.maxTextChars))
  .refine((s) => s.trim().length > 0, { message: 'must not be empty' });

/** A person in a room. `id` is assigned by the host and stable for the connection's session. */
export const MemberSchema = z.object({ id: IdSchema, nick: ReportedNickSchema });
export type Member = z.infer<typeof MemberSchema>;
/** What a member says of itself besides being there: absent (or 'active') means available. */
export const StatusSchema = z.enum(['active', 'away', 'busy']);
export type Status = z.infer<typeof StatusSchema>;
/** A member as rosters and presence frames list it: with its status when it is away or busy. */
export const PresentMemberSchema = MemberSchema.extend({ status: z.enum(['away', 'busy']).optional() });
export type PresentMember = z.infer<typeof PresentMemberSchema>;

/** What a room says about itself (welcome, info endpoint, and mirrored by the TXT record). */
export const RoomInfoSchema = z.object({
  v: z.number().int(),
  id: IdSchema,
  name: ReportedRoomNameSchema,
  host: ReportedNickSchema,
  members: z.number().int().min(0),
  /** Present and true when joining takes the room's passcode (see the challenge frame). */
  passcode: z.boolean().optional(),
});
export type RoomInfo = z.infer<typeof RoomInfoSchema>;

/** A room sequence number: the host numbers a room's messages 1, 2, 3... in the order it stored them. */
export const SeqSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/**
 * A chat message as the host stamped it. `seq` orders the room's history (private messages
 * share the sequence, so a member sees gaps where others whispered). `to` is present only on
 * private messages, which the host delivers to exactly `from` and `to`. `cid` echoes the
 * sender's client id, and only to the sender, so it can match the message to what it typed.
 */
export const ChatMessageSchema = z.object({
  id: IdSchema,
  seq: SeqSchema,
  /** Milliseconds since the Unix epoch, within what a Date can hold (a bad one must not crash a window). */
  ts: z.number().int().min(0).max(8.64e15),
  from: MemberSchema,
  to: MemberSchema.optional(),
  text: z.string().max(LIMITS.maxTextChars, atMost(LIMITS.maxTextChars)),
  cid: IdSchema.optional(),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

// ---- member -> host ----------------------------------------------------------------------

/** Base64url (no padding) of exactly `bytes` bytes. */
function Base64UrlSchema(bytes: number) {
  return z
    .string()
    .length(Math.ceil((bytes * 4) / 3))
    .regex(/^[A-Za-z0-9_-]+$/);
}

export const HelloFrame = z.object({
  type: z.literal('hello'),
  v: z.number().int(),
  nick: NickSchema,
  /**
   * The member's Ed25519 public key for this room (32 raw bytes): it names the member. The
   * same key is the same member id across reconnects and host restarts, which is what private
   * history is filed under.
   */
  pub: Base64UrlSchema(32),
  /**
   * Ed25519 signature (64 bytes) by `pub` of "parley-hello-v3\0" + the challenge's nonce + the
   * SHA-256 fingerprint of the host certificate the member sees: proof of the key, bound to the
   * TLS channel, so it is worthless to a relay behind another certificate.
   */
  sig: Base64UrlSchema(64),
  /** The highest `seq` the member already has of this room: the welcome then carries the gap. */
  since: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  /**
   * Answer to the challenge's passcode `salt`, when it carried one: base64url(HMAC-SHA256(key,
   * "parley-passcode-v3\0" + nonce + fingerprint)) with key = scrypt(passcode, salt). The passcode
   * itself never crosses the wire.
   */
  proof: Base64UrlSchema(32).optional(),
});
export const PostFrame = z.object({
  type: z.literal('post'),
  text: TextSchema,
  /** Private message recipient's member id; absent for the whole room. */
  to: IdSchema.optional(),
  /** Client-generated id (a random UUID): a resend with the same cid is stored only once. */
  cid: IdSchema,
});
/** Asks for history: `before` pages back from a seq, `after` catches up from one. */
export const FetchFrame = z
  .object({
    type: z.literal('fetch'),
    before: SeqSchema.optional(),
    after: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    limit: z.number().int().min(1).max(LIMITS.pageMax).optional(),
    /** Echoed in the page so the member can match answers to questions. */
    ref: IdSchema.optional(),
  })
  .refine((f) => (f.before === undefined) !== (f.after === undefined), {
    message: 'give exactly one of before or after',
  });
/**
 * Says the member is away (idle) or busy (do not disturb), or active again. The host lists it in
 * the presence frames and rosters; at most LIMITS.statusBurst at once, then one per
 * LIMITS.statusEveryMs (RATE_LIMITED beyond).
 */
export const StatusFrame = z.object({ type: z.literal('status'), status: StatusSchema });
export const ClientFrameSchema = z.discriminatedUnion('type', [
  HelloFrame,
  PostFrame,
  FetchFrame,
  StatusFrame,
]);
export type ClientFrame = z.infer<typeof ClientFrameSchema>;
export type HelloFrame = z.infer<typeof HelloFrame>;
export type PostFrame = z.infer<typeof PostFrame>;
export type FetchFrame = z.infer<typeof FetchFrame>;
export type StatusFrame = z.infer<typeof StatusFrame>;

// ---- host -> member ----------------------------------------------------------------------

/**
 * Sent first, before anything else, on every connection: the hello must be signed over this
 * nonce. `salt` is present only when the room has a passcode: the room's own, the same for
 * every connection, and the hello must then carry the passcode proof.
 */
export const ChallengeFrame = z.object({
  type: z.literal('challenge'),
  nonce: Base64UrlSchema(32),
  salt: Base64UrlSchema(16).optional(),
});
/** A bound the host enforces: a positive number, absent when the host sets none. */
const Bound = z.number().positive().optional();

/**
 * What the host enforces that a member can plan around (docs/PROTOCOL.md, "Limits and abuse"),
 * each field named as the host's option (HostLimits, LIMITS). Sent in every welcome from this
 * version of Parley's host on; older hosts of protocol 4 leave it out, and older members ignore
 * it. A field is absent when the host sets no such bound (an unlimited rate, say), and one this
 * schema does not know is dropped, so a host may add bounds without breaking anyone.
 */
export const RoomLimitsSchema = z.object({
  /** Longest post text, in code points (TEXT_TOO_LONG beyond). */
  maxTextChars: Bound,
  /** Longest nickname, in code points after trimming. */
  maxNickChars: Bound,
  /** Longest id (`cid`, `ref`, `to`), in code points. */
  maxIdChars: Bound,
  /** Largest WebSocket frame the host accepts, in bytes (closed with 1009 beyond). */
  maxPayloadBytes: Bound,
  /** Most messages one fetch may ask for (`limit`) and one page holds. */
  pageMax: Bound,
  /** Posts a member may send at once, then `postsPerSecond` (RATE_LIMITED beyond). */
  postBurst: Bound,
  postsPerSecond: Bound,
  /** The same for everything from the member's IP address, whoever it says it is. */
  addressPostBurst: Bound,
  addressPostsPerSecond: Bound,
  /** Fetches a member may send at once, then `fetchesPerSecond` (RATE_LIMITED beyond). */
  fetchBurst: Bound,
  fetchesPerSecond: Bound,
  addressFetchBurst: Bound,
  addressFetchesPerSecond: Bound,
  /** Fetches that may wait for earlier answers to drain; one more is RATE_LIMITED. */
  maxWaitingFetches: Bound,
  /** Most bytes of messages (encoded JSON) in one welcome or page; a longer answer says `more`. */
  maxReplyBytes: Bound,
  /** Most members in the room (ROOM_FULL beyond). */
  maxMembers: Bound,
  /** Most members seated from one IP address, and from one IPv4 /24 or IPv6 /64 (TOO_MANY_FROM_ADDRESS beyond). */
  maxSeatsPerAddress: Bound,
  maxSeatsPerPrefix: Bound,
  /** Rejected frames a connection may send within `floodWindowMs` ms; one more closes it with 1008. */
  floodStrikes: Bound,
  floodWindowMs: Bound,
  /** Bytes the host may hold queued for a member that does not read; beyond, it closes it with 4005. */
  maxBufferedBytes: Bound,
  /** Posts, and UTF-8 bytes of post text, one member may store per 24 hours (QUOTA_EXCEEDED beyond). */
  dailyPostsPerMember: Bound,
  dailyBytesPerMember: Bound,
});
export type RoomLimits = z.infer<typeof RoomLimitsSchema>;

export const WelcomeFrame = z.object({
  type: z.literal('welcome'),
  v: z.number().int(),
  you: MemberSchema,
  room: RoomInfoSchema,
  /**
   * Without `hello.since`: the latest messages this member may see. With it: the ones after
   * `since`, oldest first, at most LIMITS.pageMax; `more` says whether to fetch the rest.
   */
  history: z.array(ChatMessageSchema),
  more: z.boolean(),
  /** How often the host pings; a member may treat 2.5x this without traffic as a dead link. */
  heartbeatMs: z.number().int().positive(),
  /**
   * Present once the host's retention policy removed messages: every message with a lower seq
   * is gone from the host, so a member paging back past it stops there ("earlier messages were
   * removed by the host") rather than asking for them.
   */
  removedBefore: SeqSchema.optional(),
  /**
   * The highest seq this member can account for: the seq of the newest message it may see, or
   * `removedBefore - 1` if that is higher; 0 for none. A `since` above it means the member's
   * saved copy is of another history (the host's was lost, or this is another room under the
   * same id): the member must not merge it with this one. Absent from older hosts, and when the
   * host could not read its history for this welcome.
   */
  newest: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  /** What the host enforces (see RoomLimitsSchema); absent from older hosts. */
  limits: RoomLimitsSchema.optional(),
});
export const MessageFrame = z.object({ type: z.literal('message'), message: ChatMessageSchema });
/** The host stored the post with this cid (again, for a resend) as message `id` / `seq`. */
export const AckFrame = z.object({
  type: z.literal('ack'),
  cid: IdSchema,
  id: IdSchema,
  seq: SeqSchema,
});
/** Answer to a fetch: messages oldest first; `more` when further ones lie in that direction. */
export const PageFrame = z.object({
  type: z.literal('page'),
  ref: IdSchema.optional(),
  messages: z.array(ChatMessageSchema),
  more: z.boolean(),
  /** As in the welcome: every message below this seq was removed by the host. */
  removedBefore: SeqSchema.optional(),
});
/**
 * Who is in the room, sent in pages right after the welcome (join order, at most
 * LIMITS.rosterPage each), the last with `done`. A snapshot as of the host's last presence
 * frame: what changed since comes in the presence frames that follow the last page.
 */
export const RosterFrame = z.object({
  type: z.literal('roster'),
  members: z.array(PresentMemberSchema).max(LIMITS.rosterPage),
  done: z.boolean(),
});
/**
 * Who joined and who left since the previous presence frame, coalesced: a member appears at
 * most once, in its latest state. `count` is the number of members present now.
 */
export const PresenceFrame = z.object({
  type: z.literal('presence'),
  /** Members who joined, or whose nickname or status changed (one already present: an update). */
  joined: z.array(PresentMemberSchema),
  left: z.array(
    z.object({
      member: MemberSchema,
      /** `quit`: closed its connection; `dropped`: stopped answering or vanished. */
      reason: z.enum(['quit', 'dropped']),
    }),
  ),
  count: z.number().int().min(0),
});
export const ErrorFrame = z.object({
  type: z.literal('error'),
  code: z.string().min(1).max(64),
  message: z.string().max(1000),
  /**
   * The client id of the post this error answers (any error about a post), or the `cid` field
   * of a frame the host could not decode when it is a valid id.
   */
  cid: IdSchema.optional(),
  /**
   * The `ref` of the fetch this error answers, when it had one (any error about a fetch), or
   * the `ref` field of a frame the host could not decode when it is a valid id.
   */
  ref: IdSchema.optional(),
  /** With QUOTA_EXCEEDED (and any code that means "not now"): milliseconds until it would be accepted. */
  retryAfterMs: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
});
export const HostFrameSchema = z.discriminatedUnion('type', [
  ChallengeFrame,
  WelcomeFrame,
  MessageFrame,
  AckFrame,
  PageFrame,
  RosterFrame,
  PresenceFrame,
  ErrorFrame,
]);
export type HostFrame = z.infer<typeof HostFrameSchema>;
export type WelcomeFrame = z.infer<typeof WelcomeFrame>;
export type ErrorFrame = z.infer<typeof ErrorFrame>;
export type ChallengeFrame = z.infer<typeof ChallengeFrame>;
export type PageFrame = z.infer<typeof PageFrame>;
export type AckFrame = z.infer<typeof AckFrame>;
export type RosterFrame = z.infer<typeof RosterFrame>;
export type PresenceFrame = z.infer<typeof PresenceFrame>;

/**
 * The largest member count a TXT record may announce. A room is far smaller (the host caps its
 * seats); a record beyond this is not a Parley room's and is ignored, not shown.
 */
export const MAX_TXT_MEMBERS = 100_000;

/**
 * DNS-SD TXT keys; values are strings on the wire. Every Parley room since protocol version 2
 * serves TLS and announces its certificate's fingerprint, and the lobby only lists a room that
 * answered a probe pinned to it: a record without `fp` is not a room anyone can join (version 1
 * rooms, which had none, were never released), so it is refused here.
 */
export const TxtSchema = z.object({
  v: z.coerce.number().int().min(2),
  id: IdSchema,
  name: ReportedRoomNameSchema,
  host: ReportedNickSchema,
  n: z.coerce.number().int().min(0).max(MAX_TXT_MEMBERS),
  /** SHA-256 fingerprint of the host's TLS certificate (64 lowercase hex). */
  fp: z.string().regex(/^[0-9a-f]{64}$/),
  /** "1" when joining takes a passcode. */
  pc: z.literal('1').optional(),
});
export type Txt = z.infer<typeof TxtSchema>;

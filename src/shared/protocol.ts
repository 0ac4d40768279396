/**
 * The Parley wire protocol: every frame a member and a room host exchange over the WebSocket,
 * as zod schemas with the types inferred from them. docs/PROTOCOL.md is the prose version of
 * this file; keep the two in step.
 *
 * Runtime-agnostic: no node:, electron or DOM imports.
 */
import { z } from 'zod';

export { CloseCode, ErrorCode, INFO_PATH, LIMITS, PROTOCOL_VERSION, SERVICE_TYPE } from './constants';
import { CONTROL_CHARS, LIMITS } from './constants';

const singleLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !CONTROL_CHARS.test(s), { message: 'must not contain control characters' });

export const IdSchema = z.string().min(1).max(LIMITS.maxIdChars);
export const NickSchema = singleLine(LIMITS.maxNickChars);
export const RoomNameSchema = singleLine(LIMITS.maxRoomNameChars);
export const TextSchema = z
  .string()
  .max(LIMITS.maxTextChars)
  .refine((s) => s.trim().length > 0, { message: 'must not be empty' });

/** A person in a room. `id` is assigned by the host and stable for the connection's session. */
export const MemberSchema = z.object({ id: IdSchema, nick: NickSchema });
export type Member = z.infer<typeof MemberSchema>;

/** What a room says about itself (welcome, info endpoint, and mirrored by the TXT record). */
export const RoomInfoSchema = z.object({
  v: z.number().int(),
  id: IdSchema,
  name: RoomNameSchema,
  host: NickSchema,
  members: z.number().int().min(0),
});
export type RoomInfo = z.infer<typeof RoomInfoSchema>;

/**
 * A chat message as the host stamped it. `to` is present only on private messages, which the
 * host delivers to exactly `from` and `to`. `cid` echoes the sender's client id, and only to the
 * sender, so its window can match the message to what it typed.
 */
export const ChatMessageSchema = z.object({
  id: IdSchema,
  /** Milliseconds since the Unix epoch, within what a Date can hold (a bad one must not crash a window). */
  ts: z.number().int().min(0).max(8.64e15),
  from: MemberSchema,
  to: MemberSchema.optional(),
  text: z.string().max(LIMITS.maxTextChars),
  cid: IdSchema.optional(),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

// ---- member -> host ----------------------------------------------------------------------

export const HelloFrame = z.object({
  type: z.literal('hello'),
  v: z.number().int(),
  nick: NickSchema,
  /** The token from an earlier welcome: resumes that member (same id and nickname). */
  resume: z.string().min(1).max(128).optional(),
});
export const PostFrame = z.object({
  type: z.literal('post'),
  text: TextSchema,
  /** Private message recipient's member id; absent for the whole room. */
  to: IdSchema.optional(),
  cid: IdSchema.optional(),
});
export const ClientFrameSchema = z.discriminatedUnion('type', [HelloFrame, PostFrame]);
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

// ---- host -> member ----------------------------------------------------------------------

export const WelcomeFrame = z.object({
  type: z.literal('welcome'),
  v: z.number().int(),
  you: MemberSchema,
  /** Secret to put in `hello.resume` when reconnecting. Never shown to anyone else. */
  token: z.string().min(1).max(128),
  room: RoomInfoSchema,
  members: z.array(MemberSchema),
  history: z.array(ChatMessageSchema),
  /** How often the host pings; a member may treat 2.5x this without traffic as a dead link. */
  heartbeatMs: z.number().int().positive(),
});
export const MessageFrame = z.object({ type: z.literal('message'), message: ChatMessageSchema });
export const JoinedFrame = z.object({
  type: z.literal('joined'),
  member: MemberSchema,
  count: z.number().int().min(0),
});
export const LeftFrame = z.object({
  type: z.literal('left'),
  member: MemberSchema,
  count: z.number().int().min(0),
  /** `quit`: closed its connection; `dropped`: stopped answering or vanished. */
  reason: z.enum(['quit', 'dropped']),
});
export const ErrorFrame = z.object({
  type: z.literal('error'),
  code: z.string().min(1).max(64),
  message: z.string().max(1000),
  /** The client id of the post this error is about, when there is one. */
  cid: IdSchema.optional(),
});
export const HostFrameSchema = z.discriminatedUnion('type', [
  WelcomeFrame,
  MessageFrame,
  JoinedFrame,
  LeftFrame,
  ErrorFrame,
]);
export type HostFrame = z.infer<typeof HostFrameSchema>;
export type WelcomeFrame = z.infer<typeof WelcomeFrame>;
export type ErrorFrame = z.infer<typeof ErrorFrame>;

/** DNS-SD TXT keys; values are strings on the wire. */
export const TxtSchema = z.object({
  v: z.coerce.number().int(),
  id: IdSchema,
  name: RoomNameSchema,
  host: NickSchema,
  n: z.coerce.number().int().min(0),
});
export type Txt = z.infer<typeof TxtSchema>;

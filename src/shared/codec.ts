/**
 * The one place where raw WebSocket text becomes typed frames. A bad frame is never thrown:
 * it comes back as `{ ok: false, code, message }` so the receiver can answer it and go on.
 */
import type { z } from 'zod';
import {
  ClientFrameSchema,
  ErrorCode,
  HostFrameSchema,
  LIMITS,
  PROTOCOL_VERSION,
  type ClientFrame,
  type HostFrame,
} from './protocol';

export type Decoded<T> = { ok: true; frame: T } | { ok: false; code: ErrorCode; message: string };

const CLIENT_TYPES = new Set(['hello', 'post', 'fetch', 'status']);
const HOST_TYPES = new Set(['challenge', 'welcome', 'message', 'ack', 'page', 'roster', 'presence', 'error']);

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.join('.') : 'frame';
  return `${where}: ${issue.message}`;
}

function decode<T>(
  raw: string,
  knownTypes: Set<string>,
  schema: z.ZodType<T>,
  checkFirst?: (obj: Record<string, unknown>) => Decoded<T> | null,
): Decoded<T> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, code: ErrorCode.BadJson, message: 'The frame is not valid JSON.' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: ErrorCode.BadFrame, message: 'A frame must be a JSON object.' };
  }
  const obj = value as Record<string, unknown>;
  if (typeof obj.type !== 'string') {
    return { ok: false, code: ErrorCode.BadFrame, message: 'A frame needs a string "type".' };
  }
  if (!knownTypes.has(obj.type)) {
    return {
      ok: false,
      code: ErrorCode.UnknownType,
      message: `Unknown frame type "${obj.type.slice(0, 40)}".`,
    };
  }
  const early = checkFirst?.(obj);
  if (early) return early;
  const parsed = schema.safeParse(obj);
  if (parsed.success) return { ok: true, frame: parsed.data };
  const issue = parsed.error.issues[0]!;
  if (issue.path[0] === 'text' && issue.code === 'too_big') {
    return {
      ok: false,
      code: ErrorCode.TextTooLong,
      message: `Message text is limited to ${LIMITS.maxTextChars} characters.`,
    };
  }
  return {
    ok: false,
    code: ErrorCode.BadFrame,
    message: `Invalid "${obj.type}" frame: ${describeIssue(issue)}.`,
  };
}

/** A hello from another protocol version is reported as such, before its shape is judged. */
function checkVersion(obj: Record<string, unknown>): Decoded<ClientFrame> | null {
  if (obj.type === 'hello' && typeof obj.v === 'number' && obj.v !== PROTOCOL_VERSION) {
    return {
      ok: false,
      code: ErrorCode.VersionMismatch,
      message: hostSideVersionMismatch(obj.v),
    };
  }
  return null;
}

/** The host's refusal of a hello of another protocol version, said from the room's side. */
export function hostSideVersionMismatch(memberVersion: unknown): string {
  return `This room speaks Parley protocol ${PROTOCOL_VERSION}, but your app speaks protocol ${String(memberVersion).slice(0, 20)}. Update the older app.`;
}

/** This app's refusal to join a room of another protocol version, said from the member's side. */
export function memberSideVersionMismatch(roomVersion: number): string {
  const fix =
    roomVersion > PROTOCOL_VERSION
      ? 'Update Parley on this computer to join it.'
      : 'Its host needs to update Parley.';
  return `This room speaks Parley protocol ${roomVersion}, but this app speaks protocol ${PROTOCOL_VERSION}. ${fix}`;
}

/** Parses a frame a member sent to the host. */
export function decodeClientFrame(raw: string): Decoded<ClientFrame> {
  return decode(raw, CLIENT_TYPES, ClientFrameSchema, checkVersion);
}

/** Parses a frame the host sent to a member. */
export function decodeHostFrame(raw: string): Decoded<HostFrame> {
  return decode(raw, HOST_TYPES, HostFrameSchema);
}

/** Serialises a frame; callers broadcasting one frame should call this once, not per member. */
export function encodeFrame(frame: ClientFrame | HostFrame): string {
  return JSON.stringify(frame);
}

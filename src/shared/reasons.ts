/**
 * Why a room's session is not online, as a code and its parameters: the core says which, the
 * window says it in the user's language (codes cross boundaries, words live in the window).
 */
import { z } from 'zod';

export const ReasonCode = {
  // The room turned us away: trying again as we are cannot help.
  /** The room speaks another protocol version; `room` is its version when known. */
  VersionMismatch: 'VERSION_MISMATCH',
  /** The room takes a passcode and none was given. */
  PasscodeRequired: 'PASSCODE_REQUIRED',
  /** The passcode given was wrong. */
  BadPasscode: 'BAD_PASSCODE',
  /** Too many wrong passcodes: the room makes this address wait. */
  TooManyAttempts: 'TOO_MANY_ATTEMPTS',
  /** The room closed with "unauthorized" and said no more. */
  PasscodeRefused: 'PASSCODE_REFUSED',
  /** The room seats no more members from this address. */
  TooManyFromAddress: 'TOO_MANY_FROM_ADDRESS',
  /** The room could not verify our identity for its certificate (a relay may be in between). */
  IdentityRefused: 'IDENTITY_REFUSED',
  /** Another connection of this member took the seat. */
  Replaced: 'REPLACED',
  /** Every address showed a certificate other than the pinned one; `pinned`, `presented`: their codes. */
  CertChanged: 'CERT_CHANGED',
  /** Another room (`name`) answers at the address (`address`) this one had. */
  OtherRoom: 'OTHER_ROOM',

  // The room could not be reached, or went away.
  /** The room has as many members as its host allows (tried again: someone may leave). */
  RoomFull: 'ROOM_FULL',
  /** Nothing answered at `address` (refused, unreachable, reset). */
  Unreachable: 'UNREACHABLE',
  /** The room at `address` did not answer within `seconds`. */
  NoAnswer: 'NO_ANSWER',
  /** The room's TLS certificate could not be read. */
  BadCertificate: 'BAD_CERTIFICATE',
  /** The host closed the room (it stopped hosting, or quit). */
  HostClosed: 'HOST_CLOSED',
  /** The room stopped answering while we were in it. */
  Silent: 'SILENT',
  /** The connection dropped. */
  Lost: 'LOST',
  /** The room did not send the messages asked for in time (the link is dropped and tried again). */
  PageTimeout: 'PAGE_TIMEOUT',
  /** No address to try. */
  NoAddress: 'NO_ADDRESS',
  /** `attempts` attempts to reconnect failed; `cause` says why the last one did. */
  GaveUp: 'GAVE_UP',
  /** The room is no longer announced on the network. */
  GoneFromLan: 'GONE_FROM_LAN',
  /** The host is not on the network: this is the saved copy. */
  SavedCopy: 'SAVED_COPY',
  /** This app hosts the room, and is not hosting it now (host it again to bring it back). */
  NotHosting: 'NOT_HOSTING',
} as const;
export type ReasonCode = (typeof ReasonCode)[keyof typeof ReasonCode];

const ParamsSchema = z.record(z.string(), z.union([z.string(), z.number()]));

const BaseReasonSchema = z.object({
  code: z.enum(Object.values(ReasonCode) as [ReasonCode, ...ReasonCode[]]),
  params: ParamsSchema.optional(),
});

/** A reason, and for GAVE_UP the reason of the last attempt (one level deep). */
export const ReasonSchema = BaseReasonSchema.extend({ cause: BaseReasonSchema.optional() });
export type Reason = z.infer<typeof ReasonSchema>;

/** A reason with its parameters, leaving out empty ones. */
export function reason(code: ReasonCode, params?: Record<string, string | number>): Reason {
  return params === undefined ? { code } : { code, params };
}

/** Whether two reasons say the same thing (state changes are only emitted when something differs). */
export function sameReason(a: Reason | null, b: Reason | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

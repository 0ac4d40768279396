/**
 * Invite links: `parley://join?room=…&name=…&host=…&at=…&at=…&fp=…&pc=1`. A link is untrusted
 * input (it arrives from a chat, a web page, a QR code or another program's command line), so
 * it is parsed here, once, by schema, every field bounded; a malformed one is refused with
 * BAD_INVITE naming the field, and nothing else happens. See docs/PROTOCOL.md, "Invite links".
 */
import { z } from 'zod';
import {
  BridgeError,
  BridgeErrorCode,
  MAX_LINK_CHARS,
  type Endpoint,
  type InviteFault,
} from '../../shared/api';
import { formatEndpoint } from '../../shared/endpoint';
import { IdSchema, ReportedNickSchema, ReportedRoomNameSchema } from '../../shared/protocol';
import { parseAddress } from '../discovery';

export const INVITE_SCHEME = 'parley:';
/** The most addresses a link may carry. */
export const MAX_INVITE_ADDRESSES = 8;

export interface Invite {
  roomId: string;
  name: string;
  host: string;
  /** Where the room answered when the link was made, best first. */
  endpoints: Endpoint[];
  /** SHA-256 fingerprint of the room's certificate: joining is pinned to it from the first byte. */
  fingerprint: string;
  /** Whether joining takes a passcode (the passcode itself is never in a link). */
  passcode: boolean;
}

const single = (schema: z.ZodType<string>) =>
  z
    .array(schema)
    .length(1)
    .transform((values) => values[0]!);

const FieldsSchema = {
  room: single(IdSchema),
  name: single(ReportedRoomNameSchema),
  host: single(ReportedNickSchema),
  at: z.array(z.string().max(300)).min(1).max(MAX_INVITE_ADDRESSES),
  fp: single(z.string().regex(/^[0-9a-f]{64}$/)),
  pc: z.array(z.literal('1')).max(1),
};
const FAULT_OF: Record<keyof typeof FieldsSchema, InviteFault> = {
  room: 'room',
  name: 'name',
  host: 'host',
  at: 'addresses',
  fp: 'fingerprint',
  pc: 'passcode',
};

export function badInvite(fault: InviteFault): BridgeError {
  return new BridgeError(BridgeErrorCode.BadInvite, `That is not a valid Parley invite link (${fault}).`, {
    fault,
  });
}

/** Whether `text` is meant as an invite link (whatever else is wrong with it). */
export function looksLikeInvite(text: string): boolean {
  return text.trim().toLowerCase().startsWith(INVITE_SCHEME);
}

/** Reads an invite link, or throws BAD_INVITE naming what is wrong. Unknown parameters are ignored. */
export function parseInvite(text: string): Invite {
  const input = text.trim();
  if (input.length > MAX_LINK_CHARS) throw badInvite('link');
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw badInvite('link');
  }
  // `parley://join?…`: nothing but the query says anything (no user, port, path or fragment).
  const plain = url.username === '' && url.password === '' && url.port === '' && url.pathname === '';
  if (url.protocol !== INVITE_SCHEME || url.hostname !== 'join' || !plain || url.hash !== '') {
    throw badInvite('link');
  }
  const values = (key: string) => url.searchParams.getAll(key);
  const fields = {} as { [K in keyof typeof FieldsSchema]: z.output<(typeof FieldsSchema)[K]> };
  for (const key of Object.keys(FieldsSchema) as (keyof typeof FieldsSchema)[]) {
    const parsed = FieldsSchema[key].safeParse(values(key));
    if (!parsed.success) throw badInvite(FAULT_OF[key]);
    (fields as Record<string, unknown>)[key] = parsed.data;
  }
  const endpoints: Endpoint[] = [];
  for (const address of fields.at) {
    const endpoint = parseAddress(address);
    if (!endpoint) throw badInvite('addresses');
    if (!endpoints.some((e) => e.host === endpoint.host && e.port === endpoint.port))
      endpoints.push(endpoint);
  }
  return {
    roomId: fields.room,
    name: fields.name,
    host: fields.host,
    endpoints,
    fingerprint: fields.fp,
    passcode: fields.pc.length === 1,
  };
}

/** Writes the link for an invite (the inverse of parseInvite). */
export function formatInvite(invite: Invite): string {
  const query = new URLSearchParams();
  query.set('room', invite.roomId);
  query.set('name', invite.name);
  query.set('host', invite.host);
  for (const endpoint of invite.endpoints.slice(0, MAX_INVITE_ADDRESSES))
    query.append('at', formatEndpoint(endpoint));
  query.set('fp', invite.fingerprint);
  if (invite.passcode) query.set('pc', '1');
  return `${INVITE_SCHEME}//join?${query.toString()}`;
}

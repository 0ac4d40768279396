/**
 * DNS-SD TXT records and service instance names for advertised rooms. parseTxt is the one place
 * where mDNS input becomes typed (DESIGN.md): everything after it handles a valid `Txt`.
 */
import { createHash } from 'node:crypto';
import { MAX_TXT_MEMBERS, PROTOCOL_VERSION, TxtSchema, type Txt } from '../../shared/protocol';

/** A DNS label is at most 63 bytes; a TXT character-string at most 255 (RFC 6763 6.1). */
const MAX_LABEL_BYTES = 63;
const MAX_TXT_ENTRY_BYTES = 255;
/** TXT `name` and `host` values are cut to this many bytes; a probe brings the full ones. */
export const TXT_VALUE_BYTES = MAX_TXT_ENTRY_BYTES - 'name='.length;

export interface AdvertisedRoom {
  id: string;
  name: string;
  host: string;
  members: number;
  /** SHA-256 fingerprint of the host's certificate (TXT `fp`). */
  fingerprint: string;
  /** Joining takes a passcode (TXT `pc=1`). */
  passcode?: boolean;
}

/** TXT key/value pairs for a room (keys: v, id, name, host, n, fp, and pc when it has a passcode), every entry within 255 bytes. */
export function encodeTxt(room: AdvertisedRoom): Record<string, string> {
  if (Buffer.byteLength(`id=${room.id}`) > MAX_TXT_ENTRY_BYTES) {
    throw new Error(`Room id is too long to advertise (${Buffer.byteLength(room.id)} bytes).`);
  }
  if (!Number.isInteger(room.members) || room.members < 0) {
    throw new Error(`Member count must be a non-negative integer, got ${room.members}.`);
  }
  // Names are cut to fit, not refused: the lobby shows the full name once a probe answers.
  return {
    v: String(PROTOCOL_VERSION),
    id: room.id,
    name: truncateUtf8(room.name, MAX_TXT_ENTRY_BYTES - 'name='.length),
    host: truncateUtf8(room.host, MAX_TXT_ENTRY_BYTES - 'host='.length),
    // Past what a lobby accepts (a room never gets there): announce the most it believes.
    n: String(Math.min(room.members, MAX_TXT_MEMBERS)),
    fp: room.fingerprint,
    ...(room.passcode && { pc: '1' }),
  };
}

/**
 * The typed TXT of a discovered service, or null when it is not a valid Parley advertisement.
 * bonjour-service hands over both the raw strings (`rawTxt`, Buffers) and its own decoding
 * (`txt`, whose values may be Buffers or strings); the raw form is preferred because bonjour's
 * decoder cuts values at a newline and keeps the last of duplicate keys, where RFC 6763 says the
 * first one counts.
 */
export function parseTxt(service: { rawTxt?: unknown; txt?: unknown }): Txt | null {
  const fields = fromRaw(service.rawTxt) ?? fromDecoded(service.txt);
  if (fields === null) return null;
  const parsed = TxtSchema.safeParse(fields);
  return parsed.success ? parsed.data : null;
}

/**
 * A unique, valid DNS-SD instance name: `Room name [1a2b3c4d]`. The tag is a hash of the room id,
 * so two rooms with the same name never claim the same name (we publish without probing), and
 * ids that share a prefix still get different tags. Dots would split the label in
 * bonjour-service's parser, so they become dashes; the result fits one 63-byte label.
 */
export function instanceName(name: string, id: string): string {
  const tag = ` [${createHash('sha256').update(id).digest('hex').slice(0, 8)}]`;
  const clean = name.replace(/[.\\]/g, '-').replace(/[\u0000-\u001f\u007f]/g, ' ');
  return truncateUtf8(clean, MAX_LABEL_BYTES - Buffer.byteLength(tag)) + tag;
}

/** Cuts `text` to at most `maxBytes` of UTF-8 without splitting a code point. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let bytes = 0;
  let out = '';
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > maxBytes) break;
    bytes += size;
    out += ch;
  }
  return out;
}

function fromRaw(raw: unknown): Record<string, string> | null {
  const items: unknown[] | null = Buffer.isBuffer(raw) ? [raw] : Array.isArray(raw) ? raw : null;
  if (items === null) return null;
  const fields = new Map<string, string>();
  for (const item of items) {
    const text = Buffer.isBuffer(item) ? item.toString('utf8') : typeof item === 'string' ? item : null;
    if (text === null) continue;
    const eq = text.indexOf('=');
    if (eq <= 0) continue;
    const key = text.slice(0, eq).toLowerCase();
    if (!fields.has(key)) fields.set(key, text.slice(eq + 1));
  }
  return Object.fromEntries(fields);
}

function fromDecoded(txt: unknown): Record<string, string> | null {
  if (typeof txt !== 'object' || txt === null) return null;
  const fields = new Map<string, string>();
  for (const [key, value] of Object.entries(txt)) {
    if (Buffer.isBuffer(value)) fields.set(key.toLowerCase(), value.toString('utf8'));
    else if (typeof value === 'string') fields.set(key.toLowerCase(), value);
  }
  return Object.fromEntries(fields);
}

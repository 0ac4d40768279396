import { EndpointSchema, type Endpoint } from '../../../shared/api';
import type { ChatMessage } from '../../../shared/protocol';
import type { PendingPost } from '../../client/outbox';

/** A room the member has joined, as the lobby lists it while the room is away. */
export interface KnownRoom {
  id: string;
  name: string;
  host: string;
  endpoints: Endpoint[];
  /** When the member last joined it (ms since the epoch). */
  lastJoined: number;
  /** The member is in it (rejoined at start) rather than having left it. */
  joined: boolean;
}

export { messageFromRow, type MessageRow } from '../messageRow';

/** Named parameters for an upsert; the cid is never stored (it is only the sender's echo). */
export function messageParams(room: string, m: ChatMessage) {
  return {
    room,
    seq: m.seq,
    id: m.id,
    ts: m.ts,
    from_id: m.from.id,
    from_nick: m.from.nick,
    to_id: m.to?.id ?? null,
    to_nick: m.to?.nick ?? null,
    text: m.text,
  };
}

/** A message as it is kept: without the cid. */
export function withoutCid(message: ChatMessage): ChatMessage {
  if (message.cid === undefined) return message;
  const { cid: _cid, ...rest } = message;
  return rest;
}

export interface PostRow {
  cid: string;
  text: string;
  recipient: string | null;
  created_at: number;
}

export function postFromRow(row: PostRow): PendingPost {
  const post: PendingPost = { cid: row.cid, text: row.text, createdAt: row.created_at };
  if (row.recipient !== null) post.to = row.recipient;
  return post;
}

export interface RoomRow {
  id: string;
  name: string;
  host: string;
  endpoints: string;
  last_joined: number;
  joined: number;
}

/** A saved room; its endpoints were written by us, but a bad one is dropped rather than trusted. */
export function roomFromRow(row: RoomRow): KnownRoom {
  let endpoints: Endpoint[] = [];
  try {
    const parsed = EndpointSchema.array().safeParse(JSON.parse(row.endpoints));
    if (parsed.success) endpoints = parsed.data;
  } catch {
    // unreadable endpoints: the room is still listed, discovery may find it again
  }
  return {
    id: row.id,
    name: row.name,
    host: row.host,
    endpoints,
    lastJoined: row.last_joined,
    joined: row.joined === 1,
  };
}

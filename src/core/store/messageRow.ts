import type { ChatMessage } from '../../shared/protocol';

/** A message as both databases (host.db and member.db) store it: one column per field. */
export interface MessageRow {
  seq: number;
  id: string;
  ts: number;
  from_id: string;
  from_nick: string;
  to_id: string | null;
  to_nick: string | null;
  text: string;
}

/** The columns of a MessageRow, for SELECT lists. */
export const MESSAGE_COLUMNS = 'seq, id, ts, from_id, from_nick, to_id, to_nick, text';

export function messageFromRow(row: MessageRow): ChatMessage {
  const message: ChatMessage = {
    id: row.id,
    seq: row.seq,
    ts: row.ts,
    from: { id: row.from_id, nick: row.from_nick },
    text: row.text,
  };
  if (row.to_id !== null) message.to = { id: row.to_id, nick: row.to_nick ?? '' };
  return message;
}

import type { NotificationRequest, NotifyLevel } from '../../shared/api';
import type { ChatMessage } from '../../shared/protocol';

export type { NotificationRequest, NotifyLevel } from '../../shared/api';

/**
 * What deserves a desktop notification (issue 11). Pure: it sees what arrived and where the
 * user is, and answers with requests made of data, never of words (the shell words them in the
 * user's language). Private messages to the user and mentions of the user always notify; other
 * room messages follow the room's level; nothing notifies for the conversation the user is
 * reading in a focused window, nor during do-not-disturb, nor for the user's own messages.
 */

/** Rooms larger than this default to 'mentions', as Slack's and Element's big rooms do. */
export const QUIET_ROOM_FROM = 11;
/** A batch with more notifications than this becomes one summary per room. */
export const SUMMARY_FROM = 4;
/** The most code points of a message a notification shows (a preview, never the whole text). */
export const PREVIEW_CODE_POINTS = 140;

/** Where the user is, as the window last said, and the do-not-disturb setting. */
export interface Attention {
  /** The room and conversation on screen in a focused window; null when no window has the focus. */
  viewing: { roomId: string; conversation: string } | null;
  /** Do not disturb until this time (ms since the epoch); null when off. */
  quietUntil: number | null;
  now: number;
}

/** The room a batch of messages arrived in, as the policy needs to know it. */
export interface RoomContext {
  roomId: string;
  roomName: string;
  /** Members present, for the default level. */
  members: number;
  level: NotifyLevel;
  /** The user's own member id in this room. */
  myId: string;
  /** Whether a message mentions the user (explicit mentions come with issue 13; until then none do). */
  mentionsMe?: (message: ChatMessage) => boolean;
}

/** The level a room has in effect: its own, or by size. */
export function levelOf(room: Pick<RoomContext, 'level' | 'members'>): Exclude<NotifyLevel, 'default'> {
  if (room.level !== 'default') return room.level;
  return room.members >= QUIET_ROOM_FROM ? 'mentions' : 'all';
}

/** Whether do-not-disturb silences everything now. */
export function isQuiet(attention: Attention): boolean {
  return attention.quietUntil !== null && attention.now < attention.quietUntil;
}

/**
 * The notifications for messages that arrived together in one room: one live message, or a
 * catch-up after a reconnect. More than SUMMARY_FROM become one summary, never a flood.
 */
export function notificationsFor(
  room: RoomContext,
  messages: readonly ChatMessage[],
  attention: Attention,
): NotificationRequest[] {
  if (isQuiet(attention)) return [];
  const level = levelOf(room);
  const wanted: Extract<NotificationRequest, { kind: 'message' }>[] = [];
  for (const message of messages) {
    if (message.from.id === room.myId) continue;
    const isPrivate = message.to?.id === room.myId;
    // A private message between others never reaches us; one from us was skipped above.
    const conversation = isPrivate ? message.from.id : '';
    const viewing = attention.viewing;
    if (viewing && viewing.roomId === room.roomId && viewing.conversation === conversation) continue;
    const mention = room.mentionsMe?.(message) ?? false;
    if (!isPrivate && !mention && level !== 'all') continue;
    wanted.push({
      kind: 'message',
      roomId: room.roomId,
      roomName: room.roomName,
      conversation,
      seq: message.seq,
      from: message.from.nick,
      private: isPrivate,
      mention,
      preview: preview(message.text),
    });
  }
  if (wanted.length <= SUMMARY_FROM) return wanted;
  const newest = wanted.reduce((a, b) => (b.seq > a.seq ? b : a));
  return [
    {
      kind: 'summary',
      roomId: room.roomId,
      roomName: room.roomName,
      count: wanted.length,
      personal: wanted.some((w) => w.private || w.mention),
      conversation: newest.conversation,
      seq: newest.seq,
    },
  ];
}

/** One line of plain text: white space collapsed, cut by code points, never in a surrogate pair. */
export function preview(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const points = Array.from(line);
  if (points.length <= PREVIEW_CODE_POINTS) return line;
  return `${points.slice(0, PREVIEW_CODE_POINTS - 1).join('')}…`;
}

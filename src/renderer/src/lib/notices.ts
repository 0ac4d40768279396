/** Timeline notices (joins and leaves, a moved room, a connection gap) and their sentences. */
import { formatTime } from './format';
import type { Translate } from './i18n/translator';
import { presenceSentence, type NoticeBody } from './presenceText';

/**
 * What a notice in the Everyone conversation says: "Bob joined", "Ann, Bob and 3 others left"
 * (one per kind per presence batch, see presenceSentence), the room moved to another address,
 * the connection was gone from `since` to `until` (null: still gone), or the saved copy was set
 * aside because the host's history is another one.
 */
export type NoticeContent =
  | NoticeBody
  | { kind: 'moved'; from: string; to: string }
  | { kind: 'gap'; since: number; until: number | null }
  /** The host's history is not the saved copy's: `messages` of it were set aside on this machine. */
  | { kind: 'copySetAside'; messages: number };

/** A notice in the timeline. */
export type RoomNotice = NoticeContent & {
  id: number;
  ts: number;
  /** The highest seq known when it happened: the notice follows that message. */
  afterSeq: number;
};

/** The sentence of a timeline notice, in the window's language. Plain text, never HTML. */
export function noticeText(t: Translate, notice: RoomNotice, locale: string): string {
  switch (notice.kind) {
    case 'joined':
    case 'left':
      return presenceSentence(t, notice.kind, notice.named, notice.total);
    case 'moved':
      return t('messages.moved', { from: notice.from, to: notice.to });
    case 'copySetAside':
      return t('messages.copySetAside', { count: notice.messages });
    case 'gap':
      return notice.until === null
        ? t('messages.gapOpen', { since: formatTime(notice.since, locale) })
        : t('messages.gap', {
            since: formatTime(notice.since, locale),
            until: formatTime(notice.until, locale),
          });
  }
}

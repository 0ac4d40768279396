import type { RoomNotice } from './ChatState.svelte';
import { formatTime } from './format';
import type { Translate } from './i18n/translator';
import { presenceSentence } from './presenceText';

/** The sentence of a timeline notice, in the window's language. Plain text, never HTML. */
export function noticeText(t: Translate, notice: RoomNotice, locale: string): string {
  switch (notice.kind) {
    case 'joined':
    case 'left':
      return presenceSentence(t, notice.kind, notice.named, notice.total);
    case 'moved':
      return t('messages.moved', { from: notice.from, to: notice.to });
    case 'gap':
      return notice.until === null
        ? t('messages.gapOpen', { since: formatTime(notice.since, locale) })
        : t('messages.gap', {
            since: formatTime(notice.since, locale),
            until: formatTime(notice.until, locale),
          });
  }
}

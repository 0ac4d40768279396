import type { HistoryPage } from './history';

/**
 * Cuts a page of history (oldest first) to at most `maxBytes` of encoded messages, so a welcome
 * or a page costs the host a bounded amount of memory per member however big the messages are
 * (200 of 8,000 characters would be ~4.8 MB). `keep` says which end matters: the newest for
 * the latest messages and for paging back (`before`), the oldest for catching up (`after`).
 * The cut side gets `more: true` where the protocol has a `more` for it (see docs/PROTOCOL.md,
 * "Limits"); at least one message is always kept, so paging always moves on.
 */
export function trimToBytes(
  page: HistoryPage,
  maxBytes: number,
  keep: 'newest' | 'oldest',
  /** Whether cutting sets `more` (a welcome without `since` has no `more` for older messages). */
  cutMeansMore = true,
): HistoryPage {
  const messages = keep === 'newest' ? [...page.messages].reverse() : page.messages;
  let bytes = 0;
  let count = 0;
  for (const message of messages) {
    bytes += Buffer.byteLength(JSON.stringify(message)) + 1;
    if (bytes > maxBytes && count > 0) break;
    count++;
  }
  if (count === messages.length) return page;
  const kept = messages.slice(0, count);
  return {
    messages: keep === 'newest' ? kept.reverse() : kept,
    more: cutMeansMore || page.more,
  };
}

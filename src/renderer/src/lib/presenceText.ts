import type { Member } from '../../../shared/protocol';
import type { MessageKey } from './i18n/en';
import type { Translate } from './i18n/translator';

/** How many nicknames a join/leave notice names before it says "and N others". */
export const NAMED_IN_NOTICE = 3;

/** What one join/leave notice says: who (the first few named) and how many in all. */
export interface NoticeBody {
  kind: 'joined' | 'left';
  /** The first NAMED_IN_NOTICE members of the batch, in its order. */
  named: Member[];
  /** How many members the batch held. */
  total: number;
}

/**
 * The notices one presence batch makes: at most one per kind, however many it names, and
 * none for ourselves (`meId`). A roster page makes none: it is not news.
 */
export function noticesFor(
  joined: readonly Member[],
  left: readonly Member[],
  meId: string | undefined,
): NoticeBody[] {
  const notices: NoticeBody[] = [];
  for (const [kind, batch] of [
    ['joined', joined],
    ['left', left],
  ] as const) {
    const others = batch.filter((m) => m.id !== meId);
    if (others.length > 0)
      notices.push({ kind, named: others.slice(0, NAMED_IN_NOTICE), total: others.length });
  }
  return notices;
}

const KEYS = {
  joined: ['messages.joined', 'messages.joinedTwo', 'messages.joinedThree', 'messages.joinedMany'],
  left: ['messages.left', 'messages.leftTwo', 'messages.leftThree', 'messages.leftMany'],
} as const satisfies Record<'joined' | 'left', readonly MessageKey[]>;

/**
 * The sentence of one join or leave notice, Slack's way: "Ann joined", "Ann and Bob joined",
 * "Ann, Bob and Cy joined", "Ann, Bob and 3 others joined". `named` holds the first few of the
 * batch (at least one), `total` how many it held. Plain text: the window renders it as text.
 */
export function presenceSentence(
  t: Translate,
  kind: 'joined' | 'left',
  named: readonly Member[],
  total: number,
): string {
  const [first, second, third] = named.map((m) => m.nick);
  const keys = KEYS[kind];
  if (total <= 1 || second === undefined) return t(keys[0], { nick: first ?? '' });
  if (total === 2) return t(keys[1], { first: first!, second });
  if (total === 3 && third !== undefined) return t(keys[2], { first: first!, second, third });
  return t(keys[3], { first: first!, second, others: total - 2, total });
}

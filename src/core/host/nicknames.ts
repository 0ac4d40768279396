import { LIMITS } from '../../shared/protocol';

/**
 * The key two nicknames collide under. NFKC folds look-alikes such as full-width letters into
 * their plain forms, so "Ａlice" cannot sit next to "Alice" and pass for her.
 */
export function nickKey(nick: string): string {
  return nick.normalize('NFKC').toLowerCase();
}

/** Cuts `text` to at most `max` UTF-16 units without leaving half of a surrogate pair behind. */
function cut(text: string, max: number): string {
  let out = text.slice(0, max);
  const last = out.charCodeAt(out.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) out = out.slice(0, -1);
  return out.trimEnd();
}

/**
 * The first of "Alice", "Alice (2)", "Alice (3)"... that `taken` does not hold (compared by
 * nickKey). The base is shortened so the suffixed name still fits LIMITS.maxNickChars.
 */
export function uniqueNick(wanted: string, taken: (key: string) => boolean): string {
  if (!taken(nickKey(wanted))) return wanted;
  for (let n = 2; ; n++) {
    const suffix = ` (${n})`;
    const candidate = cut(wanted, LIMITS.maxNickChars - suffix.length) + suffix;
    if (!taken(nickKey(candidate))) return candidate;
  }
}

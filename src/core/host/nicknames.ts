import unhomoglyph from 'unhomoglyph';
import { LIMITS } from '../../shared/protocol';

/**
 * What the skeleton drops before comparing: everything NickSchema refuses as invisible (so a key
 * never depends on it, even for a name that reached the host some other way) plus the emoji
 * joiners it allows, since "Alice❤️" and "Alice❤" look alike.
 */
const IGNORED = /[\p{Default_Ignorable_Code_Point}\p{Cf}\p{Cc}\u2800\u{1D159}]/gu;

/**
 * UTS #39's skeleton: NFD, drop default-ignorables, map each character to its prototype in
 * Unicode's confusables.txt (unhomoglyph carries that table: Cyrillic "А" -> "A", "I" -> "l",
 * "0" -> "O", "m" -> "rn"), NFD again. Two strings with the same skeleton look alike.
 */
function skeleton(text: string): string {
  return unhomoglyph(text.normalize('NFD').replace(IGNORED, '')).normalize('NFD');
}

/**
 * The keys two nicknames collide under: they are the same name when either key matches.
 *
 * First NFKC (full-width "Ａ" and other compatibility forms become their plain letters), the
 * ignorables dropped, and runs of white space made one space, since a page draws "Alice  (2)"
 * like "Alice (2)". Then two keys, because case and look-alikes do not compose: lowercase of the
 * skeleton catches "AIice" (capital I) for "Alice", whose lowercase "aiice" is not confusable
 * with "alice"; the skeleton of the lowercase catches "ALICE" for "Alice", whose skeleton
 * "ALlCE" is not "Alice". One key cannot do both: equating "I" with "l" and with "i" would
 * equate "i" with "l", and so "alice" with "allce", which look different.
 */
export function nickKeys(nick: string): readonly [string, string] {
  const plain = nick.normalize('NFKC').replace(IGNORED, '').replace(/\s+/gu, ' ').trim();
  return [`s:${skeleton(plain).toLowerCase()}`, `l:${skeleton(plain.toLowerCase())}`];
}

/**
 * Cuts `text` to at most `max` UTF-16 units without leaving half of a surrogate pair behind,
 * nor a joiner whose other half was cut off ("👩‍" of "👩‍💻", "1️" of "1️⃣"): NickSchema allows
 * those only inside their sequence, and every member parses the numbered name with it.
 */
function cut(text: string, max: number): string {
  let out = text.slice(0, max);
  const last = out.charCodeAt(out.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) out = out.slice(0, -1);
  return out.replace(/(?:\u200C|\u200D|\uFE0F)+$/u, '').trimEnd();
}

/**
 * The first of "Alice", "Alice (2)", "Alice (3)"... for which `taken` holds none of its
 * nickKeys. The base is shortened so the suffixed name still fits LIMITS.maxNickChars.
 */
export function uniqueNick(wanted: string, taken: (key: string) => boolean): string {
  const free = (nick: string) => !nickKeys(nick).some(taken);
  if (free(wanted)) return wanted;
  for (let n = 2; ; n++) {
    const suffix = ` (${n})`;
    const candidate = cut(wanted, LIMITS.maxNickChars - suffix.length) + suffix;
    if (free(candidate)) return candidate;
  }
}

/**
 * Which characters a nickname or a room name may hold. A name is read by people, so anything a
 * person cannot see, or that changes how the text around it is drawn, would let one name pass
 * for another ("Alice" + U+2060 beside the real Alice): those are refused, not stripped, so the
 * name the host shows is always the name its owner typed.
 *
 * The window imports this file (validation.ts) as well as the zod schemas (protocol.ts): it stays
 * free of zod, node:, electron and the DOM. docs/PROTOCOL.md ("Names") is the prose version.
 */

/** Why a name cannot be used. */
export type NameProblem =
  /** A control character or a line or paragraph break (C0, DEL, C1, U+2028, U+2029). */
  | 'control'
  /** A character that draws nothing or changes how others draw (default-ignorable, format, fillers, blanks, odd spaces). */
  | 'invisible'
  /** A code point with no character behind it: unassigned, a noncharacter, private use, or a lone surrogate. */
  | 'unassigned';

/** The first character of a name that breaks the rule, and why. */
export interface NameFault {
  problem: NameProblem;
  /** The offending code point (for messages: "U+2060"). */
  codePoint: number;
}

/**
 * Joiners that belong to the text they stand in. U+FE0F (emoji presentation), U+200D (zero-width
 * joiner) and U+200C (zero-width non-joiner) are default-ignorable, but honest names carry them:
 * emoji pickers type "❤️", "👩‍💻" and "🏳️‍🌈", Sinhala writes "ශ්‍රී" with a ZWJ after its virama,
 * Persian writes "علی‌رضا" with a ZWNJ between two letters. So each is allowed exactly there, and
 * refused everywhere else ("Alice" + U+FE0F or + U+200D is refused):
 * - FE0F right after a pictograph, or in a keycap ("1️⃣": digit, FE0F, U+20E3);
 * - ZWJ between two pictographs (the first may carry FE0F or a skin tone);
 * - ZWJ or ZWNJ right after a virama (RFC 5892's CONTEXTJ rule; VIRAMAS below);
 * - ZWNJ between two letters of a joining script (Arabic, Syriac, N'Ko), as CONTEXTJ allows.
 * Extended_Pictographic already covers the code points set aside for future emoji and the
 * virama list is fixed here, so the verdict is the same on every Unicode version. Uniqueness
 * ignores all of them anyway (nicknames.ts): "Alice❤️" and "Alice❤" are one name to the host.
 *
 * The viramas (Canonical_Combining_Class 9, as of Unicode 17) are written out because JavaScript
 * has no property for them; a virama added later only means a joiner after it is refused.
 */
const JOINERS =
  /(?<=\p{Extended_Pictographic})\uFE0F|(?<=[0-9#*])\uFE0F(?=\u20E3)|(?<=\p{Extended_Pictographic}(?:\uFE0F|[\u{1F3FB}-\u{1F3FF}])?)\u200D(?=\p{Extended_Pictographic})|(?<=[\u094D\u09CD\u0A4D\u0ACD\u0B4D\u0BCD\u0C4D\u0CCD\u0D3B\u0D3C\u0D4D\u0DCA\u0E3A\u0EBA\u0F84\u1039\u103A\u1714\u1715\u1734\u17D2\u1A60\u1B44\u1BAA\u1BAB\u1BF2\u1BF3\u2D7F\uA806\uA82C\uA8C4\uA953\uA9C0\uAAF6\uABED\u{10A3F}\u{11046}\u{11070}\u{1107F}\u{110B9}\u{11133}\u{11134}\u{111C0}\u{11235}\u{112EA}\u{1134D}\u{113CE}-\u{113D0}\u{11442}\u{114C2}\u{115BF}\u{1163F}\u{116B6}\u{1172B}\u{11839}\u{1193D}\u{1193E}\u{119E0}\u{11A34}\u{11A47}\u{11A99}\u{11C3F}\u{11D44}\u{11D45}\u{11D97}\u{11F41}\u{11F42}\u{1612F}])[\u200C\u200D]|(?<=[\p{sc=Arabic}\p{sc=Syriac}\p{sc=Nko}]\p{M}*)\u200C(?=\p{M}*[\p{sc=Arabic}\p{sc=Syriac}\p{sc=Nko}])/gu;

const CONTROL = /[\p{Cc}\p{Zl}\p{Zp}]/u;

/**
 * Draws nothing, or steers how the text around it is drawn: every Default_Ignorable_Code_Point
 * (soft hyphen, CGJ, ZWSP/ZWNJ/ZWJ, bidi marks, embeddings and isolates, word joiner, invisible
 * operators, variation selectors, tags, Hangul and Khmer fillers), every other format character
 * (Cf), and blanks that are ordinary letters or symbols to Unicode but show as nothing: U+2800
 * BRAILLE PATTERN BLANK and U+1D159 MUSICAL SYMBOL NULL NOTEHEAD. Of the spaces only U+0020 and
 * U+3000 (the ideographic space a CJK input method types) may stand inside a name; the others
 * (no-break, en, em, thin, hair...) differ from those only in width.
 */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}\u2800\u{1D159}]|(?![\u0020\u3000])\p{Zs}/u;

/** Private use and lone surrogates: the same verdict on every Unicode version. */
const NO_CHARACTER = /[\p{Co}\p{Cs}]/u;

/**
 * Unassigned code points (and noncharacters). Which ones are unassigned depends on the Unicode
 * version of the engine that asks, so this is checked only where a name is chosen (see
 * `nameFault`), never where a name someone else's host accepted is merely read.
 */
const UNASSIGNED = /\p{Cn}/u;

/**
 * The first character that keeps `name` from being a nickname or room name, or null if it may
 * be one. `name` is judged as it is: trim it first (a trailing line break or no-break space is
 * then gone, as NickSchema's trim makes it).
 *
 * `for: 'choosing'` (the default) is the whole rule, for a name someone is picking: the host
 * judging a hello, the window's form, the bridge. `for: 'reading'` leaves out unassigned code
 * points, for names that arrive from a host: a host on a newer Unicode version may rightly accept
 * a character this engine does not know yet, and one such name must not make a whole welcome
 * unreadable.
 */
export function nameFault(name: string, opts: { for?: 'choosing' | 'reading' } = {}): NameFault | null {
  const choosing = (opts.for ?? 'choosing') === 'choosing';
  for (const char of name.replace(JOINERS, '')) {
    const problem: NameProblem | null = CONTROL.test(char)
      ? 'control'
      : INVISIBLE.test(char)
        ? 'invisible'
        : NO_CHARACTER.test(char) || (choosing && UNASSIGNED.test(char))
          ? 'unassigned'
          : null;
    if (problem) return { problem, codePoint: char.codePointAt(0)! };
  }
  return null;
}

/** "U+2060", as Unicode writes code points. */
export function codePointLabel(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

const PROBLEM_WORDS: Record<NameProblem, string> = {
  control: 'a control character or line break',
  invisible: 'an invisible or formatting character',
  unassigned: 'an unassigned or private-use code point',
};

/**
 * The fault in English, for protocol errors and the CLI ("must not contain U+2060, an invisible
 * or formatting character"). The window says it in its own words (validation.ts, i18n).
 */
export function describeNameFault(fault: NameFault): string {
  return `must not contain ${codePointLabel(fault.codePoint)}, ${PROBLEM_WORDS[fault.problem]}`;
}

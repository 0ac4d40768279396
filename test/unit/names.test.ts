import { describe, expect, it } from 'vitest';
import { nameFault } from '../../src/shared/names';
import { NickSchema, ReportedNickSchema, RoomNameSchema } from '../../src/shared/protocol';

const hex = (codePoint: number) => codePoint.toString(16).toUpperCase().padStart(4, '0');

/** Every character issue 9 found sitting invisibly beside the real "Alice". */
const ISSUE_9_INVISIBLES = [
  0x2060, 0x00ad, 0x034f, 0x180e, 0xfe0f, 0xe0020, 0x2061, 0x17b4, 0x2800, 0x3164, 0x115f, 0xffa0,
];

/** More that draw nothing or steer the text around them. */
const OTHER_INVISIBLES = [
  0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x202a, 0x202e, 0x2062, 0x2063, 0x2064, 0x2066, 0x2069, 0x061c,
  0xfeff, 0x1160, 0x17b5, 0x180b, 0xfe00, 0xfe0e, 0xe0001, 0xe007f, 0xe0100, 0x1d159, 0x1d173, 0xfff9, 0x0600,
  0x00a0, 0x2007, 0x202f, 0x205f, 0x1680,
];

/** Honest names from around the world, with the emoji pickers' joiners. */
const HONEST = [
  '张三',
  '小 明',
  '小\u3000明',
  '山田太郎',
  '김민준',
  'José',
  'Zoë Ñandú',
  'Łukasz Żółć',
  'Алиса',
  'Ελένη',
  'مرحبا',
  'علی‌رضا',
  'שלום',
  'नमस्ते',
  'क्‍ष',
  'ශ්‍රී ලංකා',
  'ดาว',
  'Alice 😀',
  'Alice ❤️',
  '👩🏽‍💻 dev',
  '🏳️‍🌈',
  '🐻‍❄️',
  '❤️‍🔥',
  '1️⃣ Bob',
  '🇨🇳 李',
  '<b>"Bob" & co</b>',
];

describe('NickSchema refuses what would let one name pass for another', () => {
  it.each(ISSUE_9_INVISIBLES.map((cp) => [hex(cp), cp]))(
    'refuses "Alice" + U+%s, naming the character',
    (label, cp) => {
      const parsed = NickSchema.safeParse(`Alice${String.fromCodePoint(cp)}`);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.message).toBe(
        `must not contain U+${label}, an invisible or formatting character`,
      );
    },
  );

  it.each(OTHER_INVISIBLES.map((cp) => [hex(cp), cp]))('refuses U+%s inside a nickname', (_label, cp) => {
    expect(NickSchema.safeParse(`Al${String.fromCodePoint(cp)}ice`).success).toBe(false);
  });

  it('refuses a line or paragraph separator inside a nickname as a line break', () => {
    for (const separator of ['\u2028', '\u2029', '\n', '\r', '\u0085']) {
      const parsed = NickSchema.safeParse(`Al${separator}ice`);
      expect(parsed.error?.issues[0]?.message).toMatch(/a control character or line break$/);
    }
  });

  it('refuses unassigned, noncharacter, private-use and lone-surrogate code points', () => {
    for (const odd of [
      '\u0378',
      '\ufdd0',
      '\uffff',
      '\u{10ffff}',
      '\ue000',
      '\u{f0000}',
      '\ud800',
      '\udc00',
    ]) {
      const parsed = NickSchema.safeParse(`Alice${odd}`);
      expect(parsed.error?.issues[0]?.message).toMatch(/an unassigned or private-use code point$/);
    }
  });

  it('refuses a joiner or variation selector that belongs to no emoji or script', () => {
    for (const name of [
      'Alice\u200d',
      'Alice\u200dBob',
      '😀\u200dAlice',
      'Alice\u200c',
      '1\ufe0f',
      'a\ufe0fb',
    ]) {
      expect(nameFault(name)).toMatchObject({ problem: 'invisible' });
    }
  });

  it('refuses an emoji tag sequence, whose tags are invisible where unsupported', () => {
    expect(NickSchema.safeParse('🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}').success).toBe(
      false,
    );
  });

  it('holds room names to the same rule', () => {
    expect(RoomNameSchema.safeParse('Team\u2060room').success).toBe(false);
    expect(RoomNameSchema.safeParse('Team\u2028room').success).toBe(false);
    expect(RoomNameSchema.safeParse('项目组 🚀').data).toBe('项目组 🚀');
  });
});

describe('NickSchema keeps honest names as they are', () => {
  it.each(HONEST)('accepts %s unchanged', (name) => {
    expect(NickSchema.parse(name)).toBe(name);
    expect(RoomNameSchema.parse(name)).toBe(name);
  });

  it('trims white space around a name, a trailing line separator included', () => {
    expect(NickSchema.parse('  Alice\u2028')).toBe('Alice');
  });
});

describe('names as a host reports them', () => {
  it('lets through a code point this engine has not assigned yet, and nothing else more', () => {
    // A host on a newer Unicode may rightly have accepted it; one such name must not spoil a welcome.
    expect(ReportedNickSchema.safeParse('Bob\u0378').success).toBe(true);
    expect(NickSchema.safeParse('Bob\u0378').success).toBe(false);
    for (const cp of [...ISSUE_9_INVISIBLES, 0xe000, 0xd800, 0x2028]) {
      expect(ReportedNickSchema.safeParse(`Bo${String.fromCodePoint(cp)}b`).success).toBe(false);
    }
  });
});

describe('the rule the window checks without zod', () => {
  // renderer/src/lib/validation.ts calls nameFault after its own empty and length checks.
  it('agrees with NickSchema on every name here, once trimmed and within the length', () => {
    const names = [
      ...HONEST,
      ...[...ISSUE_9_INVISIBLES, ...OTHER_INVISIBLES].map((cp) => `Alice${String.fromCodePoint(cp)}`),
      'Al\u2028ice',
      'Alice\ue000',
    ];
    for (const name of names) {
      const verdict = nameFault(name.trim()) === null;
      expect(verdict, JSON.stringify(name)).toBe(NickSchema.safeParse(name).success);
    }
  });

  it('tells the window which kind of character it refuses', () => {
    expect(nameFault('Alice\u2060')).toEqual({ problem: 'invisible', codePoint: 0x2060 });
    expect(nameFault('Al\u2028ice')).toEqual({ problem: 'control', codePoint: 0x2028 });
    expect(nameFault('Alice\ue000')).toEqual({ problem: 'unassigned', codePoint: 0xe000 });
  });
});

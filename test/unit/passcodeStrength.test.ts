import { describe, expect, it } from 'vitest';
import { generatePasscode, passcodeIsWeak, STRONG_PASSCODE_CHARS } from '../../src/shared/passcodeStrength';

describe('passcode strength', () => {
  it('generates 12 characters of 31 look-alike-free ones in three groups (about 59 bits)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const passcode = generatePasscode();
      expect(passcode).toMatch(/^[a-hjkmnp-z2-9]{4}-[a-hjkmnp-z2-9]{4}-[a-hjkmnp-z2-9]{4}$/);
      seen.add(passcode);
    }
    expect(seen.size).toBe(200);
  });

  it('draws every character equally likely, discarding bytes past the last whole alphabet', () => {
    const bytes = [255, 248, 0, 30, 31, 247, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const passcode = generatePasscode(() => bytes.shift() ?? 0);
    // 255 and 248 are discarded; 0 and 31 are both "a", 30 is the last character, 247 is 247 % 31 = 30.
    expect(passcode.slice(0, 4)).toBe('a9a9');
  });

  it(`calls a typed passcode under ${STRONG_PASSCODE_CHARS} characters weak, and a generated one strong`, () => {
    expect(passcodeIsWeak('1234')).toBe(true);
    expect(passcodeIsWeak('abcdefghi')).toBe(true);
    expect(passcodeIsWeak('口令口令口令口令口令')).toBe(false);
    expect(passcodeIsWeak(generatePasscode())).toBe(false);
  });
});

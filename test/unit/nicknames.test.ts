import { describe, expect, it } from 'vitest';
import { nickKeys, uniqueNick } from '../../src/core/host/nicknames';
import { LIMITS, NickSchema } from '../../src/shared/protocol';

const takenOf = (...nicks: string[]) => {
  const keys = new Set(nicks.flatMap((nick) => nickKeys(nick)));
  return (key: string): boolean => keys.has(key);
};

/** Whether the host counts `a` and `b` as one name. */
const same = (a: string, b: string) => uniqueNick(b, takenOf(a)) !== b;

describe('uniqueNick', () => {
  it('keeps a free nickname as it is', () => {
    expect(uniqueNick('Alice', takenOf('Bob'))).toBe('Alice');
  });

  it('numbers a taken nickname from 2, ignoring case', () => {
    expect(uniqueNick('Alice', takenOf('alice'))).toBe('Alice (2)');
    expect(uniqueNick('Alice', takenOf('Alice', 'ALICE (2)'))).toBe('Alice (3)');
    expect(uniqueNick('ALICE', takenOf('Alice'))).toBe('ALICE (2)');
  });

  it('treats full-width look-alikes as the same nickname', () => {
    expect(uniqueNick('Ａlice', takenOf('Alice'))).toBe('Ａlice (2)');
  });

  it('numbers a nickname written with letters of another script that look the same', () => {
    expect(uniqueNick('\u0410lice', takenOf('Alice'))).toBe('\u0410lice (2)'); // Cyrillic А
    expect(uniqueNick('Аlісе', takenOf('Alice'))).toBe('Аlісе (2)'); // Cyrillic А, і, с, е
    expect(uniqueNick('\u0391lice', takenOf('Alice'))).toBe('\u0391lice (2)'); // Greek Α
  });

  it('numbers a nickname that swaps letters for look-alike ones', () => {
    expect(uniqueNick('AIice', takenOf('Alice'))).toBe('AIice (2)'); // capital I for l
    expect(uniqueNick('B0b', takenOf('Bob'))).toBe('B0b (2)'); // zero for o
    expect(uniqueNick('rnallory', takenOf('mallory'))).toBe('rnallory (2)'); // rn for m
    expect(uniqueNick('ALlCE', takenOf('ALICE'))).toBe('ALlCE (2)');
  });

  it('numbers a look-alike of a numbered nickname too', () => {
    expect(uniqueNick('\u0410lice (2)', takenOf('Alice', 'Alice (2)'))).toBe('\u0410lice (2) (2)');
    expect(uniqueNick('\u0410lice', takenOf('Alice', 'Alice (2)'))).toBe('\u0410lice (3)');
  });

  it('sees through emoji joiners, spacing and invisible characters', () => {
    expect(same('Alice ❤', 'Alice ❤️')).toBe(true);
    expect(same('Alice (2)', 'Alice  (2)')).toBe(true);
    expect(same('Alice', 'Ali\u00adce')).toBe(true);
    expect(same('Alice', 'Alice\u2060')).toBe(true);
  });

  it('keeps names that look different apart', () => {
    expect(same('Alice', 'Alicia')).toBe(false);
    expect(same('José', 'Jose')).toBe(false);
    expect(same('张三', '张四')).toBe(false);
    expect(same('alice', 'allce')).toBe(false);
    expect(same('Alice 😀', 'Alice 😃')).toBe(false);
  });

  it('shortens a long base so the numbered nickname fits the limit', () => {
    const long = 'x'.repeat(LIMITS.maxNickChars);
    const nick = uniqueNick(long, takenOf(long));
    expect(nick).toHaveLength(LIMITS.maxNickChars);
    expect(nick.endsWith(' (2)')).toBe(true);
  });

  it('never leaves a joiner hanging when shortening, so the numbered name is still valid', () => {
    const base = 'a'.repeat(LIMITS.maxNickChars - 8);
    for (const tail of ['👩\u200d💻', '1\ufe0f\u20e3\u20e3\u20e3\u20e3\u20e3', 'ی\u200cرضا']) {
      for (let shift = 0; shift < 4; shift++) {
        const long = (base + 'b'.repeat(shift) + tail).slice(0, LIMITS.maxNickChars);
        expect(NickSchema.safeParse(long).success).toBe(true);
        const nick = uniqueNick(long, takenOf(long));
        expect(NickSchema.safeParse(nick).success, JSON.stringify(nick)).toBe(true);
      }
    }
  });

  it('never splits a surrogate pair when shortening', () => {
    const long = 'a'.repeat(LIMITS.maxNickChars - 5) + '😀😀';
    const nick = uniqueNick(long, takenOf(long));
    expect(nick).toBe('a'.repeat(LIMITS.maxNickChars - 5) + ' (2)');
  });
});

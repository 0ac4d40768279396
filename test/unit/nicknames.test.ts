import { describe, expect, it } from 'vitest';
import { nickKey, uniqueNick } from '../../src/core/host/nicknames';
import { LIMITS } from '../../src/shared/protocol';

const takenOf = (...nicks: string[]) => {
  const keys = new Set(nicks.map(nickKey));
  return (key: string): boolean => keys.has(key);
};

describe('uniqueNick', () => {
  it('keeps a free nickname as it is', () => {
    expect(uniqueNick('Alice', takenOf('Bob'))).toBe('Alice');
  });

  it('numbers a taken nickname from 2, ignoring case', () => {
    expect(uniqueNick('Alice', takenOf('alice'))).toBe('Alice (2)');
    expect(uniqueNick('Alice', takenOf('Alice', 'ALICE (2)'))).toBe('Alice (3)');
  });

  it('treats full-width look-alikes as the same nickname', () => {
    expect(uniqueNick('Ａlice', takenOf('Alice'))).toBe('Ａlice (2)');
  });

  it('shortens a long base so the numbered nickname fits the limit', () => {
    const long = 'x'.repeat(LIMITS.maxNickChars);
    const nick = uniqueNick(long, takenOf(long));
    expect(nick).toHaveLength(LIMITS.maxNickChars);
    expect(nick.endsWith(' (2)')).toBe(true);
  });

  it('never splits a surrogate pair when shortening', () => {
    const long = 'a'.repeat(LIMITS.maxNickChars - 5) + '😀😀';
    const nick = uniqueNick(long, takenOf(long));
    expect(nick).toBe('a'.repeat(LIMITS.maxNickChars - 5) + ' (2)');
  });
});

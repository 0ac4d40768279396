import { describe, expect, it } from 'vitest';
import { Members } from '../../src/core/host/Members';
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

describe('Members', () => {
  it('gives a departed member its id and nickname back when it resumes', () => {
    const members = new Members();
    const first = members.join('Alice');
    members.leave(first.member.id);
    const again = members.join('Alice', first.token);
    expect(again.member).toEqual(first.member);
    expect(again.token).toBe(first.token);
  });

  it('keeps the id but renumbers the nickname when someone took it meanwhile', () => {
    const members = new Members();
    const first = members.join('Alice');
    members.leave(first.member.id);
    members.join('alice');
    const again = members.join('Alice', first.token);
    expect(again.member).toEqual({ id: first.member.id, nick: 'Alice (2)' });
  });

  it('treats an unknown resume token as a fresh join', () => {
    const members = new Members();
    const seat = members.join('Alice', 'no-such-token');
    expect(seat.token).not.toBe('no-such-token');
    expect(members.count).toBe(1);
  });
});

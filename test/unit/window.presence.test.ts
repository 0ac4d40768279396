/**
 * The window's presence logic that needs no DOM: the members list merged per batch, and the
 * sentence of a join/leave notice in both languages (the e2e specs see them rendered).
 */
import { describe, expect, it } from 'vitest';
import { translator } from './support/translator';
import { MemberIndex } from '../../src/renderer/src/lib/memberIndex';
import { noticeText } from '../../src/renderer/src/lib/notices';
import { noticesFor, presenceSentence } from '../../src/renderer/src/lib/presenceText';
import type { Member } from '../../src/shared/protocol';

const m = (id: string, nick: string): Member => ({ id, nick });
const [ann, bob, cy, dee, eve] = [m('a', 'Ann'), m('b', 'Bob'), m('c', 'Cy'), m('d', 'Dee'), m('e', 'Eve')];
const nicks = (list: readonly Member[]) => list.map((x) => x.nick);

describe('MemberIndex', () => {
  it('keeps the members sorted by nickname, case aside, through roster pages and batches', () => {
    const index = new MemberIndex();
    index.reset([m('me', 'zoe')]);
    index.apply([bob, m('x', 'alex')], []);
    index.apply([dee, ann], []);
    expect(nicks(index.list)).toEqual(['alex', 'Ann', 'Bob', 'Dee', 'zoe']);
    index.apply([cy], ['b', 'd']);
    expect(nicks(index.list)).toEqual(['alex', 'Ann', 'Cy', 'zoe']);
  });

  it('moves a member who came back under a new nickname, and lists it once', () => {
    const index = new MemberIndex();
    index.reset([ann, bob, cy]);
    index.apply([m('a', 'Zed')], []);
    expect(nicks(index.list)).toEqual(['Bob', 'Cy', 'Zed']);
    // Left and back within one batch: present once, under the name it came back with.
    index.apply([m('b', 'Abe')], ['b']);
    expect(nicks(index.list)).toEqual(['Abe', 'Cy', 'Zed']);
  });

  it('returns the same list when a batch changes nothing (a known member, an unknown leave)', () => {
    const index = new MemberIndex();
    const before = index.reset([ann, bob]);
    expect(index.apply([{ ...ann }], ['nobody'])).toBe(before);
    expect(index.has('a') && !index.has('nobody')).toBe(true);
  });

  it('fills a room of 5,000 from pages of 100 and then empties it by batches', () => {
    const index = new MemberIndex();
    index.reset([]);
    const everyone = Array.from({ length: 5_000 }, (_, i) =>
      m(`id${i}`, `Member ${String(i).padStart(4, '0')}`),
    );
    for (let i = 0; i < everyone.length; i += 100) index.apply(everyone.slice(i, i + 100).reverse(), []);
    expect(index.list).toEqual(everyone);
    for (let i = 0; i < everyone.length; i += 250)
      index.apply(
        [],
        everyone.slice(i, i + 250).map((x) => x.id),
      );
    expect(index.list).toEqual([]);
  });
});

describe('noticesFor', () => {
  it('makes one notice for a whole batch of joins, naming the first three and counting all', () => {
    expect(noticesFor([ann, bob, cy, dee, eve], [], 'me')).toEqual([
      { kind: 'joined', named: [ann, bob, cy], total: 5 },
    ]);
  });

  it('makes one joined and one left notice for a batch with both', () => {
    expect(noticesFor([ann], [bob, cy], 'me')).toEqual([
      { kind: 'joined', named: [ann], total: 1 },
      { kind: 'left', named: [bob, cy], total: 2 },
    ]);
  });

  it('makes none for an empty batch, and never names ourselves', () => {
    expect(noticesFor([], [], 'me')).toEqual([]);
    expect(noticesFor([m('me', 'Me')], [], 'me')).toEqual([]);
    expect(noticesFor([m('me', 'Me'), ann], [], 'me')).toEqual([{ kind: 'joined', named: [ann], total: 1 }]);
  });
});

describe('presenceSentence', () => {
  const enT = translator('en');
  const zhT = translator('zh-CN');

  it('names one, two or three members, and counts the others past two (English)', () => {
    expect(presenceSentence(enT, 'joined', [ann], 1)).toBe('Ann joined');
    expect(presenceSentence(enT, 'joined', [ann, bob], 2)).toBe('Ann and Bob joined');
    expect(presenceSentence(enT, 'joined', [ann, bob, cy], 3)).toBe('Ann, Bob and Cy joined');
    expect(presenceSentence(enT, 'joined', [ann, bob, cy], 5)).toBe('Ann, Bob and 3 others joined');
    expect(presenceSentence(enT, 'left', [ann], 1)).toBe('Ann left');
    expect(presenceSentence(enT, 'left', [ann, bob], 2)).toBe('Ann and Bob left');
    expect(presenceSentence(enT, 'left', [ann, bob, cy], 3)).toBe('Ann, Bob and Cy left');
    expect(presenceSentence(enT, 'left', [ann, bob, cy], 4)).toBe('Ann, Bob and 2 others left');
  });

  it('says the same in Chinese', () => {
    expect(presenceSentence(zhT, 'joined', [ann], 1)).toBe('Ann 加入了房间');
    expect(presenceSentence(zhT, 'joined', [ann, bob], 2)).toBe('Ann 和 Bob 加入了房间');
    expect(presenceSentence(zhT, 'joined', [ann, bob, cy], 3)).toBe('Ann、Bob 和 Cy 加入了房间');
    expect(presenceSentence(zhT, 'joined', [ann, bob, cy], 5)).toBe('Ann、Bob 等 5 人加入了房间');
    expect(presenceSentence(zhT, 'left', [dee, eve], 2)).toBe('Dee 和 Eve 离开了房间');
    expect(presenceSentence(zhT, 'left', [ann, bob, cy], 40)).toBe('Ann、Bob 等 40 人离开了房间');
  });

  it('keeps a nickname that looks like markup, a template or a nested key as it is', () => {
    const hostile = m('h', '<img src=x onerror=alert(1)> {{nick}} $t(app.name)');
    expect(presenceSentence(enT, 'joined', [hostile, bob], 2)).toBe(
      '<img src=x onerror=alert(1)> {{nick}} $t(app.name) and Bob joined',
    );
  });
});

describe('noticeText', () => {
  const at = (h: number, m: number) => new Date(2026, 11, 1, h, m).getTime();
  const base = { id: 1, ts: at(9, 0), afterSeq: 3 };

  it('says where a room moved to, in both languages', () => {
    const notice = { ...base, kind: 'moved' as const, from: '10.0.0.5:4100', to: '10.0.0.5:4101' };
    expect(noticeText(translator('en'), notice, 'en')).toBe(
      'The room moved from 10.0.0.5:4100 to 10.0.0.5:4101; Parley found it again.',
    );
    expect(noticeText(translator('zh-CN'), notice, 'zh-CN')).toContain('10.0.0.5:4101');
  });

  it('marks a connection gap while it lasts and once it is over', () => {
    const open = { ...base, kind: 'gap' as const, since: at(9, 5), until: null };
    expect(noticeText(translator('en'), open, 'en')).toMatch(/^Not connected since 9:05\sAM\./);
    const closed = { ...open, until: at(9, 12) };
    expect(noticeText(translator('en'), closed, 'en')).toMatch(/^Not connected from 9:05\sAM to 9:12\sAM\./);
    expect(noticeText(translator('zh-CN'), closed, 'zh-CN')).toContain('未连接');
  });

  it('words joins and leaves as presenceSentence does', () => {
    const joined = { ...base, kind: 'joined' as const, named: [ann, bob], total: 2 };
    expect(noticeText(translator('en'), joined, 'en')).toBe(
      presenceSentence(translator('en'), 'joined', [ann, bob], 2),
    );
  });
});

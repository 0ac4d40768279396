/**
 * How a conversation reads at a glance (lib/timeline.ts, lib/format.ts): day dividers, runs of
 * one sender grouped, runs of join notices told once, and dates on anything older than today.
 */
import { describe, expect, it } from 'vitest';
import { dayLabel, formatWhen } from '../../src/renderer/src/lib/format';
import { arrange, GROUP_MS, type ArrangeableEntry } from '../../src/renderer/src/lib/timeline';

const at = (day: number, h: number, m = 0) => new Date(2026, 10, day, h, m).getTime();
const message = (key: string, from: string, ts: number): ArrangeableEntry => ({
  kind: 'message',
  key,
  message: { ts, from: { id: from } },
});
const joined = (key: string, nicks: string[], ts: number): ArrangeableEntry => ({
  kind: 'notice',
  key,
  notice: { kind: 'joined', named: nicks, total: nicks.length, ts },
});
const shape = (entries: ReturnType<typeof arrange>) =>
  entries.map((e) =>
    e.kind === 'day' ? `day ${e.key}` : `${e.key}${'continued' in e && e.continued ? '+' : ''}`,
  );

describe('arrange', () => {
  it('puts a divider before the first entry of each day', () => {
    const out = arrange(
      [message('a', 'ann', at(29, 23, 50)), message('b', 'bob', at(30, 0, 10))],
      'me',
      new WeakMap(),
    );
    expect(shape(out)).toEqual(['day d:2026-11-29', 'a', 'day d:2026-11-30', 'b']);
  });

  it('gives the first day no divider while earlier messages may still hold more of it', () => {
    const entries = [message('a', 'ann', at(29, 23, 50)), message('b', 'bob', at(30, 0, 10))];
    expect(shape(arrange(entries, 'me', new WeakMap(), false))).toEqual(['a', 'day d:2026-11-30', 'b']);
  });

  it('groups a run of one sender within five minutes, and starts again after a gap, another sender or a notice', () => {
    const out = arrange(
      [
        message('a1', 'ann', at(30, 9, 0)),
        message('a2', 'ann', at(30, 9, 4)),
        message('a3', 'ann', at(30, 9, 4) + GROUP_MS + 1),
        message('b1', 'bob', at(30, 9, 20)),
        joined('n', ['Cy'], at(30, 9, 21)),
        message('b2', 'bob', at(30, 9, 22)),
      ],
      'me',
      new WeakMap(),
    );
    expect(shape(out)).toEqual(['day d:2026-11-30', 'a1', 'a2+', 'a3', 'b1', 'n', 'b2']);
  });

  it('keeps the same grouped object for the same entry, so the row is not drawn again', () => {
    const cache = new WeakMap<object, ArrangeableEntry>();
    const entries = [message('a1', 'ann', at(30, 9)), message('a2', 'ann', at(30, 9, 1))];
    expect(arrange(entries, 'me', cache)[2]).toBe(arrange(entries, 'me', cache)[2]);
  });

  it('tells a run of join notices once: the first names, and how many in all', () => {
    const out = arrange(
      [joined('n1', ['Ann', 'Bob'], at(30, 9)), joined('n2', ['Cy', 'Dee', 'Eve'], at(30, 9, 1))],
      'me',
      new WeakMap(),
    );
    expect(out).toHaveLength(2);
    expect(out[1]).toMatchObject({ key: 'n1', notice: { named: ['Ann', 'Bob', 'Cy'], total: 5 } });
  });
});

describe('dates', () => {
  const now = at(30, 15);
  const words = { today: 'Today', yesterday: 'Yesterday' };

  it('labels dividers Today, Yesterday, then by date, with the year only when it is not this one', () => {
    expect(dayLabel(at(30, 9), 'en', words, now)).toBe('Today');
    expect(dayLabel(at(29, 9), 'en', words, now)).toBe('Yesterday');
    expect(dayLabel(at(27, 9), 'en', words, now)).toBe('Friday, November 27');
    expect(dayLabel(new Date(2025, 4, 1).getTime(), 'en', words, now)).toBe('Thursday, May 1, 2025');
    expect(dayLabel(at(27, 9), 'zh-CN', words, now)).toBe('11月27日星期五');
  });

  it('shows a time for today and a date with it for anything older', () => {
    expect(formatWhen(at(30, 9, 5), 'en', now)).toMatch(/^9:05\sAM$/);
    expect(formatWhen(at(27, 9, 5), 'en', now)).toMatch(/^Nov 27, 9:05\sAM$/);
  });
});

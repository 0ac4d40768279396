/**
 * Why a room is not online, as the window says it: every code the core can send has a sentence
 * in both languages, and the sentences carry what the code's parameters say.
 */
import { describe, expect, it } from 'vitest';
import { translator } from './support/translator';
import { en } from '../../src/renderer/src/lib/i18n/en';
import { zhCN } from '../../src/renderer/src/lib/i18n/zh-CN';
import { reasonText } from '../../src/renderer/src/lib/reasonText';
import { ReasonCode, ReasonSchema, type Reason } from '../../src/shared/reasons';

const office = { name: 'Office', host: 'Alice' };

describe('reasons in the window', () => {
  it('has a sentence for every reason code in English and in Chinese, with no placeholder left unfilled', () => {
    const params = {
      address: '10.0.0.5:4000',
      seconds: 3,
      pinned: '1234',
      presented: '5678',
      name: 'Lab',
      attempts: 10,
    };
    for (const code of Object.values(ReasonCode)) {
      expect(Object.hasOwn(en, `reason.${code}`), `en: reason.${code}`).toBe(true);
      expect(Object.hasOwn(zhCN, `reason.${code}`), `zh-CN: reason.${code}`).toBe(true);
      const reason: Reason = {
        code,
        params,
        ...(code === ReasonCode.GaveUp && { cause: { code: ReasonCode.Lost } }),
      };
      for (const t of [translator('en'), translator('zh-CN')]) {
        const said = reasonText(reason, office, t);
        expect(said, code).not.toMatch(/\{\{|reason\./);
        expect(said.length, code).toBeGreaterThan(5);
      }
    }
  });

  it('says who stopped hosting which room, and falls back when the window does not know the room', () => {
    const closed = { code: ReasonCode.HostClosed };
    expect(reasonText(closed, office, translator('en'))).toBe('Alice stopped hosting Office.');
    expect(reasonText(closed, office, translator('zh-CN'))).toBe('Alice 已关闭房间 Office。');
    expect(reasonText(closed, null, translator('en'))).toBe('The host closed the room.');
    expect(reasonText({ code: ReasonCode.Silent }, office, translator('en'))).toBe(
      'Office’s host is not answering.',
    );
  });

  it('says why it gave up with the last attempt’s reason, in the same language', () => {
    const gaveUp: Reason = {
      code: ReasonCode.GaveUp,
      params: { attempts: 10 },
      cause: { code: ReasonCode.Unreachable, params: { address: '10.0.0.5:4000' } },
    };
    expect(ReasonSchema.parse(gaveUp)).toEqual(gaveUp);
    expect(reasonText(gaveUp, office, translator('en'))).toBe(
      'Stopped trying after 10 attempts. Nothing answers at 10.0.0.5:4000.',
    );
    expect(reasonText(gaveUp, office, translator('zh-CN'))).toBe(
      '尝试 10 次后已停止重连。10.0.0.5:4000 没有回应。',
    );
  });

  it('knows exactly the codes it has words for: a code outside them does not parse', () => {
    expect(ReasonSchema.safeParse({ code: 'SOMETHING_NEW' }).success).toBe(false);
  });
});

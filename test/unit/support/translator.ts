import { createTranslator } from '../../../src/renderer/src/lib/i18n/translator';
import type { MessageKey } from '../../../src/renderer/src/lib/i18n/en';

/** The window's translator, fixed to one locale (as `t` is while that language is chosen). */
export function translator(locale: 'en' | 'zh-CN') {
  const translate = createTranslator();
  return (key: MessageKey, values?: Record<string, string | number>) => translate(locale, key, values);
}

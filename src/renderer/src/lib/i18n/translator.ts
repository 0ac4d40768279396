import i18next from 'i18next';
import type { Locale } from '../../../../shared/api';
import { en, type MessageKey } from './en';
import { zhCN } from './zh-CN';

/** Values a translation may interpolate. Svelte renders the result as text, never as HTML. */
export type MessageValues = Record<string, string | number>;

/** What the window's `t` is, and what the window's wording helpers take (tests pass one per locale). */
export type Translate = (key: MessageKey, values?: MessageValues) => string;

/**
 * A translator over the bundled resources, into any locale (the window's I18n wraps one; tests
 * use one per locale). No runes here, so it runs under plain Node too.
 */
export function createTranslator(): (locale: Locale, key: MessageKey, values?: MessageValues) => string {
  const instance = i18next.createInstance();
  void instance.init({
    lng: 'en',
    fallbackLng: 'en',
    resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
    // Resources are bundled, so translations are usable as soon as init returns.
    initAsync: false,
    keySeparator: false,
    nsSeparator: false,
    // Svelte interpolates text, which is already safe; escaping here would show "&lt;".
    interpolation: { escapeValue: false },
  });
  return (locale, key, values) => instance.t(key, { ...values, lng: locale }) as string;
}

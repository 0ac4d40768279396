import i18next, { type i18n as I18nextInstance } from 'i18next';
import type { Locale } from '../../../../shared/api';
import { en, type MessageKey } from './en';
import { zhCN } from './zh-CN';

export type { MessageKey } from './en';

/** Values a translation may interpolate. Svelte renders the result as text, never as HTML. */
export type MessageValues = Record<string, string | number>;

/** The language the window uses: the chosen one, else the operating system's. */
export function resolveLocale(chosen: Locale | null, systemLanguage: string): Locale {
  if (chosen) return chosen;
  return systemLanguage.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/**
 * i18next behind a reactive `locale`: `t()` reads `locale`, so every template that translates
 * re-renders when the language changes.
 */
export class I18n {
  locale = $state<Locale>('en');
  readonly #i18next: I18nextInstance;

  constructor(locale: Locale = 'en') {
    this.locale = locale;
    this.#i18next = i18next.createInstance();
    void this.#i18next.init({
      lng: locale,
      fallbackLng: 'en',
      resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
      // Resources are bundled, so translations are usable as soon as init returns.
      initAsync: false,
      keySeparator: false,
      nsSeparator: false,
      // Svelte interpolates text, which is already safe; escaping here would show "&lt;".
      interpolation: { escapeValue: false },
    });
  }

  setLocale(locale: Locale): void {
    this.locale = locale;
  }

  /** Translates `key` in the current locale; pass `count` for plural keys. */
  t = (key: MessageKey, values?: MessageValues): string => {
    return this.#i18next.t(key, { ...values, lng: this.locale }) as string;
  };
}

/** The window's one translator. */
export const i18n = new I18n();
export const t = i18n.t;

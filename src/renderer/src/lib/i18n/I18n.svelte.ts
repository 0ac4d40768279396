import type { Locale } from '../../../../shared/api';
import type { MessageKey } from './en';
import { createTranslator, type MessageValues } from './translator';

export type { MessageKey } from './en';
export type { MessageValues } from './translator';

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
  readonly #translate = createTranslator();

  constructor(locale: Locale = 'en') {
    this.locale = locale;
  }

  setLocale(locale: Locale): void {
    this.locale = locale;
  }

  /** Translates `key` in the current locale; pass `count` for plural keys. */
  t = (key: MessageKey, values?: MessageValues): string => this.#translate(this.locale, key, values);
}

/** The window's one translator. */
export const i18n = new I18n();
export const t = i18n.t;

import { CONTROL_CHARS, LIMITS } from '../../../shared/constants';
import type { MessageKey } from './i18n/I18n.svelte';

/** What is wrong with a nickname (already trimmed), as a message key; null when it is fine. */
export function nicknameProblem(nick: string): { key: MessageKey; max?: number } | null {
  if (nick.length === 0) return { key: 'nickname.errorEmpty' };
  if (nick.length > LIMITS.maxNickChars) return { key: 'nickname.errorTooLong', max: LIMITS.maxNickChars };
  if (CONTROL_CHARS.test(nick)) return { key: 'nickname.errorControl' };
  return null;
}

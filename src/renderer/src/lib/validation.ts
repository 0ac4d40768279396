import { codePointLength, LIMITS } from '../../../shared/constants';
import { nameFault, type NameProblem } from '../../../shared/names';
import type { MessageKey } from './i18n/I18n.svelte';

const FAULT_KEYS: Record<NameProblem, MessageKey> = {
  control: 'nickname.errorControl',
  invisible: 'nickname.errorInvisible',
  unassigned: 'nickname.errorUnassigned',
};

/**
 * What is wrong with a nickname (already trimmed), as a message key; null when it is fine.
 *
 * This is NickSchema's rule (shared/protocol.ts) written without zod, on purpose: the window
 * would otherwise bundle zod for one form field. Both ends take the characters rule from
 * shared/names.ts and the length from LIMITS, so only this thin wrapper is repeated; change the
 * two together.
 */
export function nicknameProblem(nick: string): { key: MessageKey; max?: number } | null {
  if (nick.length === 0) return { key: 'nickname.errorEmpty' };
  if (codePointLength(nick) > LIMITS.maxNickChars)
    return { key: 'nickname.errorTooLong', max: LIMITS.maxNickChars };
  const fault = nameFault(nick);
  if (fault) return { key: FAULT_KEYS[fault.problem] };
  return null;
}

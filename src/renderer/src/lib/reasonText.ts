import type { Reason } from '../../../shared/reasons';
import type { MessageKey } from './i18n/en';
import type { Translate } from './i18n/translator';

/** The room a reason is about, when the window knows it (to say "Alice stopped hosting Office"). */
export interface ReasonRoom {
  name: string;
  host: string;
}

/** Reasons that name the room and its host, and what to say when the window knows neither. */
const UNNAMED: Partial<Record<Reason['code'], MessageKey>> = {
  HOST_CLOSED: 'reason.HOST_CLOSED_UNNAMED',
  SILENT: 'reason.SILENT_UNNAMED',
  NOT_HOSTING: 'reason.NOT_HOSTING_UNNAMED',
};

/**
 * Why a room's session is not online, in the window's language: the core sends a code and its
 * parameters (shared/reasons.ts), and every code has a sentence in every locale.
 */
export function reasonText(reason: Reason, room: ReasonRoom | null, translate: Translate): string {
  const unnamed = UNNAMED[reason.code];
  if (unnamed && !room) return translate(unnamed);
  const cause = reason.cause ? reasonText(reason.cause, room, translate) : '';
  const named: Record<string, string> = room ? { room: room.name, host: room.host } : {};
  return translate(`reason.${reason.code}`, { ...reason.params, ...named, cause }).trim();
}

import { LIMITS } from '../../../shared/constants';
import { en, type MessageKey } from './i18n/en';
import type { Translate } from './i18n/translator';

/** An error as it reaches the window: a code, its parameters, and an English fallback. */
interface CodedError {
  code: string;
  message: string;
  params?: Record<string, string | number>;
}

/** Posts refused "not now": the core keeps them and sends them again (a notice without a cid). */
const HELD_BACK = new Set(['RATE_LIMITED', 'STORAGE_FAILED', 'STORAGE_FULL']);

/**
 * Says what a rejected bridge command or a `problem` event means, in the window's language: by
 * its code and parameters, with a sentence for every code the core and the protocol define
 * (a test checks both locales). A code this window does not know (a newer host's) falls back
 * to the English sentence it came with. `heldBack`: a post refused for now and kept, to go
 * again by itself. `maxTextChars`: the room's own text limit, for TEXT_TOO_LONG's sentence.
 */
export function errorText(
  error: unknown,
  translate: Translate,
  heldBack = false,
  maxTextChars: number = LIMITS.maxTextChars,
): string {
  const coded = asCoded(error);
  if (!coded) return String(error);
  const { code } = coded;
  // Electron prefixes what an invoke rejected with by its own wrapper, which means nothing to a person.
  coded.message = coded.message
    .replace(/^Error invoking remote method '[^']*':\s*/, '')
    .replace(/^(?:[A-Za-z]*Error):\s*/, '');
  const params: Record<string, string | number> = { max: maxTextChars, ...coded.params };
  if (code === 'STORAGE' && typeof params.kind === 'string' && typeof params.file === 'string') {
    const said = storageText(params, translate);
    if (said) return said;
  }
  const key = keyOf(code, params, heldBack && HELD_BACK.has(code));
  if (key) {
    const said = translate(key, params);
    if (code === 'SUSPECT_ROOM') return suspectText(said, params, translate);
    return said;
  }
  return coded.message;
}

/** The i18n key for a code (some codes have variants by what their parameters say), if any. */
function keyOf(code: string, params: Record<string, string | number>, held: boolean): MessageKey | null {
  let key = `error.${code}`;
  if (held) key += '_HELD';
  else if (code === 'VERSION_MISMATCH' && typeof params.room === 'number' && typeof params.ours === 'number')
    key += params.room > params.ours ? '_NEWER' : '_OLDER';
  else if (code === 'NO_SUCH_ROOM' && params.address !== undefined) key += '_AT';
  else if (code === 'HOST_FAILED' && typeof params.cause === 'string') key += `_${params.cause}`;
  else if (
    code === 'BAD_INVITE' &&
    typeof params.fault === 'string' &&
    Object.hasOwn(en, `${key}_${params.fault}`)
  )
    key += `_${params.fault}`;
  return Object.hasOwn(en, key) ? (key as MessageKey) : null;
}

/**
 * Trouble with a file in the data folder (shared/storageProblem.ts): what happened to which
 * file, and what it costs where that is more than starting afresh. Null for a kind or file
 * this window does not know (a newer core's): the English sentence stands.
 */
function storageText(params: Record<string, string | number>, translate: Translate): string | null {
  const kind = `storage.${params.kind}`;
  const file = `storage.file.${params.file}`;
  if (!Object.hasOwn(en, kind) || !Object.hasOwn(en, file)) return null;
  const words = { ...params, file: translate(file as MessageKey) };
  const said = translate(kind as MessageKey, words);
  const cost = `storage.cost.${params.file}.${params.kind}`;
  return Object.hasOwn(en, cost) ? `${said} ${translate(cost as MessageKey)}` : said;
}

/** The impostor warning, with the code this entry shows and the one trusted before when known. */
function suspectText(said: string, params: Record<string, string | number>, translate: Translate): string {
  const parts = [said];
  if (params.code !== undefined) parts.push(translate('error.SUSPECT_ROOM_SHOWS', params));
  if (params.pinned !== undefined) parts.push(translate('error.SUSPECT_ROOM_PINNED', params));
  parts.push(translate('error.SUSPECT_ROOM_COMPARE'));
  return parts.join(' ');
}

function asCoded(error: unknown): CodedError | null {
  if (!error || typeof error !== 'object') return null;
  const { code, message, params } = error as Partial<CodedError>;
  if (typeof message !== 'string') return null;
  return {
    code: typeof code === 'string' ? code : '',
    message,
    ...(params && typeof params === 'object' && { params }),
  };
}

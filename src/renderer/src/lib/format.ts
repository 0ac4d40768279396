/**
 * Making an Intl.DateTimeFormat costs far more than using one (a fraction of a millisecond,
 * twice per row): the message list makes rows as you scroll, so each locale's formatters are
 * made once.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, kind: 'time' | 'full'): Intl.DateTimeFormat {
  const key = `${kind} ${locale}`;
  let made = formatters.get(key);
  if (!made) {
    made = new Intl.DateTimeFormat(
      locale,
      kind === 'time' ? { hour: 'numeric', minute: '2-digit' } : { dateStyle: 'full', timeStyle: 'medium' },
    );
    formatters.set(key, made);
  }
  return made;
}

/** "14:05" or "2:05 PM", as the locale writes a time of day. */
export function formatTime(ts: number, locale: string): string {
  return formatter(locale, 'time').format(ts);
}

/** The full date and time, for a tooltip. */
export function formatDateTime(ts: number, locale: string): string {
  return formatter(locale, 'full').format(ts);
}

export { formatEndpoint } from '../../../shared/endpoint';

/** The first character a person would recognise a name by (a whole emoji or CJK character). */
export function initialOf(name: string): string {
  const first = Array.from(name.trim())[0] ?? '?';
  return first.toLocaleUpperCase();
}

/** One of a few avatar colours, the same for the same id in every window. */
export function colorIndexOf(id: string, colors = 8): number {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) | 0;
  return Math.abs(hash) % colors;
}

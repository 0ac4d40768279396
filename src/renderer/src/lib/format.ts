/** "14:05" or "2:05 PM", as the locale writes a time of day. */
export function formatTime(ts: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' }).format(ts);
}

/** The full date and time, for a tooltip. */
export function formatDateTime(ts: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'medium' }).format(ts);
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

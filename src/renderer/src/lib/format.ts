/**
 * Making an Intl.DateTimeFormat costs far more than using one (a fraction of a millisecond,
 * twice per row): the message list makes rows as you scroll, so each locale's formatters are
 * made once.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

const OPTIONS: Record<string, Intl.DateTimeFormatOptions> = {
  time: { hour: 'numeric', minute: '2-digit' },
  full: { dateStyle: 'full', timeStyle: 'medium' },
  /** A message's time on another day: "30 Nov, 14:05". */
  dated: { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' },
  datedYear: { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' },
  /** A day divider: "Monday, 30 November". */
  day: { weekday: 'long', month: 'long', day: 'numeric' },
  dayYear: { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' },
};

function formatter(locale: string, kind: keyof typeof OPTIONS): Intl.DateTimeFormat {
  const key = `${kind} ${locale}`;
  let made = formatters.get(key);
  if (!made) {
    made = new Intl.DateTimeFormat(locale, OPTIONS[kind]);
    formatters.set(key, made);
  }
  return made;
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** A message's time: the time of day for today, with the date for anything older. */
export function formatWhen(ts: number, locale: string, now = Date.now()): string {
  const when = new Date(ts);
  const today = new Date(now);
  if (sameDay(when, today)) return formatTime(ts, locale);
  return formatter(locale, when.getFullYear() === today.getFullYear() ? 'dated' : 'datedYear').format(ts);
}

/** What a day divider says: "Today", "Yesterday", or the date (with the year when not this one). */
export function dayLabel(
  ts: number,
  locale: string,
  words: { today: string; yesterday: string },
  now = Date.now(),
): string {
  const when = new Date(ts);
  const today = new Date(now);
  if (sameDay(when, today)) return words.today;
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (sameDay(when, yesterday)) return words.yesterday;
  return formatter(locale, when.getFullYear() === today.getFullYear() ? 'day' : 'dayYear').format(ts);
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

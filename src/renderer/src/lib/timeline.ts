/**
 * How a conversation reads at a glance, from the plain list of what it holds: a divider where a
 * new day begins, messages from one sender in a run grouped under one name, and runs of
 * join/leave notices told once ("Ann, Bob and 3 others joined"). Pure, so it is unit-tested.
 */
import { NAMED_IN_NOTICE } from './presenceText';

/** Consecutive messages of one sender this close together show under one name and avatar. */
export const GROUP_MS = 5 * 60_000;

/** What arrange needs of an entry; the window's TimelineEntry has this shape and more. */
export type ArrangeableEntry =
  | { kind: 'message'; key: string; message: { ts: number; from: { id: string } }; continued?: boolean }
  | { kind: 'pending'; key: string; pending: { ts: number }; continued?: boolean }
  | {
      kind: 'notice';
      key: string;
      notice: { ts: number; kind: string; named?: readonly unknown[]; total?: number };
    };

/** The divider before the first entry of a day (local time). */
export interface DayEntry {
  kind: 'day';
  key: string;
  ts: number;
}

/** The local calendar day of a time, as YYYY-MM-DD. */
export function dayOf(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function timeOf(entry: ArrangeableEntry): number {
  if (entry.kind === 'message') return entry.message.ts;
  if (entry.kind === 'pending') return entry.pending.ts;
  return entry.notice.ts;
}

/**
 * Arranges `entries` (oldest first) for reading. `meId` is who pending messages are from.
 * Entries that change (grouped, merged) are new objects, made once per entry and kept in
 * `cache`, so an unchanged row keeps its object and is not rendered again. `complete`: the
 * entries begin where the conversation does. Until then the first day gets no divider of its
 * own: an earlier page may hold more of that day, and everything it brings must go in before
 * whatever is first now (the list keeps the view still only for a true prepend).
 */
export function arrange<E extends ArrangeableEntry>(
  entries: readonly E[],
  meId: string | undefined,
  cache: WeakMap<object, E>,
  complete = true,
): (E | DayEntry)[] {
  const out: (E | DayEntry)[] = [];
  let day = complete || entries.length === 0 ? '' : dayOf(timeOf(entries[0]!));
  let previous: { from: string; ts: number } | null = null;
  for (const entry of entries) {
    const ts = timeOf(entry);
    const today = dayOf(ts);
    if (today !== day) {
      day = today;
      out.push({ kind: 'day', key: `d:${today}`, ts });
      previous = null;
    }
    if (entry.kind === 'notice') {
      previous = null;
      const last = out.at(-1);
      if (last && last.kind === 'notice' && mergeable(last, entry)) {
        out[out.length - 1] = merged(last as E & { kind: 'notice' }, entry as E & { kind: 'notice' });
        continue;
      }
      out.push(entry);
      continue;
    }
    const from = entry.kind === 'message' ? entry.message.from.id : (meId ?? '');
    const continued = previous !== null && previous.from === from && ts - previous.ts <= GROUP_MS;
    previous = { from, ts };
    out.push(continued ? grouped(entry, cache) : entry);
  }
  return out;
}

function grouped<E extends ArrangeableEntry>(entry: E, cache: WeakMap<object, E>): E {
  let made = cache.get(entry);
  if (!made) {
    made = { ...entry, continued: true };
    cache.set(entry, made);
  }
  return made;
}

/** Two join notices in a row (or two leave notices), nothing between them: one notice. */
function mergeable(
  a: ArrangeableEntry & { kind: 'notice' },
  b: ArrangeableEntry & { kind: 'notice' },
): boolean {
  const kinds = ['joined', 'left'];
  return (
    a.notice.kind === b.notice.kind &&
    kinds.includes(a.notice.kind) &&
    dayOf(a.notice.ts) === dayOf(b.notice.ts)
  );
}

function merged<E extends ArrangeableEntry>(a: E & { kind: 'notice' }, b: E & { kind: 'notice' }): E {
  const named = [...(a.notice.named ?? []), ...(b.notice.named ?? [])].slice(0, NAMED_IN_NOTICE);
  const total = (a.notice.total ?? 0) + (b.notice.total ?? 0);
  return { ...a, notice: { ...a.notice, named, total, ts: b.notice.ts } };
}

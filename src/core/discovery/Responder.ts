/**
 * Answers mDNS questions about the records a bonjour-service Server has registered, in place of
 * that Server's own answerer (`respondToQuery`), which sends one multicast response per question,
 * however often a query repeats it, and as often as it is asked: one 1,230-byte query repeating
 * a question 200 times drew 200 responses (82x amplification to the whole segment).
 *
 * This answerer keeps what RFC 6762 asks of a responder (section 6):
 *  - one query, one response: repeated questions are answered once, all answers in one packet;
 *  - a record is multicast as an answer at most once per RECORD_INTERVAL_MS on the link
 *    (PROBE_DEFENCE_MS when the query is a probe, with an authority section, which the RFC
 *    exempts); a record asked for sooner goes out once, as soon as its interval is up, however
 *    often it was asked meanwhile. Records multicast by any other path (announcements, TXT
 *    updates) count too, through `noteSent`.
 * Additional records (a PTR answer's SRV, TXT, A and AAAA, as bonjour-service adds them) ride
 * along with their answer: bonjour-service's browser reads a service only from a packet that
 * holds all of them. So a packet per second per answer record, never more.
 *
 * Why a wrapper and not a patch of bonjour-service: the fix needs only the registry and the
 * query event, both reachable from outside; a patch of node_modules would be lost on every
 * install and cannot be published upstream from here.
 */

/** A resource record as multicast-dns encodes it. */
export interface MdnsRecord {
  name: string;
  type: string;
  ttl?: number;
  data: unknown;
}

/** What the answerer needs from bonjour-service's mdns-server.Server. */
export interface RecordSource {
  /** The registered records of `type` whose name is `name` (bonjour-service's own lookup). */
  recordsFor(name: string, type: string): MdnsRecord[];
  /** Every registered record type. */
  types(): string[];
}

/** RFC 6762 section 6: at most once per second per record on a link. */
export const RECORD_INTERVAL_MS = 1000;
/** RFC 6762 section 6: probe defence may answer every 250 ms. */
export const PROBE_DEFENCE_MS = 250;
/** Distinct questions read from one query; a real one asks a handful. */
const MAX_QUESTIONS = 64;
/** Send-times remembered before the oldest are forgotten (a forgotten one is long past). */
const MAX_REMEMBERED = 4096;

export class Responder {
  /** Record key to when it was last multicast. */
  private readonly lastSent = new Map<string, number>();
  /** Answers asked for too soon, by record key, waiting for their interval to pass. */
  private readonly pending = new Map<string, { name: string; type: string; interval: number }>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly source: RecordSource,
    private readonly send: (packet: { answers: MdnsRecord[]; additionals: MdnsRecord[] }) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Answers one query (multicast-dns's decoded packet: outside data, checked here). */
  answer(query: unknown): void {
    if (this.stopped || typeof query !== 'object' || query === null) return;
    const { questions, authorities } = query as { questions?: unknown; authorities?: unknown };
    if (!Array.isArray(questions)) return;
    const interval =
      Array.isArray(authorities) && authorities.length > 0 ? PROBE_DEFENCE_MS : RECORD_INTERVAL_MS;
    const asked = new Set<string>();
    const answers = new Map<string, MdnsRecord>();
    for (const question of questions) {
      if (asked.size >= MAX_QUESTIONS) break;
      const { name, type } = (question ?? {}) as { name?: unknown; type?: unknown };
      if (typeof name !== 'string' || typeof type !== 'string') continue;
      const key = `${type}|${name.toLowerCase()}`;
      if (asked.has(key)) continue;
      asked.add(key);
      for (const record of this.lookup(name, type)) answers.set(recordKey(record), record);
    }
    if (answers.size === 0) return;

    const now = this.now();
    const due: MdnsRecord[] = [];
    for (const [key, record] of answers) {
      const last = this.lastSent.get(key);
      if (last === undefined || now - last >= interval) due.push(record);
      else this.defer(key, record, interval);
    }
    // A query that only repeats what went out within the interval has nothing new to send.
    if (due.length > 0) this.emit(due, askedAny(questions));
    this.schedule();
  }

  /** Notes records multicast by another path, so their interval starts now. */
  noteSent(packet: unknown): void {
    const { answers, additionals } = (Array.isArray(packet) ? { answers: packet } : (packet ?? {})) as {
      answers?: unknown;
      additionals?: unknown;
    };
    const now = this.now();
    for (const list of [answers, additionals]) {
      if (!Array.isArray(list)) continue;
      for (const record of list as MdnsRecord[]) {
        if (typeof record?.name !== 'string' || typeof record.type !== 'string') continue;
        const key = recordKey(record);
        this.lastSent.delete(key); // re-inserted last, so the oldest stay first for forgetting
        this.lastSent.set(key, now);
        this.pending.delete(key);
      }
    }
    while (this.lastSent.size > MAX_REMEMBERED) this.lastSent.delete(this.lastSent.keys().next().value!);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }

  private lookup(name: string, type: string): MdnsRecord[] {
    if (type === 'ANY') return this.source.types().flatMap((t) => this.source.recordsFor(name, t));
    return this.source.recordsFor(name, type);
  }

  private defer(key: string, record: MdnsRecord, interval: number): void {
    const waiting = this.pending.get(key);
    // The shortest interval asked for wins (a probe may be defended sooner).
    if (waiting && waiting.interval <= interval) return;
    this.pending.set(key, { name: record.name, type: record.type, interval });
  }

  /** Sends `records` as answers in one packet, with the additionals bonjour-service would add. */
  private emit(records: MdnsRecord[], anyAsked: boolean): void {
    const answers = new Map(records.map((r) => [recordKey(r), r]));
    const additionals = new Map<string, MdnsRecord>();
    if (!anyAsked) {
      for (const answer of records) {
        if (answer.type !== 'PTR' || typeof answer.data !== 'string') continue;
        for (const r of [
          ...this.source.recordsFor(answer.data, 'SRV'),
          ...this.source.recordsFor(answer.data, 'TXT'),
        ])
          additionals.set(recordKey(r), r);
      }
      const targets = new Set<string>();
      for (const r of additionals.values()) {
        const target = (r.data as { target?: unknown } | null)?.target;
        if (r.type === 'SRV' && typeof target === 'string') targets.add(target);
      }
      for (const target of targets) {
        for (const r of [...this.source.recordsFor(target, 'A'), ...this.source.recordsFor(target, 'AAAA')])
          additionals.set(recordKey(r), r);
      }
    }
    for (const key of answers.keys()) additionals.delete(key);
    const packet = { answers: [...answers.values()], additionals: [...additionals.values()] };
    this.noteSent(packet);
    this.send(packet);
  }

  private schedule(): void {
    if (this.timer || this.pending.size === 0 || this.stopped) return;
    const now = this.now();
    let wait = Infinity;
    for (const [key, { interval }] of this.pending) {
      wait = Math.min(wait, (this.lastSent.get(key) ?? now) + interval - now);
    }
    this.timer = setTimeout(() => this.flush(), Math.max(0, wait));
    this.timer.unref();
  }

  /** Sends the deferred answers whose interval is up (those still registered), in one packet. */
  private flush(): void {
    this.timer = null;
    if (this.stopped) return;
    const now = this.now();
    const due: MdnsRecord[] = [];
    for (const [key, { name, type, interval }] of this.pending) {
      const last = this.lastSent.get(key);
      if (last !== undefined && now - last < interval) continue;
      this.pending.delete(key);
      const record = this.source.recordsFor(name, type).find((r) => recordKey(r) === key);
      if (record) due.push(record);
    }
    if (due.length > 0) this.emit(due, false);
    this.schedule();
  }
}

/** Whether any question asked for type ANY (bonjour-service adds no additionals then). */
function askedAny(questions: unknown[]): boolean {
  return questions.some((q) => (q as { type?: unknown } | null)?.type === 'ANY');
}

/**
 * One key per record: type, name (DNS names compare case-insensitively) and data. A TXT record's
 * data is left out: a service has one TXT, whose data changes when the member count does.
 */
export function recordKey(record: MdnsRecord): string {
  const data = record.type === 'TXT' ? '' : JSON.stringify(record.data);
  return `${record.type}|${record.name.toLowerCase()}|${data}`;
}

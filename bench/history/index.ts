/**
 * History reads over hidden rows: what a member's page of history costs the host in a room
 * where someone else stored 1,000,000 private messages (whispers to themself, which no other
 * member may see), against the same read in the same room without them. The goal is ~1x: a
 * read costs what it returns. The v1 plan (walk (room_id, seq), skip invisible rows one by
 * one) is measured on the same file for contrast: that is what made 4 members fetching at the
 * allowed rate hold the host at 100 % CPU.
 *
 * In process, no network: the figure is SQLite's work, which is all a fetch adds to a host.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostDatabase } from '../../src/core/store/host/HostDatabase';
import { HOST_DB_FILE, migrateHostDatabase } from '../../src/core/store/host/schema';
import { openDatabase, type OpenedDatabase } from '../../src/core/store/openDatabase';
import { MESSAGE_COLUMNS } from '../../src/core/store/messageRow';
import { median, spread } from '../stats';
import type { Bench, Figure } from '../types';

const VISIBLE_ROWS = 1_000;
const GOOD = 'good-member';

/** A host.db with VISIBLE_ROWS group messages, then `hidden` whispers from one key to itself. */
async function room(
  dir: string,
  hidden: number,
): Promise<{ opened: OpenedDatabase; db: HostDatabase; id: string }> {
  const opened = openDatabase(join(dir, HOST_DB_FILE), migrateHostDatabase, 'history');
  const db = HostDatabase.over(opened);
  const { id } = db.room('Bench');
  const insert = (first: number, count: number, to: string | null) =>
    opened.db
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 + ?2 - 1)
         INSERT INTO messages (room_id, seq, id, ts, from_id, from_nick, to_id, to_nick, text, cid)
         SELECT ?3, i, 'm' || i, i, COALESCE(?4, 'someone'), 'N', ?4, ?5, 'message number ' || i, 'c' || i FROM n`,
      )
      .run(first, count, id, to, to === null ? null : 'N');
  opened.db.exec('BEGIN');
  insert(1, VISIBLE_ROWS, null);
  if (hidden > 0) insert(VISIBLE_ROWS + 1, hidden, 'mallory');
  opened.db.exec('COMMIT');
  return { opened, db, id };
}

/** The read v1 did: (room_id, seq) from the newest end, invisible rows filtered one by one. */
const V1_LATEST = `SELECT ${MESSAGE_COLUMNS} FROM messages
  WHERE room_id = ? AND (to_id IS NULL OR from_id = ? OR to_id = ?) ORDER BY seq DESC LIMIT ?`;

/** Microseconds per call of `read`, median over `times` calls. */
function time(read: () => unknown, times: number): number {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    read();
    samples.push((performance.now() - t0) * 1000);
  }
  return median(samples);
}

export const historyBench: Bench = {
  id: 'history',
  title: 'History reads over 1,000,000 hidden rows',
  timeoutMs: 300_000,
  async run(ctx) {
    const hidden = ctx.quick ? 20_000 : 1_000_000;
    const runs = ctx.quick ? 2 : 5;
    const calls = ctx.quick ? 50 : 300;
    const dir = await mkdtemp(join(tmpdir(), 'parley-bench-history-'));
    try {
      ctx.log(`filling a room with ${VISIBLE_ROWS} visible and ${hidden.toLocaleString('en')} hidden rows…`);
      const plain = await room(join(dir, 'plain'), 0);
      const flooded = await room(join(dir, 'flooded'), hidden);
      const reads = {
        latest: (h: HostDatabase) => h.room('Bench').history.latest(GOOD, 50),
        before: (h: HostDatabase) => h.room('Bench').history.before(GOOD, VISIBLE_ROWS + hidden + 1, 200),
        after: (h: HostDatabase) => h.room('Bench').history.after(GOOD, VISIBLE_ROWS - 100, 200),
      };
      const figures: Figure[] = [];
      for (const [name, read] of Object.entries(reads)) {
        const ours: number[] = [];
        const base: number[] = [];
        for (let r = 0; r < runs; r++) {
          // Alternated, so whatever else the machine does falls on both alike.
          base.push(time(() => read(plain.db), calls));
          ours.push(time(() => read(flooded.db), calls));
        }
        figures.push({
          name: `A member's \`${name}\` page with ${hidden.toLocaleString('en')} hidden rows in the room`,
          unit: 'µs/read',
          ours: median(ours),
          baseline: { label: 'the same read with no hidden rows', value: median(base) },
          goal: { kind: 'ratioAtMost', value: 1.5 },
          runs,
          note: `median of ${calls} reads per run; runs ${spread(ours)} µs against ${spread(base)} µs`,
        });
      }
      const v1 = flooded.opened.db.prepare(V1_LATEST);
      const v1Plan = (
        flooded.opened.db.prepare(`EXPLAIN QUERY PLAN ${V1_LATEST}`).all('r', 'm', 'm', 1) as {
          detail: string;
        }[]
      ).map((r) => r.detail);
      const v1Times: number[] = [];
      for (let r = 0; r < runs; r++)
        v1Times.push(time(() => v1.all(flooded.id, GOOD, GOOD, 50), ctx.quick ? 3 : 5));
      figures.push({
        name: `The same \`latest\` page the v1 way (scan of (room_id, seq), rows filtered one by one)`,
        unit: 'µs/read',
        ours: median(v1Times),
        baseline: { label: 'today’s indexed read, same file', value: figures[0]!.ours },
        goal: { kind: 'report' },
        runs,
        note: `what the visibility indexes removed; plan: ${v1Plan.join('; ')}`,
      });
      plain.db.close();
      flooded.db.close();
      return {
        figures,
        details:
          'Each page is the merge of three index range searches (group rows, private rows the member sent, ' +
          'private rows it received; see src/core/store/host/schema.ts), each at most a page long, so rows ' +
          'the member may not see are never read. The room holds 1,000 group messages, then the hidden rows ' +
          '(one key whispering to itself), the worst place for them: between the member and its latest page.',
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

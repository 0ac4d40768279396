/**
 * `npm run bench`: runs every benchmark group, one at a time (two cores: anything running beside
 * a benchmark is part of its result), and writes docs/BENCHMARKS.md and docs/benchmarks.json.
 *
 *   npm run bench -- [--only fanout,discovery] [--quick] [--out DIR]
 *
 * --only reruns some groups and keeps the others' last results from DIR/benchmarks.json.
 * --quick results (small sizes, few runs) go to a temporary folder unless --out says otherwise,
 * so a check that the benchmarks work never overwrites the real figures in docs/.
 * Goals missed are reported, not fatal; a group that fails or overruns its time makes the exit
 * code 1.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { discovery } from './discovery';
import { fanout } from './fanout';
import { historyBench } from './history';
import { reconnect } from './reconnect';
import { roomsBench } from './rooms';
import { json, markdown, type GroupOutcome, type Machine } from './report';
import type { Bench } from './types';
import { windowBench } from './window';

// Every process the benchmarks start inherits it: discovery refuses to multicast outside the
// network namespaces they make (the same guard the LAN tests run under).
process.env.PARLEY_REQUIRE_NETNS = '1';

const ALL: Bench[] = [fanout, discovery, reconnect, windowBench, roomsBench, historyBench];
const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
  strict: true,
});
const OUT = resolve(
  values.out ?? (values.quick ? join(tmpdir(), 'parley-bench') : resolve(import.meta.dirname, '../docs')),
);
mkdirSync(OUT, { recursive: true });
const JSON_FILE = join(OUT, 'benchmarks.json');
const MD_FILE = join(OUT, 'BENCHMARKS.md');
const only = values.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((id) => !ALL.some((b) => b.id === id)) ?? [];
if (unknown.length) {
  console.error(`bench: no group named ${unknown.join(', ')}; have ${ALL.map((b) => b.id).join(', ')}.`);
  process.exit(2);
}
const chosen = only ? ALL.filter((b) => only.includes(b.id)) : ALL;

async function runGroup(bench: Bench): Promise<GroupOutcome> {
  const started = performance.now();
  const date = new Date().toISOString();
  const log = (message: string): void => void process.stderr.write(`[${bench.id}] ${message}\n`);
  log(`${bench.title}…`);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`stopped after ${bench.timeoutMs / 1000} s (its time limit)`)),
        bench.timeoutMs,
      );
    });
    const result = await Promise.race([bench.run({ quick: values.quick, log }), timeout]);
    return { bench, date, ok: true, result, seconds: (performance.now() - started) / 1000 };
  } catch (err) {
    log(`failed: ${(err as Error).stack ?? String(err)}`);
    return {
      bench,
      date,
      ok: false,
      error: (err as Error).message,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** The last results of groups not rerun this time, so --only does not erase them. */
function previousOutcomes(): GroupOutcome[] {
  if (!only || !existsSync(JSON_FILE)) return [];
  try {
    return (JSON.parse(readFileSync(JSON_FILE, 'utf8')) as { groups: GroupOutcome[] }).groups;
  } catch {
    return [];
  }
}

const machine: Machine = {
  date: new Date().toISOString(),
  node: process.versions.node,
  cpus: cpus()[0]?.model.trim() ?? 'unknown CPU',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  quick: values.quick,
};
const fresh: GroupOutcome[] = [];
for (const bench of chosen) fresh.push(await runGroup(bench));
const previous = previousOutcomes();
const outcomes = ALL.flatMap(
  (b) => fresh.find((o) => o.bench.id === b.id) ?? previous.find((o) => o.bench.id === b.id) ?? [],
);
writeFileSync(MD_FILE, markdown(machine, outcomes));
writeFileSync(JSON_FILE, json(machine, outcomes) + '\n');
console.log(`bench: wrote ${MD_FILE} and ${JSON_FILE}`);
// Anything a benchmark left behind (a stray socket, a timer) must not keep the run alive.
process.exit(fresh.every((o) => o.ok) ? 0 : 1);

import type { Browser, Page } from '@playwright/test';

/** What Chromium's trace says about the renderer's main thread over a stretch of time. */
export interface MainThreadTasks {
  /** Tasks over 50 ms of wall time: how long they took, and how much of that the thread ran. */
  long: { wallMs: number; cpuMs: number }[];
  /** The most CPU time (thread time) any one task took, long or not. */
  mostCpuMs: number;
  tasks: number;
}

const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline'];

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/**
 * Runs `during` under a Chromium trace and reads the renderer main thread's tasks from it. The
 * Long Tasks API reports wall time only: on a shared machine a task of a few milliseconds of
 * work can last 100 ms because the thread was not scheduled. The trace's thread time (`tdur`)
 * tells the two apart.
 */
export async function traceMainThread<T>(
  browser: Browser,
  page: Page,
  during: () => Promise<T>,
): Promise<{ value: T; tasks: MainThreadTasks }> {
  await browser.startTracing(page, { categories: CATEGORIES });
  let value: T;
  try {
    value = await during();
  } catch (err) {
    await browser.stopTracing().catch(() => undefined);
    throw err;
  }
  const buffer = await browser.stopTracing();
  const parsed = JSON.parse(buffer.toString('utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const mains = new Set(
    events
      .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  // The page's renderer is the one that ran animation frames.
  const frames = new Map<string, number>();
  for (const e of events) {
    const thread = `${e.pid}:${e.tid}`;
    if (e.name === 'FireAnimationFrame' && mains.has(thread))
      frames.set(thread, (frames.get(thread) ?? 0) + 1);
  }
  const main = [...frames.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const tasks: MainThreadTasks = { long: [], mostCpuMs: 0, tasks: 0 };
  for (const e of events) {
    if (e.name !== 'RunTask' || e.ph !== 'X' || `${e.pid}:${e.tid}` !== main) continue;
    const wallMs = (e.dur ?? 0) / 1000;
    const cpuMs = (e.tdur ?? 0) / 1000;
    tasks.tasks++;
    tasks.mostCpuMs = Math.max(tasks.mostCpuMs, cpuMs);
    if (wallMs > 50) tasks.long.push({ wallMs, cpuMs });
  }
  return { value, tasks };
}

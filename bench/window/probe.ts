/**
 * What the benchmark runs inside the page, installed as an init script before the app loads.
 * Everything is timed with the page's own clock (performance.now(), event and frame timestamps),
 * so nothing of Playwright's round trips lands in a figure.
 */

/** When an open began (the click), when its messages reached the page, and when they were painted. */
export interface OpenTiming {
  click: number;
  /** The first `session` event carrying messages after the click (the bridge handing them over). */
  session: number | null;
  paint: number;
}

export interface ScrollResult {
  /** Durations of the long tasks (over 50 ms, as Chromium reports them) during the scroll. */
  longTasks: number[];
  /** Most list items (messages and notices) in the DOM in any frame of the scroll. */
  mostNodes: number;
  frames: number;
  ms: number;
  /** performance.memory.usedJSHeapSize after the scroll (Chromium only), or null. */
  heapBytes: number | null;
}

export interface BenchProbe {
  /** Starts watching for the next click and for message `seq` to be painted; `opened` resolves then. */
  arm(seq: number): void;
  opened: Promise<OpenTiming> | null;
  /** Scrolls the message list up `pxPerFrame` each frame until message `seq` is on screen. */
  scrollUpTo(seq: number, pxPerFrame: number, maxMs: number): Promise<ScrollResult>;
}

/**
 * The few page APIs the probe uses. The bench is type-checked as Node code (no DOM library), and
 * this code runs in the page: declaring them here keeps it checked without the DOM's globals
 * leaking into every other benchmark.
 */
interface PageRect {
  top: number;
  bottom: number;
  height: number;
}
interface PageElement {
  scrollTop: number;
  getBoundingClientRect(): PageRect;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): { length: number };
}
interface PageEntry {
  startTime: number;
  duration: number;
}
interface PageObserver {
  observe(options: { type: string; buffered: boolean }): void;
  takeRecords(): PageEntry[];
  disconnect(): void;
}
interface PageGlobals {
  __parleyBench: BenchProbe;
  __parleyDispatch?: (name: string, payload: unknown) => void;
  document: {
    querySelector(selector: string): PageElement | null;
    addEventListener(type: 'click', fn: (e: { timeStamp: number }) => void, capture: boolean): void;
    removeEventListener(type: 'click', fn: (e: { timeStamp: number }) => void, capture: boolean): void;
  };
  performance: { now(): number; memory?: { usedJSHeapSize: number } };
  requestAnimationFrame(fn: (ts: number) => void): number;
  getComputedStyle(el: PageElement): { visibility: string };
  PerformanceObserver: new (fn: (list: { getEntries(): PageEntry[] }) => void) => PageObserver;
}

/** The init script (serialised by Playwright: it must not close over anything). */
export function installProbe(): void {
  const w = globalThis as unknown as PageGlobals;
  const { document, performance } = w;
  let sessionAt: number | null = null;
  let armed = false;

  // bindPage's init script assigns __parleyDispatch after this one: note when the session with
  // the room's messages is handed to the app, then pass every event on unchanged.
  let dispatch: ((n: string, p: unknown) => void) | undefined;
  Object.defineProperty(w, '__parleyDispatch', {
    configurable: true,
    get: () => dispatch,
    set(fn: (n: string, p: unknown) => void) {
      dispatch = (name, payload) => {
        const session = (payload as { session?: { messages?: unknown[] } | null } | null)?.session;
        if (armed && sessionAt === null && name === 'session' && (session?.messages?.length ?? 0) > 0) {
          sessionAt = performance.now();
        }
        fn(name, payload);
      };
    },
  });

  const scroller = (): PageElement | null => document.querySelector('.scroller');

  /** On screen: in the DOM, not hidden (virtua hides rows it has not measured), inside the list's box. */
  function onScreen(el: PageElement | null): boolean {
    const box = scroller();
    if (!el || !box || w.getComputedStyle(el).visibility === 'hidden') return false;
    const r = el.getBoundingClientRect();
    const b = box.getBoundingClientRect();
    return r.height > 0 && r.bottom > b.top && r.top < b.bottom;
  }

  w.__parleyBench = {
    opened: null,
    arm(seq) {
      sessionAt = null;
      armed = true;
      let click: number | null = null;
      const onClick = (e: { timeStamp: number }) => {
        if (click === null) click = e.timeStamp;
      };
      document.addEventListener('click', onClick, true);
      this.opened = new Promise((resolve) => {
        // A frame callback's timestamp is the start of the frame that paints what the tasks
        // before it changed: the first frame that finds the message on screen is the one
        // that shows it.
        const frame = (ts: number) => {
          if (click !== null && onScreen(document.querySelector(`li[data-seq="${seq}"]`))) {
            document.removeEventListener('click', onClick, true);
            armed = false;
            resolve({ click, session: sessionAt, paint: ts });
            return;
          }
          w.requestAnimationFrame(frame);
        };
        w.requestAnimationFrame(frame);
      });
    },
    scrollUpTo(seq: number, pxPerFrame: number, maxMs: number) {
      const start = performance.now();
      const longTasks: number[] = [];
      const observer = new w.PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (e.startTime >= start) longTasks.push(e.duration);
      });
      observer.observe({ type: 'longtask', buffered: true });
      let mostNodes = 0;
      let frames = 0;
      return new Promise((resolve, reject) => {
        const frame = (ts: number) => {
          const box = scroller();
          if (!box) return reject(new Error('the message list is gone'));
          frames++;
          mostNodes = Math.max(mostNodes, box.querySelectorAll('[role="log"] li').length);
          if (onScreen(box.querySelector(`li[data-seq="${seq}"]`))) {
            // One more frame, so a task that ran during the last one is reported too.
            w.requestAnimationFrame(() => {
              for (const e of observer.takeRecords()) if (e.startTime >= start) longTasks.push(e.duration);
              observer.disconnect();
              const heapBytes = performance.memory?.usedJSHeapSize ?? null;
              resolve({ longTasks, mostNodes, frames, ms: ts - start, heapBytes });
            });
            return;
          }
          if (ts - start > maxMs) {
            observer.disconnect();
            return reject(new Error(`message ${seq} not reached after ${maxMs} ms of scrolling`));
          }
          box.scrollTop -= pxPerFrame;
          w.requestAnimationFrame(frame);
        };
        w.requestAnimationFrame(frame);
      });
    },
  };
}

import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { events, type EventName } from '../../src/shared/api';
import type { AgentClient } from '../../test/support/AgentClient';

const RENDERER = resolve(import.meta.dirname, '../../out/renderer');
/** A made-up origin: the built renderer is served from disk by Playwright, no server at all. */
export const APP_URL = 'http://parley.test/index.html';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/**
 * A desktop-sized window of its own (a fresh browser context) running the app bound to `agent`.
 * `prepare` runs first, for init scripts that must be in place before the app loads.
 */
export async function openWindow(
  browser: Browser,
  agent: AgentClient,
  prepare?: (page: Page) => Promise<unknown>,
): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1100, height: 720 } })).newPage();
  await prepare?.(page);
  await openApp(page, agent);
  return page;
}

/**
 * Opens the real renderer build in `page` with `window.parley` bound to a real ChatApp (a test
 * agent). The shape and semantics match the preload exactly; only the hop differs: Playwright's
 * binding instead of Electron IPC. Events are delivered in order, one at a time.
 */
export async function openApp(page: Page, agent: AgentClient): Promise<void> {
  await page.route('http://parley.test/**', async (route) => {
    const path = normalize(new URL(route.request().url()).pathname);
    const file = join(RENDERER, path);
    if (!file.startsWith(RENDERER)) return route.fulfill({ status: 403 });
    try {
      const body = await readFile(file);
      return route.fulfill({
        status: 200,
        body,
        contentType: TYPES[extname(file)] ?? 'application/octet-stream',
      });
    } catch {
      return route.fulfill({ status: 404 });
    }
  });

  await page.exposeBinding('__parleySend', (_source, command: unknown, payload: unknown) =>
    agent.raw(String(command), payload),
  );
  await page.addInitScript(() => {
    type Reply = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };
    const w = window as unknown as {
      __parleySend(command: string, payload: unknown): Promise<Reply>;
      __parleyDispatch(name: string, payload: unknown): void;
      parley: unknown;
    };
    const handlers = new Map<string, Set<(payload: unknown) => void>>();
    w.__parleyDispatch = (name, payload) => {
      for (const handler of handlers.get(name) ?? []) handler(payload);
    };
    const bridge = {
      async send(command: string, payload: unknown) {
        const reply = await w.__parleySend(command, payload);
        // As the preload does: the error itself, so the window words it by code and parameters.
        if (!reply.ok) throw reply.error;
        return reply.result;
      },
      subscribe(event: string, handler: (payload: unknown) => void) {
        if (!handlers.has(event)) handlers.set(event, new Set());
        handlers.get(event)!.add(handler);
        return () => void handlers.get(event)?.delete(handler);
      },
    };
    Object.defineProperty(window, 'parley', { value: Object.freeze(bridge), writable: false });
  });

  let queue = Promise.resolve();
  for (const name of Object.keys(events) as EventName[]) {
    agent.on(name, (payload: unknown) => {
      queue = queue
        .then(() =>
          page.evaluate(
            ([n, p]) =>
              (window as never as { __parleyDispatch(n: string, p: unknown): void }).__parleyDispatch(n, p),
            [name, payload] as const,
          ),
        )
        .catch(() => undefined); // the page may be closing; the event has nowhere to go
    });
  }

  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  (page as Page & { parleyErrors?: string[] }).parleyErrors = errors;
  await page.goto(APP_URL);
}

/** Errors the page logged (CSP violations, exceptions): a healthy window logs none. */
export function pageErrors(page: Page): string[] {
  return (page as Page & { parleyErrors?: string[] }).parleyErrors ?? [];
}

import { chromium, type Browser, type Page } from '@playwright/test';
import type { AgentClient } from '../../test/support/AgentClient';
import { openWindow } from '../../e2e/support/bindPage';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../e2e/support/chromium';
import { installProbe, type BenchProbe, type OpenTiming, type ScrollResult } from './probe';
import type { LoopbackRoom } from './rooms';

type Win = { __parleyBench: BenchProbe };

/** Debian's Chromium, with what the e2e tests pass it: nothing reaches outside the machine. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** The real renderer build in a page, bound to `member` exactly as in the e2e tests. */
export function openBenchWindow(browser: Browser, member: AgentClient): Promise<Page> {
  return openWindow(browser, member, async (page) => {
    // tsx compiles this file keeping function names, which wraps functions in calls to its
    // `__name` helper; a function serialised into the page carries those calls, so it needs one.
    await page.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
    await page.addInitScript(installProbe);
  });
}

/**
 * Joins `room` the way a person does (type its address, "Join by address", check the code,
 * "Join") and resolves with the page's timing of that last click until the room's latest
 * message is painted.
 */
export async function openRoom(page: Page, room: LoopbackRoom): Promise<OpenTiming> {
  await page.getByRole('textbox', { name: 'Address' }).fill(room.address);
  await page.getByRole('button', { name: 'Find room' }).click();
  // The first open compares the code ("The codes match — join"); later ones are one click.
  const join = page.getByRole('button', { name: /^(Join|The codes match — join)$/ });
  await join.waitFor();
  await page.evaluate((seq) => (globalThis as unknown as Win).__parleyBench.arm(seq), room.count);
  await join.click();
  return page.evaluate(() => (globalThis as unknown as Win).__parleyBench.opened!);
}

export async function leaveRoom(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Leave room' }).click();
  await page.getByRole('textbox', { name: 'Address' }).waitFor();
}

export function scrollUpTo(
  page: Page,
  seq: number,
  pxPerFrame: number,
  maxMs: number,
): Promise<ScrollResult> {
  return page.evaluate(
    ([s, px, max]) => (globalThis as unknown as Win).__parleyBench.scrollUpTo(s, px, max),
    [seq, pxPerFrame, maxMs] as const,
  );
}

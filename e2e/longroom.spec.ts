import { expect, test, type Page } from '@playwright/test';
import { requireNetnsOrSkip } from '../test/lan/netns';
import { pageErrors } from './support/bindPage';
import { openSeededRoom, type SeededRoom } from './support/seededRoom';
import { scrollTo } from './support/scroll';
import { LIMITS } from '../src/shared/constants';
import { seedHistory, seededText } from '../test/support/seedHistory';

/** Long enough that rendering it all would show; short enough to scroll through in a test. */
const HISTORY = 3_000;
/** A conversation of up to this many entries is kept whole in the DOM (MessageList's MOUNT_ALL_UP_TO). */
const MOUNT_ALL_UP_TO = 200;
/**
 * Most message nodes a longer one may hold: at 1100x720 about 15 rows are on screen, plus
 * virtua's 200 px buffer above and below, with room to spare for short rows.
 */
const MOST_WINDOWED = 60;
/** Messages per earlier page (RoomSession's EARLIER_PAGE). */
const EARLIER_PAGE = 100;

test.describe('a room with a long history', () => {
  test.describe.configure({ mode: 'serial' });

  let room: SeededRoom | undefined;
  let page: Page;

  test.beforeAll(async ({ browser }) => {
    test.skip(!requireNetnsOrSkip(), 'needs root to create network namespaces (ip netns)');
    // Alice hosts a room whose host.db already holds the history: written in one transaction.
    room = await openSeededRoom(browser, 'Archive', (dir) => seedHistory(dir, 'Archive', HISTORY));
    page = room.page;
    await expect(log(page).getByText(seededText(HISTORY), { exact: true })).toBeVisible();
  });

  test.afterAll(async () => {
    await room?.dispose();
  });

  const log = (p: Page) => p.getByRole('log', { name: 'Messages' });

  test('loads earlier pages by itself when scrolled to the top, down to message 1, then marks the beginning', async () => {
    let most = 0;
    await expect
      .poll(
        async () => {
          const seen = await scrollTo(page, 'top');
          most = Math.max(most, seen.nodes);
          return seen.seqs[0];
        },
        { timeout: 120_000 },
      )
      .toBe(1);
    await expect(log(page).getByText(seededText(1), { exact: true })).toBeVisible();
    await expect(page.getByText('This is the beginning of the room.')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Load earlier messages' })).toHaveCount(0);
    expect(most).toBeLessThanOrEqual(MOUNT_ALL_UP_TO);
  });

  test('holds a bounded number of message nodes while every message is reachable by scrolling', async () => {
    const walk = await page.evaluate(async () => {
      const scroller = document.querySelector<HTMLElement>('.scroller')!;
      const frame = () => new Promise((r) => requestAnimationFrame(r));
      const seen = new Set<number>();
      let most = 0;
      scroller.scrollTop = 0;
      for (;;) {
        // Two frames: one for the scroll event to reach the list, one for the list to render.
        await frame();
        await frame();
        const items = scroller.querySelectorAll<HTMLElement>('li[data-seq]');
        most = Math.max(most, items.length);
        for (const item of items) seen.add(Number(item.dataset.seq));
        if (scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 1) break;
        scroller.scrollTop += scroller.clientHeight * 0.8;
      }
      return { seen: seen.size, first: Math.min(...seen), last: Math.max(...seen), most };
    });
    expect({ seen: walk.seen, first: walk.first, last: walk.last }).toEqual({
      seen: HISTORY,
      first: 1,
      last: HISTORY,
    });
    expect(walk.most).toBeLessThanOrEqual(MOST_WINDOWED);
  });

  test('keeps the message in view in place when an earlier page arrives', async () => {
    // A fresh window on the same room: it starts with the latest 50 again.
    await page.reload();
    await expect(log(page).getByText(seededText(HISTORY), { exact: true })).toBeVisible();
    const before = await page.evaluate(() => {
      const scroller = document.querySelector<HTMLElement>('.scroller')!;
      // Scrolled a little below the top: the next page is fetched, and this view must not move.
      scroller.scrollTop = 200;
      return { ...topmost(scroller), height: scroller.scrollHeight };

      function topmost(box: HTMLElement) {
        const top = box.getBoundingClientRect().top;
        const item = [...box.querySelectorAll<HTMLElement>('li[data-seq]')].find(
          (li) => li.getBoundingClientRect().bottom > top + 1,
        )!;
        return { seq: Number(item.dataset.seq), offset: item.getBoundingClientRect().top - top };
      }
    });
    await expect
      .poll(() => page.evaluate(() => document.querySelector<HTMLElement>('.scroller')!.scrollHeight))
      .toBeGreaterThan(before.height);
    // Rows of the new page are measured as they mount; once they are, the message sits where it did.
    const offsetNow = () =>
      page.evaluate((seq) => {
        const scroller = document.querySelector<HTMLElement>('.scroller')!;
        const item = scroller.querySelector<HTMLElement>(`li[data-seq="${seq}"]`);
        return item ? item.getBoundingClientRect().top - scroller.getBoundingClientRect().top : null;
      }, before.seq);
    await expect
      .poll(async () => Math.abs(((await offsetNow()) ?? Infinity) - before.offset))
      .toBeLessThanOrEqual(2);
  });

  test('shows Jump to latest instead of moving the view when a message arrives while scrolled up', async () => {
    const jump = page.getByRole('button', { name: 'Jump to latest' });
    await expect(jump).toBeVisible();
    const shown = await visibleSeqs(page);
    await room!.alice.client.send('chat:send', {
      roomId: room!.alice.client.roomId,
      text: 'news while you read',
    });
    // It has arrived once the live region announces it; the view must not have followed it (the
    // list may hold it off screen: a conversation this short is kept whole).
    await expect(page.getByText('Alice: news while you read', { exact: true })).toHaveCount(1);
    expect(await visibleSeqs(page)).toEqual(shown);
    await expect(log(page).getByText('news while you read', { exact: true })).not.toBeInViewport();
    await jump.click();
    await expect(log(page).getByText('news while you read', { exact: true })).toBeVisible();
    await expect(jump).toHaveCount(0);
    expect(pageErrors(page)).toEqual([]);
  });

  test('hands the focus to the newest message of the page Load earlier messages brings, in view and ringed, and keeps it there while scrolling loads more', async () => {
    // A fresh window: it starts again with the welcome's latest messages (pages loaded earlier
    // are not part of the session), so the press brings the page that ends just below them.
    await page.reload();
    await expect(log(page).getByText(seededText(HISTORY), { exact: true })).toBeVisible();
    const newest = log(page).locator(`li[data-seq="${HISTORY - LIMITS.backlog}"]`);
    await expect(newest).toHaveCount(0);
    // On the button without scrolling up to it (the view stays at the bottom): scrolled near the
    // top, the list would start loading by itself, and which page answers the press would vary.
    await page
      .getByRole('button', { name: 'Load earlier messages' })
      .evaluate((button) => button.focus({ preventScroll: true }));
    await page.keyboard.press('Enter');

    await expect(newest).toBeFocused();
    // virtua scrolled it from far below into view; it may still settle while rows are measured.
    await expect.poll(() => shownWhole(page, HISTORY - LIMITS.backlog)).toBe(true);
    const ring = await newest.evaluate((li) => {
      const style = getComputedStyle(li);
      // What the app's --focus token resolves to, in the form computed styles give.
      const probe = document.createElement('span');
      probe.style.color = 'var(--focus)';
      li.append(probe);
      const focus = getComputedStyle(probe).color;
      probe.remove();
      return {
        focusVisible: li.matches(':focus-visible'),
        style: style.outlineStyle,
        width: parseFloat(style.outlineWidth),
        offset: parseFloat(style.outlineOffset),
        colour: style.outlineColor === focus,
      };
    });
    // The app's ring, drawn inside the row, where the scroller cannot clip it.
    expect(ring).toEqual({ focusVisible: true, style: 'solid', width: 2, offset: -2, colour: true });

    // Scrolled up to the top, the list loads the next page by itself: the focus stays put.
    await page.evaluate(() => (document.querySelector<HTMLElement>('.scroller')!.scrollTop = 0));
    const pressed = HISTORY - LIMITS.backlog - EARLIER_PAGE + 1;
    await expect(log(page).locator(`li[data-seq="${pressed - 1}"]`)).toHaveCount(1);
    await expect(newest).toBeFocused();
    expect(pageErrors(page)).toEqual([]);
  });
});

/** Whether the message `seq` is mounted and wholly inside the list's visible box. */
function shownWhole(page: Page, seq: number): Promise<boolean> {
  return page.evaluate((seq) => {
    const scroller = document.querySelector<HTMLElement>('.scroller')!;
    const item = scroller.querySelector<HTMLElement>(`li[data-seq="${seq}"]`);
    if (!item) return false;
    const box = scroller.getBoundingClientRect();
    const r = item.getBoundingClientRect();
    return r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5;
  }, seq);
}

/** The seqs of the messages inside the list's visible box. */
function visibleSeqs(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const scroller = document.querySelector<HTMLElement>('.scroller')!;
    const box = scroller.getBoundingClientRect();
    return [...scroller.querySelectorAll<HTMLElement>('li[data-seq]')]
      .filter((li) => {
        const r = li.getBoundingClientRect();
        return r.bottom > box.top && r.top < box.bottom;
      })
      .map((li) => Number(li.dataset.seq))
      .sort((a, b) => a - b);
  });
}

import { expect, test, type Page } from '@playwright/test';
import { requireNetnsOrSkip } from '../test/lan/netns';
import { HostDatabase } from '../src/core/store/host/HostDatabase';
import { pageErrors } from './support/bindPage';
import { openSeededRoom, type SeededRoom } from './support/seededRoom';
import { scrollTo } from './support/scroll';
import { seedHistory, seededText } from '../test/support/seedHistory';

test.describe('a room whose host removed old history', () => {
  let room: SeededRoom | undefined;
  let page: Page;

  test.beforeAll(async ({ browser }) => {
    test.skip(!requireNetnsOrSkip(), 'needs root to create network namespaces (ip netns)');
    // 120 messages, of which the retention policy (the latest 70 kept) removed the first 50.
    room = await openSeededRoom(browser, 'Trimmed', (dir) => {
      seedHistory(dir, 'Trimmed', 120);
      const db = HostDatabase.open(dir, { retention: { maxMessages: 70 } });
      db.room('Trimmed');
      db.prune();
      db.close();
    });
    page = room.page;
  });

  test.afterAll(async () => {
    await room?.dispose();
  });

  test('says earlier messages were removed by the host where the kept history begins', async () => {
    const log = page.getByRole('log', { name: 'Messages' });
    await expect(log.getByText(seededText(120), { exact: true })).toBeVisible();
    // Scrolled to the top, the window loads earlier pages by itself. (A click on "Load earlier
    // messages" raced that: the click's own scroll into view started the load, the button went
    // away under it, and the click waited for it until the test timed out.)
    await expect.poll(async () => (await scrollTo(page, 'top')).seqs[0], { timeout: 60_000 }).toBe(51);
    await expect(log.getByText(seededText(51), { exact: true })).toHaveCount(1);
    await expect(page.getByText('Earlier messages were removed by the host.')).toBeVisible();
    await expect(page.getByText('This is the beginning of the room.')).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Load earlier messages' })).toHaveCount(0);
    expect(pageErrors(page)).toEqual([]);
  });
});

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openWindow, pageErrors } from './support/bindPage';
import { aliceAndBob } from './support/people';
import { joinFromLobby } from './support/lobby';

const ARTIFACTS = resolve(import.meta.dirname, 'artifacts');

test.describe('delivery states and history in the window', () => {
  const people = aliceAndBob();

  const messages = (page: Page) => page.getByRole('log', { name: 'Messages' });
  const mine = (page: Page, text: string) => messages(page).getByRole('listitem').filter({ hasText: text });

  test('shows sending, sent and failed, and loads earlier messages back to the first', async ({
    browser,
  }) => {
    const { alice, bob } = people;
    mkdirSync(ARTIFACTS, { recursive: true });
    // Alice's room already has 60 messages when Bob arrives: the welcome carries the latest 50.
    const room = await alice.client.send('room:host', { name: 'History' });
    await alice.client.waitFor('session', ({ session }) => session?.state === 'online');
    for (let i = 1; i <= 60; i++)
      await alice.client.send('chat:send', { roomId: room.id, text: `history ${i}` });
    await alice.client.waitUntil(() => alice.client.lastSeq >= 60, 20_000, '60 messages stored');

    const page = await openWindow(browser, bob.client);
    await joinFromLobby(page, room.name);

    await test.step('the latest 50 arrive; "Load earlier messages" brings the rest, to the first', async () => {
      await expect(messages(page)).toContainText('history 60');
      await expect(messages(page).getByText('history 11', { exact: true })).toBeVisible();
      await expect(messages(page).getByText('history 10', { exact: true })).toHaveCount(0);
      // From the keyboard: when the last page is in, the focus moves to the marker the button became.
      await page.getByRole('button', { name: 'Load earlier messages' }).focus();
      await page.keyboard.press('Enter');
      await expect(messages(page).getByText('history 1', { exact: true })).toHaveCount(1);
      await expect(page.getByRole('button', { name: 'Load earlier messages' })).toHaveCount(0);
      await expect(page.getByText('This is the beginning of the room.')).toBeFocused();
      await expect(messages(page).locator('li[data-seq]')).toHaveCount(60);
    });

    await test.step('a message shows "Sending…" while the host cannot answer, then sent', async () => {
      // Freeze the host's process: the message reaches its socket but nobody acknowledges it.
      alice.child.kill('SIGSTOP');
      await page.getByRole('textbox', { name: 'Message', exact: true }).fill('while the host is frozen');
      await page.getByRole('textbox', { name: 'Message', exact: true }).press('Enter');
      const item = mine(page, 'while the host is frozen');
      await expect(item).toHaveAttribute('data-state', 'sending');
      await expect(item).toContainText('Sending…');
      await page.screenshot({ path: `${ARTIFACTS}/sending.png` });
      alice.child.kill('SIGCONT');
      await expect(item).toHaveAttribute('data-state', 'sent');
      await expect(item).not.toContainText('Sending…');
    });

    await test.step('a private message to someone who has left shows failed, with the reason', async () => {
      await page.getByRole('button', { name: 'Message Alice privately' }).click();
      const gone = bob.client.waitFor('presence', (p) => p.left.some((l) => l.member.nick === 'Alice'));
      await alice.client.send('room:leave', { roomId: alice.client.roomId });
      await gone;
      await page.getByRole('textbox', { name: 'Message Alice' }).fill('are you still there?');
      await page.getByRole('textbox', { name: 'Message Alice' }).press('Enter');
      const item = mine(page, 'are you still there?');
      await expect(item).toHaveAttribute('data-state', 'failed');
      await expect(item).toContainText('Failed');
      await expect(item.getByRole('button', { name: 'Retry' })).toBeVisible();
      await page.screenshot({ path: `${ARTIFACTS}/failed.png` });
    });

    await test.step('the host dies: the room says it is reconnecting and why, and the composer that messages wait', async () => {
      await page.getByRole('tab', { name: /Everyone/ }).click();
      alice.child.kill('SIGKILL');
      // Its sockets close with the process: Bob's app notices at once and tries again.
      await expect(page.getByRole('status')).toContainText('Reconnecting');
      await expect(
        page.getByText('The room is away: messages you send now go out when it is back.'),
      ).toBeVisible();
      await page.getByRole('textbox', { name: 'Message', exact: true }).fill('for when you are back');
      await page.getByRole('textbox', { name: 'Message', exact: true }).press('Enter');
      await expect(mine(page, 'for when you are back')).toHaveAttribute('data-state', 'sending');
    });

    expect(pageErrors(page)).toEqual([]);
  });
});

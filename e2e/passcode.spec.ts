import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openWindow, pageErrors } from './support/bindPage';
import { aliceAndBob } from './support/people';

const ARTIFACTS = resolve(import.meta.dirname, 'artifacts');

test.describe('a room with a passcode, on a simulated LAN', () => {
  const people = aliceAndBob();

  const roomItem = (page: Page, name: string) =>
    page.getByRole('list', { name: 'Rooms on your network' }).getByRole('listitem').filter({ hasText: name });

  test('Alice hosts Lab with a passcode; Bob is turned away with a wrong one and gets in with the right one', async ({
    browser,
  }) => {
    const { alice, bob } = people;
    mkdirSync(ARTIFACTS, { recursive: true });
    const alicePage = await openWindow(browser, alice.client);
    const bobPage = await openWindow(browser, bob.client);

    await test.step('Alice hosts "Lab" with a passcode and is in it herself without typing it again', async () => {
      await alicePage.getByLabel('Room name').fill('Lab');
      await alicePage.getByLabel('Passcode (optional)').fill('blue heron');
      await alicePage.getByRole('button', { name: 'Start hosting' }).click();
      await expect(alicePage.getByRole('heading', { name: 'Lab' })).toBeVisible();
      await expect(alicePage.getByRole('status')).toContainText('Online');
    });

    await test.step("Bob's lobby lists Lab and asks for its passcode", async () => {
      await expect(roomItem(bobPage, 'Lab')).toContainText('Alice');
      await expect(roomItem(bobPage, 'Lab').getByLabel('Passcode')).toBeVisible();
    });

    await test.step('in Chinese the lobby says 密码, on one line (it once wrapped 口 above 令)', async () => {
      await bob.client.send('settings:update', { locale: 'zh-CN' });
      // A narrow window, where the row's input squeezes the label the most.
      const viewport = bobPage.viewportSize()!;
      await bobPage.setViewportSize({ width: 640, height: viewport.height });
      const item = bobPage
        .getByRole('list', { name: '局域网内的房间' })
        .getByRole('listitem')
        .filter({ hasText: 'Lab' });
      const label = item.locator('label', { hasText: '密码' }).locator('span').first();
      await expect(label).toHaveText('密码');
      const box = (await label.boundingBox())!;
      const lineHeight = await label.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight));
      expect(box.height).toBeLessThan(lineHeight * 1.5);
      await bobPage.screenshot({ path: `${ARTIFACTS}/zh-lobby-passcode.png` });
      await bobPage.setViewportSize(viewport);
      await bob.client.send('settings:update', { locale: 'en' });
      await expect(roomItem(bobPage, 'Lab').getByLabel('Passcode')).toBeVisible();
    });

    await test.step('a wrong passcode is refused, and the window says so and asks again', async () => {
      await roomItem(bobPage, 'Lab').getByLabel('Passcode').fill('red heron');
      await roomItem(bobPage, 'Lab').getByRole('button', { name: 'Join Lab' }).click();
      await expect(bobPage.getByRole('status')).toContainText('Offline');
      await expect(bobPage.getByRole('status')).toContainText('That passcode is not right.');
      await expect(bobPage.getByText('Read-only until the room accepts your passcode.')).toBeVisible();
      await bobPage.screenshot({ path: `${ARTIFACTS}/passcode-refused.png` });
      // Alice's room never saw him as a member.
      await expect(alicePage.getByRole('list', { name: 'Members' })).not.toContainText('Bob');
    });

    await test.step('the room asks for another passcode in place; the right one lets him in and they chat', async () => {
      await expect(bobPage.getByRole('button', { name: 'Reconnect' })).toHaveCount(0);
      await bobPage.getByRole('status').getByLabel('Passcode').fill('blue heron');
      await bobPage.getByRole('button', { name: 'Try this passcode' }).click();
      await expect(bobPage.getByRole('status')).toContainText('Online');
      await expect(alicePage.getByRole('list', { name: 'Members' })).toContainText('Bob');
      await bobPage.getByRole('textbox', { name: 'Message', exact: true }).fill('in at last');
      await bobPage.keyboard.press('Enter');
      await expect(alicePage.getByRole('log', { name: 'Messages' })).toContainText('in at last');
    });

    await test.step('Alice stops hosting: Bob is told who stopped hosting what, in plain words', async () => {
      await alicePage.getByRole('button', { name: 'Stop hosting' }).click();
      await expect(bobPage.getByRole('status')).toContainText('Alice stopped hosting Lab.');
      await bobPage.screenshot({ path: `${ARTIFACTS}/host-stopped.png` });
    });

    expect(pageErrors(alicePage)).toEqual([]);
    expect(pageErrors(bobPage)).toEqual([]);
  });
});

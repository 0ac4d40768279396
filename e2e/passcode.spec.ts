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

    const dialog = bobPage.getByRole('dialog', { name: 'Check the room before joining' });

    await test.step("Bob's lobby lists Lab with a lock; joining asks for its code check and passcode in one dialog", async () => {
      await expect(roomItem(bobPage, 'Lab')).toContainText('Alice');
      await expect(roomItem(bobPage, 'Lab').getByRole('img', { name: 'Takes a passcode' })).toBeVisible();
      await roomItem(bobPage, 'Lab').getByRole('button', { name: 'Join Lab' }).click();
      await expect(dialog).toContainText('Lab, hosted by Alice');
      await expect(dialog.getByLabel('This room has a passcode')).toBeFocused();
    });

    await test.step('a wrong passcode is said under the field, and nothing is joined', async () => {
      await dialog.getByLabel('This room has a passcode').fill('red heron');
      await bobPage.keyboard.press('Enter');
      await expect(dialog.getByLabel('This room has a passcode')).toHaveAccessibleDescription(
        'That passcode is not right.',
      );
      await bobPage.screenshot({ path: `${ARTIFACTS}/passcode-refused.png` });
      // No room was opened, not even an empty one: the sidebar has none, Alice never saw him.
      await expect(bobPage.getByText('Rooms you host or join show here.')).toBeVisible();
      await expect(alicePage.getByRole('list', { name: 'Members' })).not.toContainText('Bob');
    });

    await test.step('the right one lets him in and they chat', async () => {
      await dialog.getByLabel('This room has a passcode').fill('blue heron');
      await dialog.getByRole('button', { name: 'The codes match — join' }).click();
      await expect(bobPage.getByRole('heading', { name: 'Lab', level: 1 })).toBeVisible();
      await expect(bobPage.getByRole('status')).toContainText('Online');
      await expect(alicePage.getByRole('list', { name: 'Members' })).toContainText('Bob');
      await bobPage.getByRole('textbox', { name: 'Message', exact: true }).fill('in at last');
      await bobPage.keyboard.press('Enter');
      await expect(alicePage.getByRole('log', { name: 'Messages' })).toContainText('in at last');
      // He compared the code: the room is marked verified.
      await expect(bobPage.getByRole('banner')).toContainText('Verified');
    });

    await test.step('joined before, Lab asks for the passcode in its lobby row, 密码 on one line in Chinese', async () => {
      await bobPage.getByRole('button', { name: 'Leave room' }).click();
      await expect(roomItem(bobPage, 'Lab').getByText('Verified')).toBeVisible();
      await bob.client.send('settings:update', { locale: 'zh-CN' });
      // A narrow window, where the row's input squeezes the label the most (it once wrapped 口 above 令).
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
    });

    await test.step('a missing passcode in the row is an error in place; Enter with the right one joins', async () => {
      // (The host lets a member it admitted before back in without asking again: no wrong one here.)
      const field = roomItem(bobPage, 'Lab').getByLabel('Passcode', { exact: true });
      await field.press('Enter');
      await expect(field).toHaveAccessibleDescription('This room needs a passcode.');
      await expect(bobPage.getByText('Rooms you host or join show here.')).toBeVisible();
      await field.fill('blue heron');
      await field.press('Enter');
      await expect(bobPage.getByRole('heading', { name: 'Lab', level: 1 })).toBeVisible();
      await expect(bobPage.getByRole('status')).toContainText('Online');
    });

    await test.step('Alice stops hosting: Bob is told who stopped hosting what, in plain words', async () => {
      await alicePage.getByRole('button', { name: 'Stop hosting' }).click();
      await expect(bobPage.getByRole('status')).toContainText('Alice stopped hosting Lab.');
      // The timeline marks where the room went away, and the members last seen are kept, greyed.
      await expect(bobPage.getByRole('log', { name: 'Messages' })).toContainText('Not connected since');
      await expect(bobPage.getByRole('heading', { name: 'Last seen here (2)' })).toBeVisible();
      await bobPage.screenshot({ path: `${ARTIFACTS}/host-stopped.png` });
    });

    expect(pageErrors(alicePage)).toEqual([]);
    expect(pageErrors(bobPage)).toEqual([]);
  });
});

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { aliceAndBob } from './support/people';
import { openWindow, pageErrors } from './support/bindPage';

const ARTIFACTS = resolve(import.meta.dirname, 'artifacts');
const CODE = /\d{4} \d{4} \d{4} \d{4}/;

test.describe('invite links, on a simulated LAN', () => {
  const people = aliceAndBob();

  test("Bob opens Alice's invite link: it fills his join form, and he joins after the verification dialog", async ({
    browser,
  }) => {
    const { alice, bob } = people;
    const alicePage = await openWindow(browser, alice.client);
    const bobPage = await openWindow(browser, bob.client);
    let link = '';
    let code = '';

    await test.step('Alice hosts Office with a passcode and opens its invite: a link and a QR code, no passcode in either', async () => {
      await alicePage.getByLabel('Room name').fill('Office');
      await alicePage.getByLabel('Passcode').fill('blue whale kitchen');
      await alicePage.getByRole('button', { name: 'Start hosting' }).click();
      await expect(alicePage.getByRole('heading', { name: 'Office', level: 1 })).toBeVisible();
      code = CODE.exec((await alicePage.getByText(/^Verification code: /).textContent()) ?? '')![0];

      await alicePage.getByRole('button', { name: 'Invite' }).click();
      const dialog = alicePage.getByRole('dialog', { name: 'Invite people to Office' });
      await expect(dialog.getByRole('img', { name: 'QR code of the invite link' })).toBeVisible();
      await expect(dialog).toContainText('The link does not carry it');
      link = await dialog.getByRole('textbox', { name: 'Invite link' }).inputValue();
      expect(link).toMatch(/^parley:\/\/join\?/);
      expect(link).toContain(`at=${encodeURIComponent(alice.address)}`);
      expect(link).not.toContain('whale');
      mkdirSync(ARTIFACTS, { recursive: true });
      await dialog.screenshot({ path: resolve(ARTIFACTS, 'invite-dialog.png') });
      await dialog.getByRole('button', { name: 'Close' }).click();
      await expect(dialog).toHaveCount(0);
    });

    await test.step('the link reaches Bob’s app (as from a second launch): his join form holds it, nothing is asked yet', async () => {
      await bob.client.raw('shell:open-link', { link });
      const field = bobPage.getByLabel('Address or invite link');
      await expect(field).toHaveValue(link);
      await expect(field).toBeFocused();
      await expect(field).toHaveAccessibleDescription(
        'Invite link to Office, hosted by Alice. Find the room to see its verification code.',
      );
      expect((await bob.client.send('app:snapshot', {})).sessions).toEqual([]);
    });

    await test.step('Bob finds the room: the dialog shows the code the link carried, and asks the passcode', async () => {
      await bobPage.getByRole('button', { name: 'Find room' }).click();
      const panel = bobPage.getByRole('dialog', { name: 'Check the room before joining' });
      await expect(panel).toContainText('Office, hosted by Alice');
      await expect(panel).toContainText(code);
      await expect(panel).toContainText('This code came with the invite link');
      await panel.getByLabel('This room has a passcode').fill('blue whale kitchen');
      await panel.getByRole('button', { name: 'The codes match — join' }).click();
      await expect(bobPage.getByRole('heading', { name: 'Office', level: 1 })).toBeVisible();
      await expect(bobPage.getByRole('status')).toContainText('Online');
      await expect(bobPage.getByText('Verified', { exact: true })).toBeVisible();
    });

    await test.step('a damaged link is said under the field, and nothing is asked', async () => {
      const broken = link.replace(/fp=[0-9a-f]+/, 'fp=nothex');
      await bob.client.raw('shell:open-link', { link: broken });
      const field = bobPage.getByLabel('Address or invite link');
      await expect(field).toHaveValue(broken);
      await expect(field).toHaveAttribute('aria-invalid', 'true');
      await expect(field).toHaveAccessibleDescription(
        'This invite link is damaged: its certificate fingerprint is missing or wrong.',
      );
    });

    expect(pageErrors(alicePage)).toEqual([]);
    expect(pageErrors(bobPage)).toEqual([]);
  });
});

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openWindow, pageErrors } from './support/bindPage';
import { aliceAndBob } from './support/people';

const ARTIFACTS = resolve(import.meta.dirname, 'artifacts');

test.describe('two people on a simulated LAN', () => {
  const people = aliceAndBob();

  const messages = (page: Page) => page.getByRole('log', { name: 'Messages' });
  const composer = (page: Page, name = 'Message') => page.getByRole('textbox', { name, exact: true });

  test('Alice hosts Office, Bob finds and joins it, they chat in public and in private, and Bob leaves', async ({
    browser,
  }) => {
    const { alice, bob } = people;
    mkdirSync(ARTIFACTS, { recursive: true });
    const alicePage = await openWindow(browser, alice.client);
    const bobPage = await openWindow(browser, bob.client);

    await test.step('the lobby says who each person appears as; the settings hold the nickname', async () => {
      await expect(alicePage.getByText('You appear as Alice.')).toBeVisible();
      await expect(bobPage.getByText('You appear as Bob.')).toBeVisible();
      await alicePage.getByRole('button', { name: 'Change' }).click();
      await expect(alicePage.getByRole('heading', { name: 'Settings' })).toBeVisible();
      await expect(alicePage.getByLabel('Your nickname')).toHaveValue('Alice');
      await expect(alicePage.getByLabel('Language')).toBeVisible();
      await expect(alicePage.getByLabel('Theme')).toHaveValue('system');
      await alicePage
        .getByRole('navigation', { name: 'Rooms' })
        .getByRole('button', { name: 'All rooms' })
        .click();
    });

    await test.step('Alice hosts "Office" and is in it, online', async () => {
      // An empty name is refused in the form, said under the field and tied to it for screen readers.
      await alicePage.getByRole('button', { name: 'Start hosting' }).click();
      await expect(alicePage.getByLabel('Room name')).toHaveAttribute('aria-invalid', 'true');
      await expect(alicePage.getByLabel('Room name')).toHaveAccessibleDescription('Give the room a name.');
      await alicePage.getByLabel('Room name').fill('Office');
      await alicePage.getByRole('button', { name: 'Start hosting' }).click();
      await expect(alicePage.getByRole('heading', { name: 'Office' })).toBeVisible();
      await expect(alicePage.getByRole('status')).toContainText('Online');
      // The host is told which address others can type into "Join by address".
      await expect(alicePage.getByText(`Join address: ${alice.address}:`)).toBeVisible();
    });

    await test.step("Bob's lobby lists Office, hosted by Alice, found over mDNS on the LAN", async () => {
      const rooms = bobPage.getByRole('list', { name: 'Rooms on your network' });
      const office = rooms.getByRole('listitem').filter({ hasText: 'Office' });
      await expect(office).toContainText('Alice');
      await expect(office).toContainText('1 member');
      await bobPage.screenshot({ path: `${ARTIFACTS}/lobby.png` });
    });

    await test.step('the first join asks Bob to compare the verification code; Escape cancels, joining nothing', async () => {
      const office = bobPage
        .getByRole('list', { name: 'Rooms on your network' })
        .getByRole('listitem')
        .filter({ hasText: 'Office' });
      const aliceCode = /\d{4} \d{4} \d{4} \d{4}/.exec(
        (await alicePage.getByText(/^Verification code: /).textContent()) ?? '',
      )![0];
      await office.getByRole('button', { name: 'Join Office' }).click();
      const dialog = bobPage.getByRole('dialog', { name: 'Check the room before joining' });
      await expect(dialog).toContainText('Office, hosted by Alice');
      await expect(dialog).toContainText(aliceCode);
      await expect(dialog).toContainText('Ask Alice to read the code shown in their window');
      await expect(dialog.getByRole('button', { name: 'The codes match — join' })).toBeFocused();
      await bobPage.screenshot({ path: `${ARTIFACTS}/verify-dialog.png` });
      await bobPage.keyboard.press('Escape');
      await expect(dialog).toHaveCount(0);
      await expect(bobPage.getByText('Rooms you host or join show here.')).toBeVisible();

      await office.getByRole('button', { name: 'Join Office' }).click();
      await dialog.getByRole('button', { name: 'The codes match — join' }).click();
      await expect(bobPage.getByRole('heading', { name: 'Office' })).toBeVisible();
      await expect(bobPage.getByRole('banner')).toContainText('Verified');
      await expect(bobPage.getByRole('status')).toContainText('Online');
    });

    await test.step('both member lists show 2 and Alice sees Bob join', async () => {
      for (const page of [alicePage, bobPage]) {
        await expect(page.getByRole('heading', { name: 'Members (2)' })).toBeVisible();
        await expect(page.getByRole('list', { name: 'Members' }).getByRole('listitem')).toHaveCount(2);
      }
      await expect(messages(alicePage)).toContainText('Bob joined');
      // Bob learned of Alice from the roster: who was there before him is no news to him.
      await expect(messages(bobPage).locator('li.notice')).toHaveCount(0);
    });

    await test.step('messages go both ways, marked (me) for the sender', async () => {
      await composer(bobPage).fill('Hello from Bob');
      await composer(bobPage).press('Enter');
      await expect(messages(alicePage)).toContainText('Hello from Bob');
      await expect(
        messages(bobPage).getByRole('listitem').filter({ hasText: 'Hello from Bob' }),
      ).toContainText('(me)');

      await composer(alicePage).fill('Hi Bob\n你好，欢迎');
      await composer(alicePage).press('Control+Enter');
      await expect(messages(bobPage)).toContainText('你好，欢迎');
      await alicePage.screenshot({ path: `${ARTIFACTS}/room.png` });
    });

    await test.step('on a wide window, a long message keeps a readable line length', async () => {
      await bobPage.setViewportSize({ width: 1900, height: 900 });
      const long = 'A rather long line about the agenda for tomorrow. '.repeat(8).trim();
      await composer(alicePage).fill(long);
      await composer(alicePage).press('Enter');
      const text = messages(bobPage).getByText(long);
      await expect(text).toBeVisible();
      const { width, column, ch } = await text.evaluate((el) => {
        const probe = document.createElement('span');
        probe.textContent = '0'.repeat(10);
        el.append(probe);
        const tenCh = probe.getBoundingClientRect().width;
        probe.remove();
        return {
          width: el.getBoundingClientRect().width,
          column: el.closest('.scroller')!.getBoundingClientRect().width,
          ch: tenCh / 10,
        };
      });
      // Held to 72 characters' width although the column is far wider.
      expect(column).toBeGreaterThan(100 * ch);
      expect(width).toBeLessThanOrEqual(72 * ch + 1);
      await bobPage.setViewportSize({ width: 1100, height: 720 });
    });

    await test.step('a web link in a message is a link to click; other schemes stay text', async () => {
      const text =
        'Docs: https://intranet.example/wiki?page=1, not javascript:alert(1) or file:///etc/passwd';
      await composer(alicePage).fill(text);
      await composer(alicePage).press('Enter');
      const message = messages(bobPage).getByRole('listitem').filter({ hasText: 'Docs:' });
      await expect(message).toContainText(text);
      // Not clicked: the test sends nothing beyond the simulated LAN. Main opens such links in
      // the system browser (electron.hardening.test.ts checks the handler).
      const links = message.getByRole('link');
      await expect(links).toHaveCount(1);
      await expect(links).toHaveText('https://intranet.example/wiki?page=1');
      await expect(links).toHaveAttribute('href', 'https://intranet.example/wiki?page=1');
      await expect(links).toHaveAttribute('target', '_blank');
      await expect(links).toHaveAttribute('rel', 'noopener noreferrer');
    });

    await test.step('Bob sends Alice a private message that only she receives', async () => {
      await bobPage.getByRole('button', { name: 'Message Alice privately' }).click();
      // It says what "private" means here: hidden from the others, not from the host's computer.
      await expect(
        bobPage.getByText('Other members can’t see it; the host’s computer relays and stores it.'),
      ).toBeVisible();
      await composer(bobPage, 'Message Alice').fill('Just between us');
      await composer(bobPage, 'Message Alice').press('Enter');
      await expect(messages(bobPage)).toContainText('Just between us');

      const tab = alicePage.getByRole('tablist', { name: 'Conversations' }).getByRole('tab', { name: /Bob/ });
      await expect(tab).toBeVisible();
      await expect(messages(alicePage)).not.toContainText('Just between us');
      await tab.click();
      await expect(messages(alicePage)).toContainText('Just between us');
      await alicePage.screenshot({ path: `${ARTIFACTS}/private.png` });
      await alicePage.getByRole('tab', { name: /Everyone/ }).click();
    });

    await test.step('Alice closes the private conversation; a new message or the member list brings it back', async () => {
      const tabs = alicePage.getByRole('tablist', { name: 'Conversations' });
      const bobTab = tabs.getByRole('tab', { name: /Bob/ });
      await bobTab.click();
      await bobTab.press('Delete');
      await expect(bobTab).toHaveCount(0);
      // The focus goes to the tab before it, on the room's own conversation.
      await expect(tabs.getByRole('tab', { name: /Everyone/ })).toBeFocused();
      await expect(tabs.getByRole('tab', { name: /Everyone/ })).toHaveAttribute('aria-selected', 'true');

      await composer(bobPage, 'Message Alice').fill('Still there?');
      await composer(bobPage, 'Message Alice').press('Enter');
      await expect(bobTab).toBeVisible();
      await expect(bobTab).toHaveAccessibleDescription(/1 unread message/);

      // With the mouse: the × on the tab closes it without selecting it first.
      await bobTab.hover();
      await bobTab.getByTestId('close-conversation').click();
      await expect(bobTab).toHaveCount(0);
      // Closed stays closed when the window reloads (its saved messages would otherwise reopen it).
      await alicePage.reload();
      await expect(messages(alicePage)).toContainText('Hi Bob');
      await expect(tabs.getByRole('tab', { name: /Everyone/ })).toBeVisible();
      await expect(bobTab).toHaveCount(0);
      // The member list says what a click on a name does, where the pointer is.
      const bobInList = alicePage.getByRole('button', { name: 'Message Bob privately' });
      await bobInList.hover();
      await expect(bobInList.getByText('Message', { exact: true })).toBeVisible();
      await bobInList.click();
      await expect(bobTab).toHaveAttribute('aria-selected', 'true');
      await expect(messages(alicePage)).toContainText('Just between us');
      await expect(messages(alicePage)).toContainText('Still there?');
      await alicePage.getByRole('tab', { name: /Everyone/ }).click();
    });

    await test.step('Bob leaves: Alice sees the notice and 1 member', async () => {
      // Each says what it does: for the host, that leaving does not stop the room.
      await expect(alicePage.getByRole('button', { name: 'Leave room' })).toHaveAttribute(
        'title',
        /stays hosted/,
      );
      await expect(bobPage.getByRole('button', { name: 'Leave room' })).toHaveAttribute(
        'title',
        /saved copy stays/,
      );
      // A name cut short by the header's width can still be read whole.
      await expect(bobPage.getByRole('heading', { name: 'Office', level: 1 })).toHaveAttribute(
        'title',
        'Office',
      );
      await bobPage.getByRole('button', { name: 'Leave room' }).click();
      await expect(bobPage.getByRole('list', { name: 'Rooms on your network' })).toBeVisible();
      await expect(messages(alicePage)).toContainText('Bob left');
      await expect(alicePage.getByRole('heading', { name: 'Members (1)' })).toBeVisible();
    });

    await test.step('Alice stops hosting and leaves: the lobby lists Office as hers, to host again', async () => {
      await alicePage.getByRole('button', { name: 'Stop hosting' }).click();
      await alicePage.getByRole('button', { name: 'Leave room' }).click();
      const known = alicePage.getByRole('list', { name: 'Rooms you joined before' });
      const office = known.getByRole('listitem').filter({ hasText: 'Office' });
      await expect(office).toContainText('Not hosted now');
      await office.getByRole('button', { name: 'Host Office again' }).click();
      // The form, name filled in, asks again whether it takes a passcode (none is ever stored).
      await expect(alicePage.getByLabel('Room name')).toHaveValue('Office');
      await expect(alicePage.locator('#host-passcode')).toBeFocused();
      await alicePage.getByRole('button', { name: 'Start hosting' }).click();
      await expect(alicePage.getByRole('heading', { name: 'Office', level: 1 })).toBeVisible();
      await expect(alicePage.getByRole('status')).toContainText('Online');
    });

    expect(pageErrors(alicePage)).toEqual([]);
    expect(pageErrors(bobPage)).toEqual([]);
  });
});

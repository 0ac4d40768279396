import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { createLan, requireNetnsOrSkip, type Lan } from '../test/lan/netns';
import { startAgent, type RunningAgent } from '../test/support/agents';
import type { EventPayload } from '../src/shared/api';
import { openWindow, pageErrors } from './support/bindPage';

const ARTIFACTS = resolve(import.meta.dirname, 'artifacts');

test.describe('several rooms in one window', () => {
  let lan: Lan;
  let alice: RunningAgent;
  let carol: RunningAgent;
  let bob: RunningAgent;

  test.beforeAll(async () => {
    test.skip(!requireNetnsOrSkip(), 'needs root to create network namespaces (ip netns)');
    lan = await createLan(['alice', 'carol', 'bob']);
    [alice, carol, bob] = await Promise.all([
      startAgent(lan, 'alice', 'Alice'),
      startAgent(lan, 'carol', 'Carol'),
      startAgent(lan, 'bob', 'Bob'),
    ]);
  });
  test.afterAll(async () => {
    await Promise.all([alice?.dispose(), carol?.dispose(), bob?.dispose()]);
    await lan?.destroy();
  });

  const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Rooms' });
  const yourRooms = (page: Page) => sidebar(page).getByRole('list', { name: 'Your rooms' });
  const roomButton = (page: Page, name: string) => yourRooms(page).getByRole('button', { name });
  const composer = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });
  const messages = (page: Page) => page.getByRole('log', { name: 'Messages' });
  const scrollTop = (page: Page) => page.locator('.scroller').evaluate((el) => Math.round(el.scrollTop));

  test('Bob is in three rooms at once: badges for background rooms, and each room keeps its draft and scroll', async ({
    browser,
  }) => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // Office has a history long enough to scroll; Lab is quiet.
    const office = await alice.client.send('room:host', { name: 'Office' });
    const lab = await carol.client.send('room:host', { name: 'Lab' });
    await alice.client.waitFor('session', ({ session }) => session?.state === 'online');
    for (let i = 1; i <= 60; i++) {
      await alice.client.send('chat:send', { roomId: office.id, text: `office note ${i}` });
    }
    await alice.client.waitUntil(() => alice.client.lastSeq >= 60, 20_000, '60 messages stored');
    const page = await openWindow(browser, bob.client);

    await test.step('the sidebar lists the rooms on the network; Bob joins two of them and hosts a third', async () => {
      const network = sidebar(page).getByRole('list', { name: 'On this network' });
      for (const name of ['Office', 'Lab']) {
        await network.getByRole('button', { name }).click();
        // The lobby shows that room with its Join button focused: Enter joins it.
        await expect(page.getByRole('button', { name: `Join ${name}` })).toBeFocused();
        await page.keyboard.press('Enter');
        // First contact: the code check, its confirm button focused.
        await expect(page.getByRole('button', { name: 'The codes match — join' })).toBeFocused();
        await page.keyboard.press('Enter');
        await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
        await expect(page.getByRole('status')).toContainText('Online');
      }
      await sidebar(page).getByRole('button', { name: 'Host a room' }).click();
      await expect(page.getByLabel('Room name')).toBeFocused();
      await page.getByLabel('Room name').fill('Garage');
      await page.getByRole('button', { name: 'Start hosting' }).click();
      await expect(page.getByRole('heading', { name: 'Garage', level: 1 })).toBeVisible();
      await expect(yourRooms(page).getByRole('listitem')).toHaveCount(3);
      await expect(roomButton(page, 'Garage')).toHaveAccessibleDescription(/hosted by you/);
      await expect(roomButton(page, 'Garage')).toHaveAttribute('aria-current', 'page');
      await expect(network).toHaveCount(0);
    });

    await test.step('a draft stays with its room while Bob looks at another', async () => {
      await roomButton(page, 'Office').click();
      await composer(page).fill('half a thought for the office');
      await roomButton(page, 'Lab').click();
      await expect(composer(page)).toHaveValue('');
      await composer(page).fill('a lab draft');
      await roomButton(page, 'Office').click();
      await expect(composer(page)).toHaveValue('half a thought for the office');
      await roomButton(page, 'Lab').click();
      await expect(composer(page)).toHaveValue('a lab draft');
    });

    await test.step('messages in a background room raise its badge; private ones to Bob have their own', async () => {
      await expect(page.getByRole('heading', { name: 'Lab', level: 1 })).toBeVisible();
      // What Bob's core asks the shell to show, as the test bridge hears it.
      const asked: EventPayload<'notify'>[] = [];
      bob.client.on('notify', (request) => asked.push(request));
      // Every event the core sent before answering a command has arrived once it answers.
      const settled = async () => void (await bob.client.send('app:snapshot', {}));
      const officeEntry = roomButton(page, 'Office');
      await alice.client.send('chat:send', { roomId: office.id, text: 'news in the office' });
      await expect(officeEntry).toHaveAccessibleDescription(/1 unread message/);
      await expect(officeEntry.locator('.badge:not(.private)')).toHaveText('1');
      const bobInOffice = (await bob.client.sessionIn(office.id))!.me!.id;
      await alice.client.send('chat:send', { roomId: office.id, text: 'just for you', to: bobInOffice });
      await expect(officeEntry.locator('.badge.private')).toHaveText('@1');
      await expect(officeEntry).toHaveAccessibleDescription(/1 private message to you/);
      await settled();
      expect(asked).toEqual([
        expect.objectContaining({
          kind: 'message',
          roomName: 'Office',
          from: 'Alice',
          preview: 'news in the office',
        }),
        expect.objectContaining({
          kind: 'message',
          roomName: 'Office',
          private: true,
          preview: 'just for you',
        }),
      ]);
      // The window's title counts what waits in every room, for the taskbar and window switcher.
      await expect(page).toHaveTitle('(2) Lab — Parley');
      // The room on screen never counts what Bob is reading.
      await carol.client.send('chat:send', { roomId: lab.id, text: 'hello from the lab' });
      await expect(messages(page)).toContainText('hello from the lab');
      await expect(roomButton(page, 'Lab').locator('.badge')).toHaveCount(0);
      // Nor does it notify: the focused window shows it.
      await settled();
      expect(asked).toHaveLength(2);
      // Do not disturb, set in Settings: the badge still counts, nothing asks for attention.
      const settings = sidebar(page).getByRole('button', { name: 'Settings' });
      await settings.click();
      await page
        .getByRole('group', { name: 'Do not disturb' })
        .getByRole('button', { name: 'An hour' })
        .click();
      await expect(page.getByRole('status').filter({ hasText: 'No notifications until' })).toBeVisible();
      await roomButton(page, 'Lab').click();
      await alice.client.send('chat:send', { roomId: office.id, text: 'during do not disturb' });
      await expect(officeEntry.locator('.badge:not(.private)')).toHaveText('2');
      await settled();
      expect(asked).toHaveLength(2);
      await settings.click();
      await page.getByRole('button', { name: 'Turn off do not disturb' }).click();
      await expect(page.getByRole('group', { name: 'Do not disturb' })).toBeVisible();
      await roomButton(page, 'Lab').click();
      await page.screenshot({ path: `${ARTIFACTS}/rooms.png` });

      // Opening Office reads its Everyone conversation; the private one waits in its tab.
      await officeEntry.click();
      await expect(messages(page)).toContainText('news in the office');
      await expect(officeEntry.locator('.badge:not(.private)')).toHaveCount(0);
      await expect(officeEntry.locator('.badge.private')).toHaveText('@1');
      await page.getByRole('tablist', { name: 'Conversations' }).getByRole('tab', { name: /Alice/ }).click();
      await expect(messages(page)).toContainText('just for you');
      await expect(officeEntry.locator('.badge')).toHaveCount(0);
      await expect(page).toHaveTitle('Office — Parley');

      // Office set to notify nothing of its own: its chatter stays quiet, private messages do not.
      await page.getByLabel('Notifications for Office').selectOption('nothing');
      await expect(page.getByLabel('Notifications for Office')).toHaveValue('nothing');
      await roomButton(page, 'Lab').click();
      const before = asked.length;
      await alice.client.send('chat:send', { roomId: office.id, text: 'office chatter' });
      await expect(officeEntry.locator('.badge:not(.private)')).toHaveText('1');
      await alice.client.send('chat:send', { roomId: office.id, text: 'only you', to: bobInOffice });
      await expect(officeEntry.locator('.badge.private')).toHaveText('@1');
      await settled();
      expect(asked.slice(before)).toEqual([expect.objectContaining({ private: true, preview: 'only you' })]);
      // Reading both conversations clears both badges (Office opens on the tab it was left on).
      await officeEntry.click();
      await page.getByRole('tab', { name: /Everyone/ }).click();
      await page.getByRole('tablist', { name: 'Conversations' }).getByRole('tab', { name: /Alice/ }).click();
      await expect(officeEntry.locator('.badge')).toHaveCount(0);
      await page.getByRole('tab', { name: /Everyone/ }).click();
    });

    await test.step('each room keeps its scroll position and its "Jump to latest" across switches', async () => {
      await expect(messages(page)).toContainText('news in the office');
      // Everything loaded first (scrolling up loads earlier pages by itself), then the middle.
      await page.locator('.scroller').evaluate((el) => (el.scrollTop = 0));
      await expect(page.getByText('This is the beginning of the room.')).toBeVisible();
      await page
        .locator('.scroller')
        .evaluate((el) => (el.scrollTop = (el.scrollHeight - el.clientHeight) / 2));
      await expect(page.getByRole('button', { name: 'Jump to latest' })).toBeVisible();
      const before = await scrollTop(page);
      const firstShown = await page.locator('li[data-seq]').first().getAttribute('data-seq');
      await roomButton(page, 'Lab').click();
      await expect(page.getByRole('button', { name: 'Jump to latest' })).toHaveCount(0);
      await roomButton(page, 'Office').click();
      await expect(page.getByRole('button', { name: 'Jump to latest' })).toBeVisible();
      await expect.poll(() => scrollTop(page)).toBe(before);
      await expect(page.locator('li[data-seq]').first()).toHaveAttribute('data-seq', firstShown!);
    });

    await test.step('in Chinese and in the dark theme, the same window', async () => {
      await bob.client.send('settings:update', { locale: 'zh-CN', theme: 'dark' });
      await expect(page.getByRole('navigation', { name: '房间' })).toContainText('我的房间');
      // The idioms Chinese chat apps use.
      await expect(page.getByRole('button', { name: '创建房间' })).toBeVisible();
      await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
      const background = await page.locator('html').evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(background).toBe('rgb(22, 24, 29)');
      await page.screenshot({ path: `${ARTIFACTS}/rooms-dark-zh.png` });
      await bob.client.send('settings:update', { locale: 'en', theme: 'system' });
      await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
      // "System" follows the OS while the window is open.
      await page.emulateMedia({ colorScheme: 'dark' });
      await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
      await page.emulateMedia({ colorScheme: 'light' });
      await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    });

    await test.step('the same person has the same colour in every room; the sidebar says which rooms are up', async () => {
      // Alice joins Lab too: her avatar there is coloured as in Office (by nickname, not room id).
      await alice.client.send('room:join', { roomId: lab.id });
      await roomButton(page, 'Lab').click();
      const members = page.getByRole('list', { name: 'Members' });
      await expect(members).toContainText('Alice');
      const colourIn = async () =>
        members
          .getByRole('button', { name: 'Message Alice privately' })
          .locator('.avatar')
          .getAttribute('class');
      const inLab = await colourIn();
      await roomButton(page, 'Office').click();
      await expect(members).toContainText('Alice');
      expect(await colourIn()).toBe(inLab);
      // The host badge marks who hosts the room on screen.
      await expect(members.getByRole('button', { name: 'Message Alice privately' })).toContainText('host');

      await expect(roomButton(page, 'Lab')).toHaveAccessibleDescription(/^online/);
      await carol.client.send('room:stop-hosting', { roomId: lab.id });
      await expect(roomButton(page, 'Lab')).toHaveAccessibleDescription(/^(offline|reconnecting)/);
    });

    await test.step('clicking a notification shows its room and conversation', async () => {
      await roomButton(page, 'Garage').click();
      const asked = new Promise<EventPayload<'notify'>>((resolve) =>
        bob.client.once('notify', (request) => resolve(request)),
      );
      const bobInOffice = (await bob.client.sessionIn(office.id))!.me!.id;
      await alice.client.send('chat:send', {
        roomId: office.id,
        text: 'see the notification?',
        to: bobInOffice,
      });
      const request = await asked;
      expect(request).toMatchObject({ kind: 'message', roomId: office.id, private: true });
      // What the shell does on a click (src/main/index.ts), through the test agent.
      await bob.client.raw('shell:notification-clicked', request);
      await expect(page.getByRole('heading', { name: 'Office', level: 1 })).toBeVisible();
      await expect(
        page.getByRole('tablist', { name: 'Conversations' }).getByRole('tab', { name: /Alice/ }),
      ).toHaveAttribute('aria-selected', 'true');
      await expect(messages(page)).toContainText('see the notification?');
    });

    await test.step('a notification about an older message of a room brings that message into view', async () => {
      const row = messages(page).locator('li[data-seq="30"]');
      await roomButton(page, 'Office').click();
      await page
        .getByRole('tablist', { name: 'Conversations' })
        .getByRole('tab', { name: /^Everyone/ })
        .click();
      // At the latest messages, "office note 30" is far above the view.
      await expect(messages(page)).toContainText('office note 60');
      await expect(row).not.toBeInViewport();
      await roomButton(page, 'Garage').click();
      await bob.client.raw('shell:notification-clicked', { roomId: office.id, conversation: '', seq: 30 });
      await expect(page.getByRole('heading', { name: 'Office', level: 1 })).toBeVisible();
      await expect(row).toBeInViewport();
      await expect(row).toContainText('office note 30');
    });

    expect(pageErrors(page)).toEqual([]);
  });
});

import { expect, test } from '@playwright/test';
import { aliceAndBob } from './support/people';
import { openWindow, pageErrors } from './support/bindPage';

test.describe('settings the shell acts on, on a simulated LAN', () => {
  const people = aliceAndBob();

  test('Bob turns on start at login and chooses what closing the window does; the app keeps both', async ({
    browser,
  }) => {
    const { bob } = people;
    const page = await openWindow(browser, bob.client);
    await page.getByRole('button', { name: 'Settings' }).click();
    const section = page.getByRole('heading', { name: 'Starting and closing' });
    await expect(section).toBeVisible();

    const atLogin = page.getByRole('checkbox', { name: 'Start Parley when I log in' });
    await expect(atLogin).not.toBeChecked();
    await atLogin.check();
    const closing = page.getByLabel('Closing the window, where there is no tray icon');
    await expect(closing).toHaveValue('ask');
    await closing.selectOption({ label: 'Keep running in the background' });

    // The core keeps them (the shell reads them: the login item, the close of the window).
    await expect
      .poll(async () => {
        const { settings } = await bob.client.send('app:snapshot', {});
        return [settings.startAtLogin, settings.closeAction];
      })
      .toEqual([true, 'background']);

    // In Chinese too.
    await page.getByLabel('Language').selectOption('zh-CN');
    await expect(page.getByRole('checkbox', { name: '登录时启动 Parley' })).toBeChecked();
    await expect(page.getByLabel('关闭窗口时（没有托盘图标的情况下）')).toHaveValue('background');
    expect(pageErrors(page)).toEqual([]);
  });
});

test.describe('statuses, on a simulated LAN', () => {
  const people = aliceAndBob();

  test('Alice sees Bob away while his machine is idle, busy in his Do not disturb, and available after', async ({
    browser,
  }) => {
    const { alice, bob } = people;
    const office = await alice.client.send('room:host', { name: 'Office' });
    await alice.client.waitFor('session', ({ session }) => session?.state === 'online');
    const port = (await alice.client.send('app:snapshot', {})).lobby.find((r) => r.id === office.id)!
      .endpoints[0]!.port;
    const address = `${alice.address}:${port}`;
    const seen = await bob.client.send('room:check-address', { address });
    await bob.client.send('room:join-address', { address, fingerprint: seen.fingerprint });
    const page = await openWindow(browser, alice.client);
    const bobInList = page
      .getByRole('list', { name: 'Members' })
      .getByRole('button', { name: 'Message Bob privately' });
    await expect(bobInList).toBeVisible();
    await expect(bobInList).not.toContainText('away');

    await bob.client.raw('shell:idle', { idle: true });
    await expect(bobInList).toContainText('away');
    await bob.client.send('settings:update', { quietUntil: Date.now() + 60 * 60 * 1000 });
    await expect(bobInList).toContainText('busy');
    await bob.client.send('settings:update', { quietUntil: null });
    await bob.client.raw('shell:idle', { idle: false });
    await expect(bobInList).not.toContainText(/away|busy/);
    expect(pageErrors(page)).toEqual([]);
  });
});

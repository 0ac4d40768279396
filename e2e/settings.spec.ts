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

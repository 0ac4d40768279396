import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { instanceName } from '../src/core/discovery/txt';
import { createLan, requireNetnsOrSkip, waitForLine, type Lan, type Line } from '../test/lan/netns';
import { startAgent, type RunningAgent } from '../test/support/agents';
import { openWindow, pageErrors } from './support/bindPage';

const ATTACK = resolve(import.meta.dirname, '../test/lan/fixtures/attack.ts');
const CODE = /\d{4} \d{4} \d{4} \d{4}/;

test.describe('a first-contact impostor in the lobby, on a simulated LAN', () => {
  let lan: Lan;
  let alice: RunningAgent;
  let bob: RunningAgent;

  test.beforeAll(async () => {
    test.skip(!requireNetnsOrSkip(), 'needs root to create network namespaces (ip netns)');
    lan = await createLan(['alice', 'bob', 'eve']);
    [alice, bob] = await Promise.all([startAgent(lan, 'alice', 'Alice'), startAgent(lan, 'bob', 'Bob')]);
  });

  test.afterAll(async () => {
    await Promise.all([alice?.dispose(), bob?.dispose()]);
    await lan?.destroy();
  });

  test("Bob's lobby shows Eve's copy of Office as a possible impostor, in English and Chinese, and joins it only after a warning", async ({
    browser,
  }) => {
    const alicePage = await openWindow(browser, alice.client);
    const bobPage = await openWindow(browser, bob.client);
    await alicePage.getByLabel('Room name').fill('Office');
    await alicePage.getByRole('button', { name: 'Start hosting' }).click();
    await expect(alicePage.getByRole('heading', { name: 'Office' })).toBeVisible();
    const aliceCode = CODE.exec((await alicePage.getByText(/^Verification code: /).textContent()) ?? '')![0];

    const rooms = bobPage.getByRole('list', { name: 'Rooms on your network' });
    const offices = rooms.getByRole('listitem').filter({ hasText: 'Office' });
    await expect(offices).toHaveCount(1);

    // Eve answers for Office's id with her own certificate, under its own service name.
    const { hosting } = await alice.client.send('app:snapshot', {});
    const id = hosting[0]!.id;
    const eve = lan.spawn('eve', process.execPath, [
      ...['--import', 'tsx', ATTACK, 'impostor', '--id', id, '--name', 'Office', '--host', 'Alice'],
      ...[
        '--fqdn',
        `${instanceName('Office', id)}._parley._tcp.local`,
        '--address',
        lan.machines.eve!.address,
      ],
    ]);
    await waitForLine<Line>(eve, (l) => l.event === 'impostor', 20_000, 'impostor up');

    await expect(offices).toHaveCount(2);
    const real = offices.filter({ hasText: aliceCode });
    const fake = offices.filter({ hasNotText: aliceCode });
    await expect(real).not.toContainText('Possible impostor');
    await expect(real).not.toContainText('Certificate changed');
    await expect(fake).toContainText(
      'Possible impostor: another computer answers for this room with a different certificate',
    );
    await expect(fake).not.toContainText('Certificate changed');

    // Join on the suspect entry warns first; Cancel leaves Bob in the lobby.
    await fake.getByRole('button', { name: 'Join Office' }).click();
    const warning = bobPage.getByRole('alert').filter({ hasText: 'This may not be the real room' });
    await expect(warning).toContainText('Join only if the host reads you this same code.');
    await warning.getByRole('button', { name: 'Cancel' }).click();
    await expect(warning).toHaveCount(0);
    await expect(bobPage.getByRole('heading', { name: 'Office' })).toHaveCount(0);

    await bob.client.send('settings:update', { locale: 'zh-CN' });
    const fakeZh = bobPage
      .getByRole('list', { name: '局域网内的房间' })
      .getByRole('listitem')
      .filter({ hasText: 'Office' })
      .filter({ hasNotText: aliceCode });
    await expect(fakeZh).toContainText('可能是冒充者：另一台电脑以不同的证书冒用此房间');
    await fakeZh.getByRole('button', { name: '加入 Office' }).click();
    await expect(bobPage.getByRole('alert')).toContainText('这可能不是真正的房间');
    await bobPage.getByRole('alert').getByRole('button', { name: '取消' }).click();
    await bob.client.send('settings:update', { locale: 'en' });

    // The real entry joins on Alice's certificate, once its code is compared.
    await real.getByRole('button', { name: 'Join Office' }).click();
    const dialog = bobPage.getByRole('dialog', { name: 'Check the room before joining' });
    await expect(dialog).toContainText(aliceCode);
    await dialog.getByRole('button', { name: 'The codes match — join' }).click();
    await expect(bobPage.getByRole('heading', { name: 'Office' })).toBeVisible();
    await expect(bobPage.getByRole('status')).toContainText('Online');
    await expect(bobPage.getByText(`Verification code: ${aliceCode}`)).toBeVisible();
    expect(pageErrors(bobPage)).toEqual([]);
  });
});

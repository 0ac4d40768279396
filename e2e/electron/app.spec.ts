import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';

const ROOT = resolve(import.meta.dirname, '../..');
const ELECTRON_DIR = join(ROOT, 'node_modules/electron');

/** The Electron binary, if this machine has one; it is downloaded on first start where possible. */
function electronBinary(): string | null {
  const pathFile = join(ELECTRON_DIR, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(ELECTRON_DIR, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

const binary = electronBinary();
// Fixed, unusual port so Bob can join by address; discovery is off so no multicast leaves the machine.
const PORT = 47_391;

test.describe('the real Electron app', () => {
  test.skip(
    binary === null,
    'Electron binary not installed here (it is downloaded from GitHub on first `npm start`); the same story runs in Chromium against the real core.',
  );

  const dirs: string[] = [];
  const apps: ElectronApplication[] = [];
  const launch = async (nick: string) => {
    const dir = mkdtempSync(join(tmpdir(), `parley-electron-${nick}-`));
    dirs.push(dir);
    const app = await electron.launch({
      executablePath: binary!,
      // As root (the workflow runs the LAN tests so), Chromium's own sandbox cannot start; the
      // window's sandbox, context isolation and no Node integration are what this test checks.
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), join(ROOT, 'out/main/index.js')],
      env: { ...process.env, PARLEY_USER_DATA: dir, PARLEY_DISCOVERY: 'off', PARLEY_HOST_PORT: String(PORT) },
    });
    apps.push(app);
    const page = await app.firstWindow();
    return { app, page };
  };

  test.afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('the window is sandboxed and isolated, and two apps chat over loopback', async () => {
    const alice = await launch('Alice');
    // Sandboxed, isolated, no Node: the page sees neither require nor process, only the bridge.
    expect(
      await alice.page.evaluate(() => [
        typeof (globalThis as { require?: unknown }).require,
        typeof (globalThis as { process?: unknown }).process,
      ]),
    ).toEqual(['undefined', 'undefined']);
    expect(await alice.page.evaluate(() => Object.keys(window.parley).sort())).toEqual(['send', 'subscribe']);

    await alice.page.getByLabel('Room name').fill('Office');
    await alice.page.getByRole('button', { name: 'Start hosting' }).click();
    await expect(alice.page.getByRole('status')).toContainText('Online');

    // Alice's app still holds the single-instance lock for her data folder only.
    const bob = await launch('Bob');
    await bob.page.getByLabel('Address or invite link').fill(`127.0.0.1:${PORT}`);
    await bob.page.getByRole('button', { name: 'Find room' }).click();
    await bob.page.getByRole('button', { name: 'The codes match — join' }).click();
    await expect(bob.page.getByRole('heading', { name: 'Members (2)' })).toBeVisible();

    await bob.page.getByRole('textbox', { name: 'Message', exact: true }).fill('Hello from Electron');
    await bob.page.getByRole('textbox', { name: 'Message', exact: true }).press('Enter');
    await expect(alice.page.getByRole('log', { name: 'Messages' })).toContainText('Hello from Electron');
  });
});

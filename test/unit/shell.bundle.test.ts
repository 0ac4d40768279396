/**
 * The Electron shell as a person meets it, from the BUILT main bundle with a recording fake
 * `electron` (support/probeShell.ts): a link at launch and from a second launch, a private
 * message that becomes a notification and, clicked, the window at its conversation, the badge
 * and the tray counting it, the tray's menu, closing to the tray (or, with no tray, the
 * question), start at login and Quit. The room is real: this test joins it with a ChatApp.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatInvite } from '../../src/core/invite/inviteLink';
import { APP_ID } from '../../src/main/appId';
import { autostartFile, HIDDEN_SWITCH } from '../../src/main/loginItem';
import { buildBundles } from './support/builtBundles';
import { ChatApp } from '../../src/core/ChatApp';
import { joinAddress, send, waitOnline } from './support/apps';

/** A report read back as JSON: its shape is what the assertions check. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const ROOT = resolve(import.meta.dirname, '../..');
const LINK = formatInvite({
  roomId: 'room-1',
  name: 'Lab',
  host: 'Carol',
  endpoints: [{ host: '10.0.0.3', port: 4000 }],
  fingerprint: 'd'.repeat(64),
  passcode: false,
});
let outDir: string;
const scratch: string[] = [];
const stops: (() => Promise<void>)[] = [];

/** Runs the probe; `onHosted` is told the room it hosts. Resolves with its report and the XDG folder. */
async function runProbe(
  env: NodeJS.ProcessEnv,
  onHosted?: (room: { port: number; me: string; roomId: string }) => Promise<void>,
  onLine?: (line: string) => Promise<string | null>,
): Promise<{ report: Json; configHome: string }> {
  const userData = mkdtempSync(join(tmpdir(), 'parley-shell-data-'));
  const configHome = mkdtempSync(join(tmpdir(), 'parley-shell-xdg-'));
  scratch.push(userData, configHome);
  const child = spawn(process.execPath, [join(ROOT, 'test/unit/support/probeShell.ts'), outDir], {
    cwd: ROOT,
    env: {
      ...process.env,
      PARLEY_USER_DATA: userData,
      PARLEY_DISCOVERY: 'off',
      PARLEY_PROBE_LINK: LINK,
      PARLEY_FAKE_PACKAGED: '1',
      XDG_CONFIG_HOME: configHome,
      XDG_CURRENT_DESKTOP: 'KDE',
      ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
      PARLEY_HOST_PORT: '',
      ...env,
    },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  for await (const line of createInterface({ input: child.stdout })) {
    if (line.startsWith('HOSTED ')) await onHosted?.(JSON.parse(line.slice(7)));
    const answer = await onLine?.(line);
    if (answer) child.stdin.write(`${answer}\n`);
    if (line.startsWith('PROBE ')) {
      await exited;
      return { report: JSON.parse(line.slice(6)), configHome };
    }
  }
  throw new Error(`the probe printed no report (exit ${await exited}):\n${stderr}`);
}

let withTray: { report: Json; configHome: string };
let bobId = '';

beforeAll(async () => {
  outDir = buildBundles('parley-shell-');
  let statusOfHost = (_status: string): Promise<string> => Promise.reject(new Error('not joined'));
  withTray = await runProbe(
    {},
    async ({ port, me, roomId }) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'parley-shell-bob-'));
      scratch.push(dataDir);
      const bob = new ChatApp({ dataDir, defaultNickname: 'Bob', discovery: false });
      stops.push(() => bob.stop());
      bob.start();
      await joinAddress(bob, port);
      await waitOnline(bob, roomId);
      bobId = bob.snapshot().sessions[0]!.me!.id;
      // What Bob's app hears of the host's own status, from here on.
      const heard: string[] = [];
      bob.on('presence', (p) => {
        for (const { id, status } of p.statuses) if (id === me) heard.push(status);
      });
      statusOfHost = async (status) => {
        for (let i = 0; i < 500 && !heard.includes(status); i++) await new Promise((r) => setTimeout(r, 10));
        return heard.includes(status) ? status : `not ${status}`;
      };
      await send(bob, 'chat:send', { roomId, text: 'psst, <b>lunch</b>?', to: me });
    },
    async (line) => {
      if (line === 'LOCKED') return statusOfHost('away');
      if (line === 'UNLOCKED') return statusOfHost('active');
      return null;
    },
  );
}, 120_000);

afterAll(async () => {
  for (const stop of stops) await stop();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('the shell (built main bundle)', () => {
  it('registers as the parley: handler, with a tray that offers Open, Do not disturb and Quit', () => {
    expect(withTray.report.startup).toEqual({
      protocolRegistrations: [['parley']],
      tooltip: 'Parley',
      menu: ['Open Parley', 'Nothing unread', 'Do not disturb', 'Quit Parley'],
    });
  });

  it('holds a link from the launch until the window has loaded, then shows it; a second launch’s link too', () => {
    const { linkBeforeLoad, links } = withTray.report;
    expect(linkBeforeLoad).toBe(0);
    expect(links.first).toEqual({
      link: LINK,
      room: { id: 'room-1', name: 'Lab', host: 'Carol', passcode: false },
    });
    // Only the link is read from the second launch's arguments; a bad one is said as such.
    expect(links.second).toEqual({ link: 'parley://join?room=x', fault: 'name' });
  });

  it('shows a private message as a plain-text notification; a click shows the window at that conversation', () => {
    const { notification } = withTray.report;
    expect(notification.options).toEqual({
      title: 'Bob (private) · Office',
      body: 'psst, &lt;b&gt;lunch&lt;/b&gt;?',
    });
    expect(notification.windowShownOnClick).toBe(true);
    expect(notification.opened).toMatchObject({ conversation: bobId, seq: expect.any(Number) });
  });

  it('counts it on the badge and in the tray, whose menu lists the room with its count', () => {
    const { notification } = withTray.report;
    expect(notification.badgeCounts).toContain(1);
    expect(notification.tooltip).toBe('Parley: 1 unread');
    expect(notification.menu).toEqual(['Open Parley', 'Office (1)', 'Do not disturb', 'Quit Parley']);
  });

  it('shows the user away to the room while the screen is locked, and back when it is unlocked', () => {
    expect([withTray.report.lockedSeen, withTray.report.unlockedSeen]).toEqual(['away', 'active']);
  });

  it("turns Do not disturb on from the tray for an hour, ticked, and opens a room from the tray's menu", () => {
    const { tray } = withTray.report;
    expect(tray.quietUntilFromNow).toBeGreaterThan(59 * 60 * 1000);
    expect(tray.quietUntilFromNow).toBeLessThanOrEqual(60 * 60 * 1000);
    expect(tray.checkedAfter).toBe(true);
    expect(tray.openedRoom).toEqual({ roomId: expect.any(String), conversation: '' });
  });

  it('closes the window to the tray, saying so once, and the tray icon brings it back', () => {
    const { close } = withTray.report;
    expect(close.closed).toEqual([false, false]);
    expect(close.visibleAfterClose).toBe(false);
    expect(close.notes).toEqual([
      {
        title: 'Parley is still running',
        body: 'Your rooms stay open, and the rooms you host stay up. Quit from the tray icon’s menu.',
      },
    ]);
    expect(close.visibleAfterTrayClick).toBe(true);
    expect(close.trayNoted).toBe(true);
  });

  it('starts at login hidden, through an XDG autostart entry on Linux', () => {
    if (process.platform !== 'linux') return;
    const file = autostartFile(withTray.configHome);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toMatch(new RegExp(`^Exec=".*" ${HIDDEN_SWITCH}$`, 'm'));
  });

  it('quits from the tray only after leaving the rooms with goodbyes', () => {
    const { quit } = withTray.report;
    expect(quit.exitedAtOnce).toBe(false);
    expect(quit.quitCalls).toBe(2);
    expect(quit.trayDestroyed).toBe(true);
  });

  it('where no tray icon is shown, asks on close whether to keep running, and remembers “Quit”', async () => {
    const { report } = await runProbe({
      PARLEY_PROBE_MODE: 'no-tray',
      XDG_CURRENT_DESKTOP: 'GNOME',
      PATH: '/nonexistent',
    });
    expect(report.trays).toBe(0);
    expect(report.closed).toBe(false);
    expect(report.asked).toMatchObject({
      title: 'Keep Parley running?',
      buttons: ['Keep running', 'Quit'],
      checkboxLabel: 'Do not ask again',
    });
    expect(report.closeAction).toBe('quit');
  });

  it('uses the installer’s app id for Windows notifications', () => {
    const builder = JSON.parse(readFileSync(join(ROOT, 'electron-builder.json'), 'utf8')) as {
      appId: string;
    };
    expect(builder.appId).toBe(APP_ID);
  });
});

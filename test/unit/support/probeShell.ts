/**
 * Drives the BUILT main bundle (`<outDir>/main/index.js`) under plain Node, `electron` resolved
 * to fakeElectron.ts, through what a person does with the shell, and prints what it saw as one
 * JSON line (`PROBE {...}`). test/unit/shell.bundle.test.ts runs it in its own process:
 *
 *   PARLEY_USER_DATA=<tmp> PARLEY_DISCOVERY=off XDG_CONFIG_HOME=<tmp> PARLEY_FAKE_PACKAGED=1 \
 *     node test/unit/support/probeShell.ts <outDir>
 *
 * It hosts a room through the bridge and prints `HOSTED {"port":…,"me":…}`; the test then joins
 * it with a ChatApp of its own and sends a private message, which must come out of the shell
 * as a notification. Erasable TypeScript only, node: imports only.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as FakeHook from './useFakeElectron';

/** A report read back as JSON: its shape is what the assertions check. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const outDir = process.argv[2];
if (!outDir) throw new Error('usage: probeShell.ts <outDir>');
// Node runs this file itself (type stripping), so the hook is imported by its file name.
const hook = (await import(new URL('./useFakeElectron.ts', import.meta.url).href)) as typeof FakeHook;
const fake = await hook.useFakeElectron();
const { recording, app, powerMonitor } = fake;
/** Lines the test writes to us, one awaited at a time. */
const lines = (await import('node:readline')).createInterface({ input: process.stdin });
const fromTest = lines[Symbol.asyncIterator]();
const told = async (): Promise<string> => String((await fromTest.next()).value);

// A link on the first launch's command line, before any window could show it.
const LINK = process.env.PARLEY_PROBE_LINK!;
process.argv.push(LINK);
await import(pathToFileURL(join(outDir, 'main/index.js')).href);

type Handler = (...args: unknown[]) => unknown;
const tick = () => new Promise((r) => setImmediate(r));
async function until<T>(what: string, check: () => T | undefined | null | false, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`probe: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const win = await until('the window', () => recording.windows[0]);
const wc = win.webContents;

// Where no tray icon is shown (GNOME without AppIndicator), closing the window asks.
if (process.env.PARLEY_PROBE_MODE === 'no-tray') {
  await new Promise((r) => setTimeout(r, 50));
  recording.messageBoxReply = { response: 1, checkboxChecked: true };
  const closed = win.close();
  const asked = await until('the question', () => recording.messageBoxes[0]);
  await until('the app to quit', () => recording.appCalls.some((c) => c.method === 'exit'));
  const settings = JSON.parse(
    (await import('node:fs')).readFileSync(join(process.env.PARLEY_USER_DATA!, 'settings.json'), 'utf8'),
  ) as Record<string, unknown>;
  const report = { trays: recording.trays.length, closed, asked, closeAction: settings.closeAction };
  process.stdout.write(`PROBE ${JSON.stringify(report)}\n`);
  process.exit(0);
}
const tray = await until('the tray', () => recording.trays[0]);
const send = recording.ipcHandlers.get('parley:send') as Handler;
const fromWindow = { sender: wc, senderFrame: wc.mainFrame };
async function command(name: string, payload: unknown): Promise<Json> {
  const reply = (await send(fromWindow, name, payload)) as { ok: boolean; result?: unknown; error?: unknown };
  if (!reply.ok) throw new Error(`probe: ${name} failed: ${JSON.stringify(reply.error)}`);
  return reply.result as Json;
}
const events = (name: string) =>
  wc.sent.filter((s) => s.channel === 'parley:event' && s.args[0] === name).map((s) => s.args[1] as Json);
const menuLabels = () => (tray.menu?.items ?? []).filter((i) => i.type !== 'separator').map((i) => i.label);
const clickMenu = (label: string) => {
  const item = tray.menu!.items.find((i) => i.label === label);
  if (!item) throw new Error(`probe: no tray item ${label} in ${JSON.stringify(menuLabels())}`);
  (item.click as Handler)();
};
const calls = (method: string) => recording.appCalls.filter((c) => c.method === method).map((c) => c.args);

const report: Record<string, unknown> = {};
report.startup = {
  protocolRegistrations: calls('setAsDefaultProtocolClient'),
  tooltip: tray.tooltip,
  menu: menuLabels(),
};

// ---- links: held until the window loaded, then shown; a second launch's link comes too ----
report.linkBeforeLoad = events('invite').length;
wc.emit('did-finish-load');
const firstInvite = await until('the launch link', () => events('invite')[0]);
app.emit('second-instance', {}, ['/opt/Parley/parley', '--some-switch', 'parley://join?room=x']);
const secondInvite = await until('the second link', () => events('invite')[1]);
report.links = { first: firstInvite, second: secondInvite };

// ---- a private message in a room this app hosts: notification, click, badge, tray -------
const room = await command('room:host', { name: 'Office' });
const me = await until('our own session online', () => {
  const session = events('session').find((e) => e.roomId === room.id && e.session?.state === 'online');
  return session?.session.me.id as string | undefined;
});
const snapshot = await command('app:snapshot', {});
const port = snapshot.lobby.find((r: { id: string }) => r.id === room.id).endpoints[0].port;
process.stdout.write(`HOSTED ${JSON.stringify({ port, me, roomId: room.id })}\n`);
const shown = await until('a notification', () => recording.notifications.find((n) => n.shown));
win.hide();
shown.emit('click');
await tick();
await until('the tray to count it', () => tray.tooltip !== 'Parley');
report.notification = {
  options: shown.options,
  windowShownOnClick: win.visible,
  opened: events('open').at(-1),
  badgeCounts: calls('setBadgeCount').map((args) => args[0]),
  tooltip: tray.tooltip,
  menu: menuLabels(),
};

// ---- away while the screen is locked, back when unlocked (the test watches from the room) --
powerMonitor.emit('lock-screen');
process.stdout.write('LOCKED\n');
report.lockedSeen = await told();
powerMonitor.emit('unlock-screen');
process.stdout.write('UNLOCKED\n');
report.unlockedSeen = await told();

// ---- the tray's menu ----------------------------------------------------------------------
clickMenu('Do not disturb');
const quietSettings = await until('do not disturb on', () =>
  events('settings').find((s) => s.quietUntil !== null),
);
await tick();
const dnd = tray.menu!.items.find((i) => i.label === 'Do not disturb');
clickMenu('Office (1)');
report.tray = {
  quietUntilFromNow: (quietSettings.quietUntil as number) - Date.now(),
  checkedAfter: dnd?.checked,
  openedRoom: events('open').at(-1),
};

// ---- closing the window: to the tray, said once --------------------------------------------
const notesBefore = recording.notifications.length;
const firstClose = win.close();
const visibleAfterClose = win.visible;
const secondClose = win.close();
tray.emit('click');
report.close = {
  closed: [firstClose, secondClose],
  visibleAfterClose,
  notes: recording.notifications.slice(notesBefore).map((n) => n.options),
  visibleAfterTrayClick: win.visible,
  trayNoted: (await command('app:snapshot', {})).settings.trayNoted,
};

// ---- start at login -------------------------------------------------------------------------
await command('settings:update', { startAtLogin: true });
await tick();
report.loginItem = { platform: process.platform };

// ---- Quit: ends the rooms with goodbyes, then quits -------------------------------------------
clickMenu('Quit Parley');
const exitedAtOnce = calls('exit').length > 0;
await until('the exit after goodbyes', () => calls('exit').length > 0);
report.quit = { exitedAtOnce, quitCalls: calls('quit').length, trayDestroyed: tray.destroyed };

process.stdout.write(`PROBE ${JSON.stringify(report)}\n`);
process.exit(0);

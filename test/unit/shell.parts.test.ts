import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { linkInArgv, LinkInbox, registerLinkHandler } from '../../src/main/deepLinks';
import { applyLoginItem, autostartFile, HIDDEN_SWITCH } from '../../src/main/loginItem';
import { shellWords } from '../../src/main/shellWords';
import { trayMenu, TRAY_ROOMS } from '../../src/main/trayMenu';
import { trayShown } from '../../src/main/trayPresence';

const LINK = 'parley://join?room=r&name=Office&host=Alice&at=10.0.0.2%3A4000&fp=' + 'a'.repeat(64);

describe('links handed to the shell', () => {
  it('takes the last parley: argument of a launch, whatever its case, and nothing else', () => {
    expect(linkInArgv(['/opt/Parley/parley', '--hidden', LINK])).toBe(LINK);
    expect(linkInArgv(['parley.exe', 'PARLEY://join?x', '--flag'])).toBe('PARLEY://join?x');
    expect(linkInArgv(['parley.exe', 'parley://a', 'parley://b'])).toBe('parley://b');
    // The executable itself is never a link, and other schemes are not links at all.
    expect(linkInArgv(['parley:evil'])).toBeNull();
    expect(linkInArgv(['parley', 'https://example.com', '--inspect=9229'])).toBeNull();
    expect(linkInArgv(['parley', `parley://${'x'.repeat(5000)}`])).toBeNull();
  });

  it('registers as the parley: handler when packaged, and in development only on Windows with the entry script', () => {
    const calls: unknown[][] = [];
    const app = (isPackaged: boolean) => ({
      isPackaged,
      setAsDefaultProtocolClient: (...args: unknown[]) => (calls.push(args), true),
    });
    registerLinkHandler(app(true), { platform: 'linux', execPath: '/opt/Parley/parley', entry: undefined });
    registerLinkHandler(app(false), {
      platform: 'linux',
      execPath: '/usr/bin/electron',
      entry: 'out/main/index.js',
    });
    registerLinkHandler(app(false), {
      platform: 'win32',
      execPath: 'C:\\electron.exe',
      entry: 'D:\\parley\\out\\main\\index.js',
    });
    expect(calls).toEqual([['parley'], ['parley', 'C:\\electron.exe', ['D:\\parley\\out\\main\\index.js']]]);
  });

  it('holds links until the window has loaded, then hands them on in order; again after it closes', () => {
    const handed: string[] = [];
    const inbox = new LinkInbox((link) => handed.push(link));
    inbox.receive('parley://1');
    inbox.receive('parley://2');
    expect(handed).toEqual([]);
    inbox.ready();
    inbox.receive('parley://3');
    expect(handed).toEqual(['parley://1', 'parley://2', 'parley://3']);
    inbox.closed();
    inbox.receive('parley://4');
    expect(handed).toHaveLength(3);
    inbox.ready();
    expect(handed.at(-1)).toBe('parley://4');
  });
});

describe('the tray menu', () => {
  const words = shellWords('en');
  function menu(state: Parameters<typeof trayMenu>[0]) {
    const did: string[] = [];
    const items = trayMenu(state, words, {
      open: () => did.push('open'),
      openRoom: (roomId) => did.push(`room ${roomId}`),
      setQuiet: (on) => did.push(`quiet ${on}`),
      quit: () => did.push('quit'),
    });
    const click = (label: string) => (items.find((i) => i.label === label)!.click as () => void)();
    return { items, did, click };
  }

  it('offers Open, each room with unread messages and its count, Do not disturb and Quit, each doing what it says', () => {
    const { items, did, click } = menu({
      rooms: [
        { roomId: 'o', name: 'Office & Lab', count: 3 },
        { roomId: 'g', name: 'Garage', count: 1 },
      ],
      total: 4,
      quiet: false,
    });
    expect(items.filter((i) => i.type !== 'separator').map((i) => i.label)).toEqual([
      'Open Parley',
      'Office && Lab (3)',
      'Garage (1)',
      'Do not disturb',
      'Quit Parley',
    ]);
    expect(items.find((i) => i.label === 'Do not disturb')).toMatchObject({
      type: 'checkbox',
      checked: false,
    });
    click('Open Parley');
    click('Garage (1)');
    click('Do not disturb');
    click('Quit Parley');
    expect(did).toEqual(['open', 'room g', 'quiet true', 'quit']);
  });

  it('says when nothing is unread, turns Do not disturb off when on, and lists at most a few rooms', () => {
    const quiet = menu({ rooms: [], total: 0, quiet: true });
    expect(quiet.items.find((i) => i.label === 'Nothing unread')).toMatchObject({ enabled: false });
    quiet.click('Do not disturb');
    expect(quiet.did).toEqual(['quiet false']);
    const many = Array.from({ length: 20 }, (_, i) => ({ roomId: `r${i}`, name: `Room ${i}`, count: 1 }));
    const crowded = menu({ rooms: many, total: 20, quiet: false });
    expect(crowded.items.filter((i) => /^Room /.test(String(i.label)))).toHaveLength(TRAY_ROOMS);
  });

  it('has every word in Chinese too', () => {
    const zh = shellWords('zh-CN');
    expect(Object.keys(zh).sort()).toEqual(Object.keys(words).sort());
    expect(
      trayMenu({ rooms: [], total: 0, quiet: false }, zh, {
        open() {},
        openRoom() {},
        setQuiet() {},
        quit() {},
      })[0]!.label,
    ).toBe('打开 Parley');
  });
});

describe('whether a tray icon is seen', () => {
  it('is yes on Windows and on desktops with a status area, no on macOS, and on GNOME only with AppIndicator', async () => {
    const none = () => Promise.resolve(null);
    const listing = (text: string) => () => Promise.resolve(text);
    expect(await trayShown('win32', {}, none)).toBe(true);
    expect(await trayShown('darwin', {}, none)).toBe(false);
    expect(await trayShown('linux', { XDG_CURRENT_DESKTOP: 'KDE' }, none)).toBe(true);
    expect(await trayShown('linux', { XDG_CURRENT_DESKTOP: 'GNOME' }, none)).toBe(false);
    expect(await trayShown('linux', { XDG_CURRENT_DESKTOP: 'GNOME' }, listing('dash-to-dock@x\n'))).toBe(
      false,
    );
    expect(
      await trayShown(
        'linux',
        { XDG_CURRENT_DESKTOP: 'ubuntu:GNOME' },
        listing('ubuntu-appindicators@ubuntu.com\n'),
      ),
    ).toBe(true);
  });
});

describe('start at login', () => {
  it('writes an XDG autostart entry on Linux that starts Parley hidden, and removes it when turned off', () => {
    const configHome = mkdtempSync(join(tmpdir(), 'parley-xdg-'));
    const app = { setLoginItemSettings: () => expect.unreachable() };
    applyLoginItem(true, app, { platform: 'linux', command: '/home/a b/Parley "x".AppImage', configHome });
    const entry = readFileSync(autostartFile(configHome), 'utf8');
    expect(entry).toContain('[Desktop Entry]');
    expect(entry).toContain(`Exec="/home/a b/Parley \\"x\\".AppImage" ${HIDDEN_SWITCH}`);
    applyLoginItem(false, app, { platform: 'linux', command: '/x', configHome });
    expect(existsSync(autostartFile(configHome))).toBe(false);
  });

  it('starts a development run with its entry script, so login does not open a bare Electron', () => {
    const configHome = mkdtempSync(join(tmpdir(), 'parley-xdg-'));
    const app = { setLoginItemSettings: () => expect.unreachable() };
    applyLoginItem(true, app, {
      platform: 'linux',
      command: '/repo/node_modules/electron/dist/electron',
      args: ['/repo/out/main/index.js'],
      configHome,
    });
    expect(readFileSync(autostartFile(configHome), 'utf8')).toContain(
      `Exec="/repo/node_modules/electron/dist/electron" "/repo/out/main/index.js" ${HIDDEN_SWITCH}`,
    );
  });

  it('asks the system to keep the login item on macOS and Windows, hidden', () => {
    const asked: unknown[] = [];
    const app = { setLoginItemSettings: (s: unknown) => asked.push(s) };
    applyLoginItem(true, app, {
      platform: 'darwin',
      command: '/Applications/Parley.app',
      configHome: '/nowhere',
    });
    applyLoginItem(false, app, { platform: 'win32', command: 'C:\\Parley.exe', configHome: '/nowhere' });
    expect(asked).toEqual([
      { openAtLogin: true, openAsHidden: true },
      { openAtLogin: false, args: [HIDDEN_SWITCH] },
    ]);
  });
});

import { app, BrowserWindow, dialog, Notification, powerMonitor } from 'electron';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ChatApp } from '../core/ChatApp';
import type { Settings } from '../shared/api';
import { APP_ID } from './appId';
import { linkInArgv, LinkInbox, registerLinkHandler } from './deepLinks';
import { IdleWatch } from './idleWatch';
import { wireBridge } from './ipc';
import { applyLoginItem, HIDDEN_SWITCH } from './loginItem';
import { notificationLocale, notificationWords } from './notificationWords';
import { NotificationShelf } from './notifications';
import { shellWords } from './shellWords';
import { builtIcon, ParleyTray } from './tray';
import { trayShown } from './trayPresence';
import { createWindow } from './window';

// Tests and power users can run two instances side by side with separate data folders.
if (process.env.PARLEY_USER_DATA) app.setPath('userData', process.env.PARLEY_USER_DATA);
// Windows ties notifications, their clicks and the taskbar to this id: it must be the installer's.
if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

if (!app.requestSingleInstanceLock()) {
  // The running app was told (second-instance, with our argv and any link in it): nothing to do.
  app.quit();
} else {
  let win: BrowserWindow | null = null;
  let tray: ParleyTray | null = null;
  /** Set once quitting began: the window's close then closes it instead of hiding it. */
  let quitting = false;
  const chat = new ChatApp({
    dataDir: app.getPath('userData'),
    defaultNickname: defaultNickname(),
    // PARLEY_DISCOVERY=off: join by address only (networks without multicast, and tests).
    discovery: process.env.PARLEY_DISCOVERY === 'off' ? false : {},
    hostPort: Number(process.env.PARLEY_HOST_PORT ?? 0) || 0,
  });
  wireBridge(chat, () => win);
  const words = () => shellWords(notificationLocale(chat.locale, app.getLocale()));
  const settings = (): Settings => chat.currentSettings();
  const updateSettings = (patch: Partial<Settings>) => void chat.updateSettings(patch);

  const bringUp = () => {
    if (!win || win.isDestroyed()) {
      open();
      return;
    }
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  };

  // Links (an invite opened elsewhere): the core parses them; the window shows them once loaded.
  const links = new LinkInbox((link) => chat.openLink(link));
  const receiveLink = (link: string) => {
    links.receive(link);
    bringUp();
  };
  app.on('second-instance', (_event, argv) => {
    const link = linkInArgv(argv);
    if (link) receiveLink(link);
    else bringUp();
  });
  // macOS hands links over by event, before or after the app is ready.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    if (app.isReady()) receiveLink(url);
    else links.receive(url);
  });
  registerLinkHandler(app, {
    platform: process.platform,
    execPath: process.execPath,
    entry: process.argv[1],
  });
  const launchLink = linkInArgv(process.argv);
  if (launchLink) links.receive(launchLink);

  // The core decides what notifies (core/attention); the shell only shows it, in plain text.
  const notifications = new NotificationShelf({
    platform: process.platform,
    make: (options) => new Notification(options),
    supported: () => Notification.isSupported(),
    words: (request) => notificationWords(request, notificationLocale(chat.locale, app.getLocale())),
    open: (request) => {
      bringUp();
      chat.reveal(request);
    },
    // A private message or a mention flashes the taskbar while the window is elsewhere.
    personal: () => {
      if (win && !win.isDestroyed() && !win.isFocused()) win.flashFrame(true);
    },
  });
  chat.on('notify', (request) => notifications.show(request));

  // What waits unread: the dock (macOS) or launcher (Linux, Unity's) count, an overlay dot on
  // the Windows taskbar (its badge count draws a second badge, element-web#16942), the tray.
  const overlay = process.platform === 'win32' ? builtIcon('overlay.png') : null;
  chat.on('unread', ({ total, rooms }) => {
    if (overlay) win?.setOverlayIcon(total > 0 ? overlay : null, total > 0 ? words().badge : '');
    else app.setBadgeCount(total);
    tray?.update({ total, rooms }, words());
  });
  let loginItem: boolean | null = null;
  const applySettings = (next: Settings) => {
    tray?.update({ quiet: next.quietUntil !== null && next.quietUntil > Date.now() }, words());
    if (next.startAtLogin === loginItem) return;
    loginItem = next.startAtLogin;
    try {
      applyLoginItem(next.startAtLogin, app, {
        platform: process.platform,
        command: process.env.APPIMAGE ?? process.execPath,
        // A development run is Electron plus the app's entry script; a packaged app is one binary.
        ...(!app.isPackaged && process.argv[1] && { args: [process.argv[1]] }),
        configHome: process.env.XDG_CONFIG_HOME || join(homedir(), '.config'),
      });
    } catch (err) {
      console.warn(`[parley] start at login: ${(err as Error).message}`);
    }
  };
  chat.on('settings', applySettings);

  const openRoom = (roomId: string, conversation: string) => {
    bringUp();
    chat.reveal({ roomId, conversation });
  };
  const quit = () => {
    quitting = true;
    app.quit();
  };

  /** The window's close: hidden (rooms keep running), or the app quits, as the user chose. */
  const onClose = (event: Electron.Event, created: BrowserWindow) => {
    if (quitting) return;
    const hide = () => {
      event.preventDefault();
      created.hide();
    };
    // macOS keeps an app with no window in the Dock, as Mail does.
    if (process.platform === 'darwin') return hide();
    if (tray) {
      hide();
      if (!settings().trayNoted) {
        const said = words();
        new Notification({ title: said.trayNoteTitle, body: said.trayNoteBody }).show();
        updateSettings({ trayNoted: true });
      }
      return;
    }
    const action = settings().closeAction;
    if (action === 'background') return hide();
    if (action === 'quit') return quit();
    event.preventDefault();
    const said = words();
    void dialog
      .showMessageBox(created, {
        type: 'question',
        title: said.askTitle,
        message: said.askMessage,
        detail: said.askDetail,
        buttons: [said.askKeep, said.askQuit],
        defaultId: 0,
        cancelId: 0,
        checkboxLabel: said.askRemember,
      })
      .then(({ response, checkboxChecked }) => {
        const choice = response === 1 ? 'quit' : 'background';
        if (checkboxChecked) updateSettings({ closeAction: choice });
        if (choice === 'quit') quit();
        else created.hide();
      });
  };

  const open = () => {
    const created = createWindow();
    created.on('focus', () => created.flashFrame(false));
    created.on('close', (event) => onClose(event, created));
    created.webContents.on('did-finish-load', () => links.ready());
    created.webContents.on('did-start-loading', () => links.closed());
    created.on('closed', () => {
      links.closed();
      if (win === created) win = null;
      // No window shows anything now: every room's news may notify.
      chat.setAttention({ focused: false, viewing: null });
    });
    win = created;
  };

  // Away after a while without input, or with the screen locked: every room shows it.
  const idle = new IdleWatch({
    idleSeconds: () => powerMonitor.getSystemIdleTime(),
    changed: (isIdle) => chat.setIdle(isIdle),
  });

  void app.whenReady().then(async () => {
    chat.start();
    idle.start();
    powerMonitor.on('lock-screen', () => idle.lock());
    powerMonitor.on('unlock-screen', () => idle.unlock());
    app.on('activate', bringUp);
    const hidden = process.argv.includes(HIDDEN_SWITCH);
    // The window need not wait to learn whether there is a tray, unless it is to start in one.
    if (!hidden) open();
    if (await trayShown(process.platform, process.env)) {
      tray = new ParleyTray(words(), {
        open: bringUp,
        openRoom: (roomId) => openRoom(roomId, ''),
        setQuiet: (on) => updateSettings({ quietUntil: on ? Date.now() + 60 * 60 * 1000 : null }),
        quit,
      });
      // What was counted while the tray was being looked for.
      const { total, rooms } = chat.unreadTotals;
      tray.update({ total, rooms }, words());
    }
    applySettings(settings());
    // Started at login: in the tray only, where there is one to come back from.
    if (hidden && !tray) open();
  });

  // Rooms keep running with no window (the tray, the Dock): only Quit ends them.
  app.on('window-all-closed', () => {
    if (quitting) app.quit();
  });

  // Leave rooms and send mDNS goodbyes before exiting, so others' lobbies update at once.
  let stopped = false;
  app.on('before-quit', (event) => {
    quitting = true;
    if (stopped) return;
    event.preventDefault();
    stopped = true;
    idle.stop();
    tray?.destroy();
    void chat.stop().finally(() => app.quit());
  });
}

function defaultNickname(): string {
  try {
    const name = userInfo().username.trim();
    if (name) return name.slice(0, 32);
  } catch {
    // No user database entry (some containers): fall through.
  }
  return 'Guest';
}

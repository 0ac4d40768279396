import { app, BrowserWindow, Notification } from 'electron';
import { userInfo } from 'node:os';
import { ChatApp } from '../core/ChatApp';
import { wireBridge } from './ipc';
import { notificationLocale, notificationWords } from './notificationWords';
import { NotificationShelf } from './notifications';
import { createWindow } from './window';

// Tests and power users can run two instances side by side with separate data folders.
if (process.env.PARLEY_USER_DATA) app.setPath('userData', process.env.PARLEY_USER_DATA);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let win: BrowserWindow | null = null;
  const chat = new ChatApp({
    dataDir: app.getPath('userData'),
    defaultNickname: defaultNickname(),
    // PARLEY_DISCOVERY=off: join by address only (networks without multicast, and tests).
    discovery: process.env.PARLEY_DISCOVERY === 'off' ? false : {},
    hostPort: Number(process.env.PARLEY_HOST_PORT ?? 0) || 0,
  });
  wireBridge(chat, () => win);

  const bringUp = () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  };
  app.on('second-instance', bringUp);

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
  // The dock (macOS) or launcher (Linux, Unity's) counts what waits; Windows needs an overlay
  // icon instead, which comes with the app's icons.
  chat.on('unread', ({ total }) => app.setBadgeCount(total));

  void app.whenReady().then(() => {
    chat.start();
    const open = () => {
      const created = createWindow();
      created.on('focus', () => created.flashFrame(false));
      created.on('closed', () => {
        if (win === created) win = null;
        // No window shows anything now: every room's news may notify.
        chat.setAttention({ focused: false, viewing: null });
      });
      win = created;
    };
    open();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) open();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Leave rooms and send mDNS goodbyes before exiting, so others' lobbies update at once.
  let stopped = false;
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    stopped = true;
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

import { app, BrowserWindow } from 'electron';
import { userInfo } from 'node:os';
import { ChatApp } from '../core/ChatApp';
import { wireBridge } from './ipc';
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

  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });

  void app.whenReady().then(() => {
    chat.start();
    const open = () => {
      const created = createWindow();
      created.on('closed', () => {
        if (win === created) win = null;
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

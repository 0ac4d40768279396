import { BrowserWindow, shell, type WebPreferences } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isSafeExternalUrl } from './links';

const here = fileURLToPath(new URL('.', import.meta.url));
const windowIcon = join(here, '../icons/window.png');
/** The one permission the window is granted. */
const CLIPBOARD_WRITE = 'clipboard-sanitized-write';

/**
 * The window's settings, exported so a test can read them from the built main code: a
 * regression here must fail CI, not wait for a review.
 */
export const webPreferences: WebPreferences = {
  preload: join(here, '../preload/index.cjs'),
  sandbox: true,
  contextIsolation: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  // Electron's spellchecker downloads dictionaries from the internet; a LAN app must not.
  spellcheck: false,
};

/** Creates the one app window, locked down: no navigation away, no new windows. */
export function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 720,
    minWidth: 700,
    minHeight: 480,
    show: false,
    title: 'Parley',
    // Linux shows the window's own icon (macOS and Windows take the app's): drawn at build time.
    ...(process.platform === 'linux' && existsSync(windowIcon) && { icon: windowIcon }),
    webPreferences,
  });
  win.once('ready-to-show', () => win.show());

  // Links a message may carry open in the system browser, never inside the app.
  win.webContents.setWindowOpenHandler(({ url }) => {
    // Hand over the parsed, normalised URL, never the raw string the page gave us.
    if (isSafeExternalUrl(url)) void shell.openExternal(new URL(url).href);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  // A chat window needs no camera, location, notifications-by-prompt or devices: refuse all but
  // writing text to the clipboard (an invite's "Copy link"); reading it stays refused.
  win.webContents.session.setPermissionRequestHandler((_wc, permission, callback) =>
    callback(permission === CLIPBOARD_WRITE),
  );
  win.webContents.session.setPermissionCheckHandler((_wc, permission) => permission === CLIPBOARD_WRITE);
  win.webContents.session.setDevicePermissionHandler(() => false);

  const devUrl = process.env.ELECTRON_RENDERER_URL;
  if (devUrl) void win.loadURL(devUrl);
  else void win.loadFile(join(here, '../renderer/index.html'));
  return win;
}

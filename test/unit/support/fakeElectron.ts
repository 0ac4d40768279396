/**
 * A stand-in for the `electron` module that records what the shell asks of it, so a test can
 * load the BUILT main and preload bundles under plain Node (the Electron binary cannot be
 * downloaded on the build machines) and read the window's effective security settings.
 *
 * It implements only what src/main and src/preload use. A bundle that imports anything else
 * fails to link: the fake must grow with the shell, and the new API gets a look in review.
 *
 * Written for Node's own type stripping (probeBuiltMain.ts loads it without a TS toolchain):
 * erasable syntax only, and only node: imports.
 */
import { EventEmitter } from 'node:events';

type Handler = (...args: never[]) => unknown;

/** A frame identity: the shell compares `event.senderFrame` with `webContents.mainFrame`. */
export interface FakeFrame {
  name: string;
}

/** Everything the shell did through the fake, in one place. */
export interface Recording {
  appCalls: { method: string; args: unknown[] }[];
  windows: FakeBrowserWindow[];
  ipcHandlers: Map<string, Handler>;
  ipcListeners: Map<string, Handler[]>;
  openedExternally: string[];
  exposedInMainWorld: { key: string; api: unknown }[];
  invoked: { channel: string; args: unknown[] }[];
  /** What `ipcRenderer.invoke` answers with next. */
  invokeReply: unknown;
  rendererListeners: Map<string, Handler[]>;
  notifications: FakeNotification[];
  trays: FakeTray[];
  /** The message boxes asked, and what the next one answers. */
  messageBoxes: Record<string, unknown>[];
  messageBoxReply: { response: number; checkboxChecked: boolean };
}

export const recording: Recording = {
  appCalls: [],
  windows: [],
  ipcHandlers: new Map(),
  ipcListeners: new Map(),
  openedExternally: [],
  exposedInMainWorld: [],
  invoked: [],
  invokeReply: { ok: true, result: null },
  rendererListeners: new Map(),
  notifications: [],
  trays: [],
  messageBoxes: [],
  messageBoxReply: { response: 0, checkboxChecked: false },
};

/** An image by where it came from (the shell only passes them on). */
export class FakeNativeImage {
  readonly path: string | null;
  constructor(path: string | null) {
    this.path = path;
  }
  isEmpty(): boolean {
    return this.path === null;
  }
}

export const nativeImage = {
  createFromPath: (path: string) => new FakeNativeImage(path),
  createEmpty: () => new FakeNativeImage(null),
};

/** A menu as built from its template: the template's items, clicks included. */
export class FakeMenu {
  readonly items: Record<string, unknown>[];
  constructor(items: Record<string, unknown>[]) {
    this.items = items;
  }
}

export const Menu = {
  buildFromTemplate: (template: Record<string, unknown>[]) => new FakeMenu(template),
};

export class FakeTray extends EventEmitter {
  image: unknown;
  tooltip = '';
  menu: FakeMenu | null = null;
  destroyed = false;
  constructor(image: unknown) {
    super();
    this.image = image;
    recording.trays.push(this);
  }
  setImage(image: unknown): void {
    this.image = image;
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setContextMenu(menu: FakeMenu): void {
    this.menu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

/** Idle time is PARLEY_FAKE_IDLE_SECONDS (0 unless set); lock-screen and unlock-screen are emitted by tests. */
class FakePowerMonitor extends EventEmitter {
  getSystemIdleTime(): number {
    return Number(process.env.PARLEY_FAKE_IDLE_SECONDS ?? 0);
  }
}
export const powerMonitor = new FakePowerMonitor();

export const dialog = {
  showMessageBox(_window: unknown, options: Record<string, unknown>) {
    recording.messageBoxes.push(options);
    return Promise.resolve(recording.messageBoxReply);
  },
};

/** Records each notification the shell makes, and whether it was shown. */
export class FakeNotification extends EventEmitter {
  static isSupported(): boolean {
    return true;
  }
  readonly options: Record<string, unknown>;
  shown = false;
  constructor(options: Record<string, unknown> = {}) {
    super();
    this.options = options;
    recording.notifications.push(this);
  }
  show(): void {
    this.shown = true;
  }
}

class FakeSession {
  permissionRequestHandler: Handler | null = null;
  permissionCheckHandler: Handler | null = null;
  devicePermissionHandler: Handler | null = null;
  setDevicePermissionHandler(handler: Handler | null): void {
    this.devicePermissionHandler = handler;
  }
  setPermissionRequestHandler(handler: Handler | null): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: Handler | null): void {
    this.permissionCheckHandler = handler;
  }
}

class FakeWebContents extends EventEmitter {
  readonly mainFrame: FakeFrame = { name: 'main frame' };
  readonly session = new FakeSession();
  windowOpenHandler: Handler | null = null;
  readonly sent: { channel: string; args: unknown[] }[] = [];
  setWindowOpenHandler(handler: Handler): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  isDestroyed(): boolean {
    return false;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static getAllWindows(): FakeBrowserWindow[] {
    return recording.windows.filter((w) => !w.destroyed);
  }

  readonly options: Record<string, unknown>;
  readonly webContents = new FakeWebContents();
  loaded: { file?: string; url?: string } = {};
  destroyed = false;

  constructor(options: Record<string, unknown> = {}) {
    super();
    this.options = options;
    recording.windows.push(this);
  }
  loadFile(file: string): Promise<void> {
    this.loaded = { file };
    return Promise.resolve();
  }
  loadURL(url: string): Promise<void> {
    this.loaded = { url };
    return Promise.resolve();
  }
  readonly flashes: boolean[] = [];
  visible = true;
  overlays: { image: unknown; description: string }[] = [];
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  setOverlayIcon(image: unknown, description: string): void {
    this.overlays.push({ image, description });
  }
  focus(): void {}
  restore(): void {}
  isFocused(): boolean {
    return false;
  }
  flashFrame(flag: boolean): void {
    this.flashes.push(flag);
  }
  isMinimized(): boolean {
    return false;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** Destroys the window as Electron would: no 'close' to prevent, only 'closed'. */
  destroy(): void {
    this.destroyed = true;
    this.emit('closed');
  }
  /**
   * Closes the window as Electron would: 'close' first, which a listener may prevent; then
   * destroyed and 'closed'. Says whether it closed.
   */
  close(): boolean {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (prevented) return false;
    this.destroyed = true;
    this.emit('closed');
    return true;
  }
}

class FakeApp extends EventEmitter {
  /** PARLEY_FAKE_PACKAGED=1 plays a packaged app (it registers as the parley: handler). */
  readonly isPackaged = process.env.PARLEY_FAKE_PACKAGED === '1';
  private readonly paths = new Map<string, string>();
  private call(method: string, args: unknown[]): void {
    recording.appCalls.push({ method, args });
  }
  setPath(name: string, path: string): void {
    this.call('setPath', [name, path]);
    this.paths.set(name, path);
  }
  getPath(name: string): string {
    this.call('getPath', [name]);
    const path = this.paths.get(name);
    if (!path) throw new Error(`fake electron: no path for ${name} (set PARLEY_USER_DATA)`);
    return path;
  }
  requestSingleInstanceLock(): boolean {
    this.call('requestSingleInstanceLock', []);
    return true;
  }
  whenReady(): Promise<void> {
    this.call('whenReady', []);
    return Promise.resolve();
  }
  /** As Electron's: 'before-quit' first, which a listener may prevent; else the app exits. */
  quit(): void {
    this.call('quit', []);
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.call('exit', []);
  }
  isReady(): boolean {
    return true;
  }
  setAppUserModelId(id: string): void {
    this.call('setAppUserModelId', [id]);
  }
  setAsDefaultProtocolClient(...args: unknown[]): boolean {
    this.call('setAsDefaultProtocolClient', args);
    return true;
  }
  setLoginItemSettings(settings: unknown): void {
    this.call('setLoginItemSettings', [settings]);
  }
  setBadgeCount(count: number): boolean {
    this.call('setBadgeCount', [count]);
    return true;
  }
  getLocale(): string {
    this.call('getLocale', []);
    return 'en-US';
  }
}

export const app = new FakeApp();
export const BrowserWindow = FakeBrowserWindow;
export const Notification = FakeNotification;

export const ipcMain = {
  handle(channel: string, handler: Handler): void {
    if (recording.ipcHandlers.has(channel)) throw new Error(`second handler for ${channel}`);
    recording.ipcHandlers.set(channel, handler);
  },
  on(channel: string, listener: Handler): void {
    recording.ipcListeners.set(channel, [...(recording.ipcListeners.get(channel) ?? []), listener]);
  },
};

export const shell = {
  openExternal(url: string): Promise<void> {
    recording.openedExternally.push(url);
    return Promise.resolve();
  },
};

export const contextBridge = {
  exposeInMainWorld(key: string, api: unknown): void {
    recording.exposedInMainWorld.push({ key, api });
  },
};

export const ipcRenderer = {
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    recording.invoked.push({ channel, args });
    return Promise.resolve(recording.invokeReply);
  },
  on(channel: string, listener: Handler): void {
    recording.rendererListeners.set(channel, [...(recording.rendererListeners.get(channel) ?? []), listener]);
  },
  removeListener(channel: string, listener: Handler): void {
    recording.rendererListeners.set(
      channel,
      (recording.rendererListeners.get(channel) ?? []).filter((l) => l !== listener),
    );
  },
};

export const Tray = FakeTray;

export default {
  app,
  BrowserWindow,
  Notification,
  Tray,
  Menu,
  nativeImage,
  dialog,
  powerMonitor,
  ipcMain,
  shell,
  contextBridge,
  ipcRenderer,
};

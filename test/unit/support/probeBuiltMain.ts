/**
 * Loads the BUILT main bundle (`<outDir>/main/index.js`) under plain Node with `electron`
 * resolved to fakeElectron.ts, pokes every security-relevant handler the shell installed, and
 * prints what it found as one JSON line. Run by test/unit/electron.hardening.test.ts in its own
 * process, so the bundle's side effects (ChatApp, data folder) stay out of the test runner:
 *
 *   PARLEY_USER_DATA=<tmp> PARLEY_DISCOVERY=off node test/unit/support/probeBuiltMain.ts <outDir>
 *
 * Node strips the types itself; this file and fakeElectron.ts use erasable syntax only.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as FakeHook from './useFakeElectron';

const outDir = process.argv[2];
if (!outDir) throw new Error('usage: probeBuiltMain.ts <outDir>');

// Node runs this file itself (type stripping), so the hook is imported by its file name.
const hook = (await import(new URL('./useFakeElectron.ts', import.meta.url).href)) as typeof FakeHook;
const fake = await hook.useFakeElectron();
const { recording } = fake;
await import(pathToFileURL(join(outDir, 'main/index.js')).href);

// whenReady() resolves at once; the window is made in a then() after it.
for (let i = 0; i < 100 && recording.windows.length === 0; i++) await new Promise((r) => setImmediate(r));
const win = recording.windows[0];
if (!win) throw new Error('the main bundle created no window');
const wc = win.webContents;

type Handler = (...args: unknown[]) => unknown;
const call = (handler: unknown, ...args: unknown[]) => (handler as Handler)(...args);

// ---- new windows: every URL a link or window.open could carry ----------------------------
const urls = [
  'https://example.com/page?q=1',
  'http://10.77.0.5:8080/',
  'HTTPS://EXAMPLE.COM/',
  'file:///etc/passwd',
  'file://attacker.example/share/payload.exe',
  'javascript:alert(1)',
  'JavaScript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'blob:https://example.com/0b0b',
  'smb://attacker.example/share',
  '\\\\attacker.example\\share\\payload.exe',
  'ms-msdt:/id PCWDiagnostic /skip force',
  'search-ms:query=x&crumb=location:\\\\attacker.example\\share',
  'vbscript:msgbox(1)',
  'about:blank',
  'chrome://settings',
  'devtools://devtools/bundled/inspector.html',
  'mailto:someone@example.com',
  'tel:+123',
  'ftp://example.com/',
  'ssh://example.com/',
  'parley://room/1',
  'not a url at all',
  '',
];
const windowOpen = urls.map((url) => {
  const before = recording.openedExternally.length;
  const result = call(wc.windowOpenHandler, {
    url,
    frameName: '',
    features: '',
    disposition: 'foreground-tab',
    referrer: { url: '', policy: 'default' },
    postBody: undefined,
  });
  return { url, result, opened: recording.openedExternally.slice(before) };
});

// ---- navigation and webviews ---------------------------------------------------------------
const prevented = (eventName: string, ...args: unknown[]) => {
  let wasPrevented = false;
  const event = {
    preventDefault() {
      wasPrevented = true;
    },
  };
  const listeners = wc.listeners(eventName);
  for (const listener of listeners) call(listener, event, ...args);
  return { listeners: listeners.length, prevented: wasPrevented };
};
const navigation = {
  willNavigate: ['https://attacker.example/', 'file:///etc/passwd', 'javascript:alert(1)'].map((url) => ({
    url,
    ...prevented('will-navigate', url),
  })),
  willAttachWebview: prevented('will-attach-webview', {}, {}),
  handledEvents: wc.eventNames().map(String),
};

// ---- permissions ---------------------------------------------------------------------------
const permissionNames = [
  'media',
  'geolocation',
  'notifications',
  'midiSysex',
  'pointerLock',
  'fullscreen',
  'openExternal',
  'clipboard-read',
  'clipboard-sanitized-write',
  'display-capture',
  'hid',
  'serial',
  'usb',
  'idle-detection',
  'window-management',
  'unknown',
];
const session = wc.session;
const permissions = {
  requestHandler: session.permissionRequestHandler !== null,
  checkHandler: session.permissionCheckHandler !== null,
  checks: permissionNames.map((permission) => ({
    permission,
    granted: session.permissionCheckHandler
      ? call(session.permissionCheckHandler, wc, permission)
      : 'no handler',
  })),
  deviceHandler: session.devicePermissionHandler !== null,
  device: session.devicePermissionHandler
    ? call(session.devicePermissionHandler, { deviceType: 'usb' })
    : 'no handler',
  requests: await Promise.all(
    permissionNames.map(
      (permission) =>
        new Promise<{ permission: string; granted: unknown }>((resolve) => {
          let answered = false;
          call(
            session.permissionRequestHandler,
            wc,
            permission,
            (granted: unknown) => {
              answered = true;
              resolve({ permission, granted });
            },
            { requestingUrl: 'file:///index.html', isMainFrame: true },
          );
          setTimeout(() => !answered && resolve({ permission, granted: 'no answer' }), 1000);
        }),
    ),
  ),
};

// ---- IPC: who may send, and what bad input gets ------------------------------------------
const send = recording.ipcHandlers.get('parley:send');
const invoke = (event: unknown, command: unknown, payload: unknown) => call(send, event, command, payload);
const fromWindow = { sender: wc, senderFrame: wc.mainFrame };
const reply = async (event: unknown, command: unknown, payload: unknown) =>
  (await invoke(event, command, payload)) as { ok: boolean; error?: { code: string } };
const nickname = async () =>
  ((await reply(fromWindow, 'app:snapshot', {})) as unknown as { result: { settings: { nickname: string } } })
    .result.settings.nickname;

const ipc = {
  channels: [...recording.ipcHandlers.keys()],
  listenerChannels: [...recording.ipcListeners.keys()],
  snapshot: await reply(fromWindow, 'app:snapshot', {}),
  unknownCommand: await reply(fromWindow, 'shell:exec', { command: 'rm -rf /' }),
  protoCommand: await reply(fromWindow, '__proto__', {}),
  nonStringCommand: await reply(fromWindow, { toString: () => 'app:snapshot' }, {}),
  badPayload: await reply(fromWindow, 'settings:update', { nickname: 5 }),
  extraKey: await reply(fromWindow, 'settings:update', { nickname: 'Eve', admin: true }),
  controlChars: await reply(fromWindow, 'settings:update', { nickname: 'a\u0000b' }),
  nicknameBefore: await nickname(),
  otherWebContents: await reply(
    { sender: { mainFrame: { name: 'other' } }, senderFrame: { name: 'other' } },
    'settings:update',
    { nickname: 'FromOtherContents' },
  ),
  subframe: await reply({ sender: wc, senderFrame: { name: 'iframe' } }, 'settings:update', {
    nickname: 'FromSubframe',
  }),
  noFrame: await reply({ sender: wc, senderFrame: null }, 'settings:update', { nickname: 'FromNoFrame' }),
  nicknameAfterRefusals: await nickname(),
  allowed: await reply(fromWindow, 'settings:update', { nickname: 'Zoe' }),
  eventsSentTo: wc.sent.map((s) => s.channel),
  afterClose: undefined as unknown,
};
win.destroy();
ipc.afterClose = await reply(fromWindow, 'app:snapshot', {});

const report = {
  windowOptions: win.options,
  preloadPath: (win.options.webPreferences as { preload?: string } | undefined)?.preload,
  loaded: win.loaded,
  appCalls: recording.appCalls.map((c) => c.method),
  windowOpen,
  navigation,
  permissions,
  ipc,
};
process.stdout.write(`PROBE ${JSON.stringify(report)}\n`);
// The bundle's ChatApp holds a database open; the report is out, nothing else matters.
process.exit(0);

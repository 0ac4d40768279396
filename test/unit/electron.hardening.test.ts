/**
 * The Electron shell's security settings, read from the BUILT code rather than the sources: a
 * regression in window.ts, ipc.ts, the preload or the CSP must fail CI, not wait for a review.
 *
 * The bundles are built fresh (electron-vite, ~2 s) into a private folder, so this never reads a
 * stale out/ nor races an e2e build writing it; PARLEY_HARDENING_OUT=<dir> checks an existing
 * build instead (e.g. out/ after `npm run build`). The main bundle runs in its own Node process
 * with `electron` resolved to a recording fake (support/probeBuiltMain.ts); the preload runs here
 * with the same fake as its `require`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compileFunction } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundles } from './support/builtBundles';
import { recording } from './support/fakeElectron';
import * as fakeElectron from './support/fakeElectron';

const ROOT = resolve(import.meta.dirname, '../..');
let outDir: string;
let ownBuild = false;
let probe: Probe;

interface Reply {
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string };
}
type ReplyKey =
  | 'snapshot'
  | 'allowed'
  | 'unknownCommand'
  | 'protoCommand'
  | 'nonStringCommand'
  | 'badPayload'
  | 'extraKey'
  | 'controlChars'
  | 'otherWebContents'
  | 'subframe'
  | 'noFrame'
  | 'afterClose';
const REFUSED_SENDERS: ReplyKey[] = ['otherWebContents', 'subframe', 'noFrame', 'afterClose'];
interface Probe {
  windowOptions: { webPreferences: Record<string, unknown> } & Record<string, unknown>;
  preloadPath: string;
  loaded: { file?: string; url?: string };
  appCalls: string[];
  windowOpen: { url: string; result: unknown; opened: string[] }[];
  navigation: {
    willNavigate: { url: string; listeners: number; prevented: boolean }[];
    willAttachWebview: { listeners: number; prevented: boolean };
    handledEvents: string[];
  };
  permissions: {
    requestHandler: boolean;
    checkHandler: boolean;
    checks: { permission: string; granted: unknown }[];
    deviceHandler: boolean;
    device: unknown;
    requests: { permission: string; granted: unknown }[];
  };
  ipc: { [K in ReplyKey]: Reply } & {
    channels: string[];
    listenerChannels: string[];
    nicknameBefore: string;
    nicknameAfterRefusals: string;
    eventsSentTo: string[];
  };
}

beforeAll(() => {
  if (process.env.PARLEY_HARDENING_OUT) {
    outDir = resolve(process.env.PARLEY_HARDENING_OUT);
  } else {
    outDir = buildBundles('parley-hardening-');
    ownBuild = true;
  }

  const userData = mkdtempSync(join(tmpdir(), 'parley-hardening-data-'));
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PARLEY_USER_DATA: userData,
      PARLEY_DISCOVERY: 'off',
      PARLEY_REQUIRE_NETNS: '1',
      ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
    };
    delete env.ELECTRON_RENDERER_URL;
    delete env.PARLEY_HOST_PORT;
    const run = spawnSync(process.execPath, [join(ROOT, 'test/unit/support/probeBuiltMain.ts'), outDir], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const line = run.stdout.split('\n').find((l) => l.startsWith('PROBE '));
    if (!line)
      throw new Error(`the probe printed no report (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
    probe = JSON.parse(line.slice('PROBE '.length)) as Probe;
  } finally {
    rmSync(userData, { recursive: true, force: true });
  }
}, 120_000);

afterAll(() => {
  if (ownBuild) rmSync(outDir, { recursive: true, force: true });
});

describe('the window (built main bundle)', () => {
  it('is sandboxed and isolated, with Node kept out of the page', () => {
    expect(probe.windowOptions.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('sets no web preference beyond the reviewed ones (no blink features, no subframe Node)', () => {
    const reviewed = [
      'preload',
      'sandbox',
      'contextIsolation',
      'nodeIntegration',
      'nodeIntegrationInWorker',
      'webSecurity',
      'allowRunningInsecureContent',
      'webviewTag',
      'spellcheck',
    ];
    expect(Object.keys(probe.windowOptions.webPreferences).filter((k) => !reviewed.includes(k))).toEqual([]);
  });

  it('loads the preload and the page from the build, not from a URL', () => {
    expect(probe.preloadPath).toBe(join(outDir, 'preload/index.cjs'));
    expect(existsSync(probe.preloadPath)).toBe(true);
    expect(probe.loaded).toEqual({ file: join(outDir, 'renderer/index.html') });
  });

  it('asks for the single-instance lock before anything else happens', () => {
    expect(probe.appCalls).toContain('requestSingleInstanceLock');
    expect(probe.appCalls.indexOf('requestSingleInstanceLock')).toBeLessThan(
      probe.appCalls.indexOf('whenReady'),
    );
  });

  it('opens no new window, whatever the URL', () => {
    for (const { url, result } of probe.windowOpen) expect(result, url).toEqual({ action: 'deny' });
  });

  it('hands only http and https links to the system browser, never file:, javascript:, data:, smb: or custom schemes', () => {
    const web = /^https?:\/\//i;
    for (const { url, opened } of probe.windowOpen) {
      // What reaches the system browser is the parsed, normalised URL, never the raw string.
      expect(opened, url).toEqual(web.test(url) ? [new URL(url).href] : []);
    }
    expect(probe.windowOpen.filter((w) => w.opened.length > 0).map((w) => w.url)).toEqual([
      'https://example.com/page?q=1',
      'http://10.77.0.5:8080/',
      'HTTPS://EXAMPLE.COM/',
    ]);
  });

  it('prevents every navigation away from the app, and every webview', () => {
    for (const nav of probe.navigation.willNavigate)
      expect(nav, nav.url).toEqual({ ...nav, listeners: 1, prevented: true });
    expect(probe.navigation.willAttachWebview).toEqual({ listeners: 1, prevented: true });
  });

  it('denies every permission request', () => {
    expect(probe.permissions.requestHandler).toBe(true);
    // Writing text to the clipboard (an invite's Copy link) is the one permission granted.
    const granted = (permission: string) => permission === 'clipboard-sanitized-write';
    for (const { permission, granted: got } of probe.permissions.requests)
      expect(got, permission).toBe(granted(permission));
    // Checks (navigator.permissions, device access) are refused too, not left to Electron's defaults.
    expect(probe.permissions.checkHandler).toBe(true);
    for (const { permission, granted: got } of probe.permissions.checks)
      expect(got, permission).toBe(granted(permission));
    expect(probe.permissions.deviceHandler).toBe(true);
    expect(probe.permissions.device).toBe(false);
  });
});

describe('the IPC bridge (built main bundle)', () => {
  it('listens on one channel only', () => {
    expect(probe.ipc.channels).toEqual(['parley:send']);
    expect(probe.ipc.listenerChannels).toEqual([]);
  });

  it('answers the window’s main frame', () => {
    expect(probe.ipc.snapshot.ok).toBe(true);
    expect(probe.ipc.allowed).toMatchObject({ ok: true, result: { nickname: 'Zoe' } });
    expect(probe.ipc.eventsSentTo).toEqual(['parley:event']);
  });

  it('answers UNKNOWN_COMMAND for a command that does not exist, however it is spelled', () => {
    for (const key of ['unknownCommand', 'protoCommand', 'nonStringCommand'] as const) {
      expect(probe.ipc[key], key).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
    }
  });

  it('answers BAD_PAYLOAD for a wrong type, an extra key or a control character', () => {
    for (const key of ['badPayload', 'extraKey', 'controlChars'] as const) {
      expect(probe.ipc[key], key).toMatchObject({ ok: false, error: { code: 'BAD_PAYLOAD' } });
    }
  });

  it('refuses another webContents, a subframe, a frameless sender and a closed window, and does nothing for them', () => {
    for (const key of REFUSED_SENDERS) {
      expect(probe.ipc[key], key).toMatchObject({
        ok: false,
        error: { message: 'Refused: not the app window.' },
      });
    }
    expect(probe.ipc.nicknameAfterRefusals).toBe(probe.ipc.nicknameBefore);
  });

  // Known gap: src/main/ipc.ts answers a refused sender with UNKNOWN_COMMAND although api.ts
  // defines FORBIDDEN for exactly this. When ipc.ts is fixed this test starts failing: drop the
  // `.fails` then.
  it('answers a refused sender with FORBIDDEN', () => {
    for (const key of REFUSED_SENDERS) {
      expect(probe.ipc[key], key).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
  });
});

describe('the preload (built bundle)', () => {
  type Api = {
    send(command: string, payload: unknown): Promise<unknown>;
    subscribe(event: string, handler: (payload: unknown) => void): () => void;
  };
  let api: Api;
  const required: string[] = [];

  beforeAll(() => {
    const code = readFileSync(join(outDir, 'preload/index.cjs'), 'utf8');
    // A sandboxed preload gets a `require` that knows only a few modules; this one knows electron.
    const fakeRequire = (name: string) => {
      required.push(name);
      if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
      return fakeElectron;
    };
    const module = { exports: {} };
    compileFunction(code, ['require', 'module', 'exports'])(fakeRequire, module, module.exports);
    api = recording.exposedInMainWorld[0]?.api as Api;
  });

  it('requires nothing but electron', () => {
    expect(required).toEqual(['electron']);
  });

  it('exposes exactly one object, `parley`, with exactly send and subscribe', () => {
    expect(recording.exposedInMainWorld.map((e) => e.key)).toEqual(['parley']);
    expect(Object.keys(api).sort()).toEqual(['send', 'subscribe']);
    expect(typeof api.send).toBe('function');
    expect(typeof api.subscribe).toBe('function');
  });

  it('send invokes the one channel and rejects with the error envelope itself: code, parameters and sentence', async () => {
    recording.invokeReply = { ok: true, result: { fine: true } };
    await expect(api.send('app:snapshot', {})).resolves.toEqual({ fine: true });
    expect(recording.invoked.at(-1)).toEqual({ channel: 'parley:send', args: ['app:snapshot', {}] });
    const error = { code: 'BAD_ADDRESS', message: '"x" is not an address.', params: { address: 'x' } };
    recording.invokeReply = { ok: false, error };
    await expect(api.send('app:snapshot', {})).rejects.toEqual(error);
  });

  it('subscribe hands the page the payload only (never the IPC event), for its event only, until unsubscribed', () => {
    const got: unknown[][] = [];
    const off = api.subscribe('settings', (...args) => got.push(args));
    const [listener] = recording.rendererListeners.get('parley:event') ?? [];
    const ipcEvent = { sender: { send() {} }, senderFrame: {} };
    (listener as (...a: unknown[]) => void)(ipcEvent, 'lobby', { rooms: [] });
    (listener as (...a: unknown[]) => void)(ipcEvent, 'settings', { nickname: 'A' });
    expect(got).toEqual([[{ nickname: 'A' }]]);
    off();
    expect(recording.rendererListeners.get('parley:event')).toEqual([]);
  });
});

describe('the page (built index.html)', () => {
  let html: string;
  let csp: Map<string, string[]>;

  beforeAll(() => {
    html = readFileSync(join(outDir, 'renderer/index.html'), 'utf8');
    const metas = [...html.matchAll(/<meta\s[^>]*http-equiv=["']Content-Security-Policy["'][^>]*>/gi)];
    expect(metas).toHaveLength(1);
    const content = /content="([^"]*)"/i.exec(metas[0]![0])?.[1] ?? '';
    csp = new Map(
      content
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .filter((parts) => parts[0])
        .map(([name, ...values]) => [name!.toLowerCase(), values]),
    );
  });

  it('has a strict CSP: nothing by default, scripts from the app only, no eval, no inline script', () => {
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('frame-src')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
    expect(csp.get('connect-src')).toEqual(["'none'"]);
    const all = [...csp.values()].flat();
    for (const unsafe of [
      "'unsafe-inline'",
      "'unsafe-eval'",
      "'unsafe-hashes'",
      "'wasm-unsafe-eval'",
      '*',
      'http:',
      'https:',
      'ws:',
      'wss:',
      'file:',
    ]) {
      expect(all, unsafe).not.toContain(unsafe);
    }
  });

  it('declares the CSP before any script and has no inline script or handler', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [whole, attrs, body] of scripts) {
      expect(attrs, whole).toMatch(/\bsrc="\.\/assets\/[^"]+\.js"/);
      expect(body!.trim(), whole).toBe('');
    }
    expect(html.search(/http-equiv=["']Content-Security-Policy/i)).toBeLessThan(html.search(/<script\b/i));
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  });
});

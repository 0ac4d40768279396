import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The switch a start at login passes: the app starts in the tray, its window not shown. */
export const HIDDEN_SWITCH = '--hidden';

/** What applyLoginItem needs of Electron's `app` (macOS and Windows keep the login item). */
export interface LoginItemApp {
  setLoginItemSettings(settings: { openAtLogin: boolean; openAsHidden?: boolean; args?: string[] }): void;
}

export interface LoginItemRun {
  platform: NodeJS.Platform;
  /** The command that starts this app: the AppImage's path where it runs from one. */
  command: string;
  /** Arguments before the hidden switch: the app's entry script in a development run. */
  args?: string[];
  /** `$XDG_CONFIG_HOME`, or `~/.config`. */
  configHome: string;
}

/** The autostart entry's path on Linux (the XDG Autostart spec). */
export function autostartFile(configHome: string): string {
  return join(configHome, 'autostart', 'parley.desktop');
}

/** Quotes a path for a .desktop file's Exec key (the Desktop Entry spec's rules). */
function execQuoted(path: string): string {
  return `"${path.replace(/[\\"`$]/g, (c) => `\\${c}`)}"`;
}

/** The autostart entry that starts Parley hidden at login. */
export function autostartEntry(command: string, args: readonly string[] = []): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Parley',
    'Comment=Chat on your local network',
    `Exec=${[command, ...args].map(execQuoted).join(' ')} ${HIDDEN_SWITCH}`,
    'Icon=parley',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/**
 * Starts Parley at login, hidden in the tray, or stops doing so. macOS and Windows keep login
 * items themselves; Linux has no such API, so an XDG autostart entry is written or removed.
 */
export function applyLoginItem(enabled: boolean, app: LoginItemApp, run: LoginItemRun): void {
  if (run.platform === 'linux') {
    const file = autostartFile(run.configHome);
    if (enabled) {
      mkdirSync(join(run.configHome, 'autostart'), { recursive: true });
      writeFileSync(file, autostartEntry(run.command, run.args), { mode: 0o644 });
    } else {
      rmSync(file, { force: true });
    }
    return;
  }
  app.setLoginItemSettings(
    run.platform === 'darwin'
      ? { openAtLogin: enabled, openAsHidden: true }
      : { openAtLogin: enabled, args: [...(run.args ?? []), HIDDEN_SWITCH] },
  );
}

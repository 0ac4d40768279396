import { spawnSync } from 'node:child_process';

/**
 * Whether a tray icon will be seen. Windows and the Linux desktops with a status area show
 * one; GNOME shows one only with the AppIndicator extension enabled (asked of
 * `gnome-extensions`; if that cannot say, no). macOS keeps a closed app in the Dock instead.
 */
export function trayShown(
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
  enabledExtensions: () => string | null = gnomeExtensions,
): boolean {
  if (platform === 'win32') return true;
  if (platform !== 'linux') return false;
  const desktop = (env.XDG_CURRENT_DESKTOP ?? '').toLowerCase();
  if (!desktop.split(':').includes('gnome')) return true;
  return /appindicator/i.test(enabledExtensions() ?? '');
}

function gnomeExtensions(): string | null {
  const listed = spawnSync('gnome-extensions', ['list', '--enabled'], { encoding: 'utf8', timeout: 2000 });
  return listed.status === 0 ? listed.stdout : null;
}

import { execFile } from 'node:child_process';

/**
 * Whether a tray icon will be seen. Windows and the Linux desktops with a status area show
 * one; GNOME shows one only with the AppIndicator extension enabled (asked of
 * `gnome-extensions`, without holding up the main process; if that cannot say, no). macOS
 * keeps a closed app in the Dock instead.
 */
export async function trayShown(
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
  enabledExtensions: () => Promise<string | null> = gnomeExtensions,
): Promise<boolean> {
  if (platform === 'win32') return true;
  if (platform !== 'linux') return false;
  const desktop = (env.XDG_CURRENT_DESKTOP ?? '').toLowerCase();
  if (!desktop.split(':').includes('gnome')) return true;
  return /appindicator/i.test((await enabledExtensions()) ?? '');
}

function gnomeExtensions(): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('gnome-extensions', ['list', '--enabled'], { encoding: 'utf8', timeout: 2000 }, (err, stdout) =>
      resolve(err ? null : stdout),
    );
  });
}

/**
 * `parley:` links reaching the shell: registering as their handler, finding one among a
 * launch's arguments, and holding them until the window can show them. The link itself is
 * untrusted and parsed by the core (ChatApp.openLink); here it is only picked out and passed on.
 */

export const LINK_SCHEME = 'parley';

/** Longer than any link the core takes; a bigger argument is not passed on at all. */
const MAX_ARGUMENT_CHARS = 4096;

/**
 * The link among a launch's arguments (a second instance's argv on Windows and Linux, or the
 * first launch's): the last argument that starts with `parley:`, as the system appends it.
 * Nothing else on the command line is read: a link cannot smuggle in switches.
 */
export function linkInArgv(argv: readonly string[]): string | null {
  for (let i = argv.length - 1; i >= 1; i--) {
    const arg = argv[i]!;
    if (
      arg.length <= MAX_ARGUMENT_CHARS &&
      arg.slice(0, LINK_SCHEME.length + 1).toLowerCase() === `${LINK_SCHEME}:`
    )
      return arg;
  }
  return null;
}

/** What registerLinkHandler needs of Electron's `app`. */
export interface ProtocolApp {
  readonly isPackaged: boolean;
  setAsDefaultProtocolClient(protocol: string, path?: string, args?: string[]): boolean;
}

/**
 * Makes Parley the system's handler of `parley:` links. A packaged app registers itself (the
 * installers also declare it: the .desktop file's MimeType, Info.plist, the registry). A
 * development run registers only on Windows, where the command must name the app's entry
 * script; elsewhere it would point the system at a bare Electron.
 */
export function registerLinkHandler(
  app: ProtocolApp,
  run: { platform: NodeJS.Platform; execPath: string; entry: string | undefined },
): boolean {
  if (app.isPackaged) return app.setAsDefaultProtocolClient(LINK_SCHEME);
  if (run.platform === 'win32' && run.entry)
    return app.setAsDefaultProtocolClient(LINK_SCHEME, run.execPath, [run.entry]);
  return false;
}

/**
 * Links that arrived before the window could take them (at launch, or while it was closed to
 * the tray) wait here, in order, and are handed on once it has loaded.
 */
export class LinkInbox {
  private waiting: string[] = [];
  private open = false;

  constructor(private readonly deliver: (link: string) => void) {}

  /** A link arrived: handed on now if the window is ready, else kept for when it is. */
  receive(link: string): void {
    if (this.open) this.deliver(link);
    else this.waiting.push(link);
  }

  /** The window has loaded and listens: what waited is handed on. */
  ready(): void {
    this.open = true;
    const waiting = this.waiting;
    this.waiting = [];
    for (const link of waiting) this.deliver(link);
  }

  /** The window is gone (closed, reloading): links wait again. */
  closed(): void {
    this.open = false;
  }
}

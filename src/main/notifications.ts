import type { NotificationRequest } from '../shared/api';

/** What the shell needs of one OS notification (Electron's Notification has it). */
export interface ShellNotification {
  on(event: 'click' | 'close' | 'failed', listener: () => void): unknown;
  show(): void;
}

export interface NotificationDeps {
  /** process.platform: Linux notification daemons read the text as markup. */
  platform: NodeJS.Platform;
  /** Makes a notification (Electron: `new Notification(options)`). */
  make(options: { title: string; body: string }): ShellNotification;
  /** Whether the system can show notifications at all (Electron: Notification.isSupported()). */
  supported(): boolean;
  words(request: NotificationRequest): { title: string; body: string };
  /** A click: bring the window up at that room and conversation. */
  open(request: NotificationRequest): void;
  /** A private message or a mention arrived: ask for attention (flash the taskbar). */
  personal(request: NotificationRequest): void;
}

/**
 * Shows the notifications the core asks for, as plain text, and routes a click back. Each live
 * notification is held here until it is clicked, closed or fails: Electron drops the handlers of
 * a notification the garbage collector took (electron#16922), and the click would do nothing.
 */
export class NotificationShelf {
  private readonly live = new Set<ShellNotification>();

  constructor(private readonly deps: NotificationDeps) {}

  /** How many notifications are held (shown and not yet clicked or closed). */
  get size(): number {
    return this.live.size;
  }

  show(request: NotificationRequest): void {
    if (request.kind === 'summary' ? request.personal : request.private || request.mention) {
      this.deps.personal(request);
    }
    if (!this.deps.supported()) return;
    const { title, body } = this.deps.words(request);
    const notification = this.deps.make({
      title: asPlainText(title, this.deps.platform),
      body: asPlainText(body, this.deps.platform),
    });
    this.live.add(notification);
    const done = () => this.live.delete(notification);
    notification.on('click', () => {
      done();
      this.deps.open(request);
    });
    notification.on('close', done);
    notification.on('failed', done);
    notification.show();
  }
}

/**
 * Text as the OS will show it literally. Linux notification daemons parse the body (and some
 * the title) as a subset of markup (the freedesktop notification spec): a message saying
 * `<b>hi</b>` would show bold, one with a stray `<` or `&` would lose its text, and an
 * `<a href>` or `<img src>` would become a link or a remote image. There the markup characters
 * are escaped, as Element and Signal do; elsewhere text is shown as given.
 */
export function asPlainText(text: string, platform: NodeJS.Platform): string {
  if (platform !== 'linux') return text;
  return text.replace(/[&<>"']/g, (c) => `&${ENTITIES[c]};`);
}

const ENTITIES: Record<string, string> = { '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' };

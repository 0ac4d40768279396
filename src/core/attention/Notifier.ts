import type { NotificationRequest, NotifyLevel, Settings } from '../../shared/api';
import type { ChatMessage } from '../../shared/protocol';
import { notificationsFor, type RoomContext } from './notificationPolicy';

/** Where the user is, as the window last said (the bridge's `app:attention`). */
export interface WindowAttention {
  focused: boolean;
  viewing: { roomId: string; conversation: string } | null;
}

/**
 * Turns messages that arrive into notification requests: it keeps what the window says about
 * the user's attention and reads the user's settings (levels, do-not-disturb) at each batch,
 * then asks the policy. `notify` hears each request (ChatApp emits it on the bridge).
 */
export class Notifier {
  private attention: WindowAttention = { focused: false, viewing: null };

  constructor(
    private readonly settings: () => Pick<Settings, 'quietUntil' | 'notifyLevels'>,
    private readonly notify: (request: NotificationRequest) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** The window's latest word on focus and what it shows; a closed window is not focused. */
  setAttention(attention: WindowAttention): void {
    this.attention = attention;
  }

  /** Messages that are news in one room: one live message, or a catch-up after being away. */
  arrived(room: Omit<RoomContext, 'level'>, messages: readonly ChatMessage[]): void {
    if (messages.length === 0) return;
    const { quietUntil, notifyLevels } = this.settings();
    const level: NotifyLevel = notifyLevels[room.roomId] ?? 'default';
    const { focused, viewing } = this.attention;
    const requests = notificationsFor({ ...room, level }, messages, {
      viewing: focused ? viewing : null,
      quietUntil,
      now: this.now(),
    });
    for (const request of requests) this.notify(request);
  }
}

import type { Locale, NotificationRequest } from '../shared/api';

/**
 * A notification's words, in the user's language. The one place the shell words anything:
 * a notification is shown by the operating system, with no window to word it. Plain text only:
 * the OS shows it as given, and nothing here is ever read as markup.
 */
const WORDS = {
  en: {
    message: (from: string, room: string) => `${from} · ${room}`,
    private: (from: string, room: string) => `${from} (private) · ${room}`,
    summary: (count: number) => (count === 1 ? '1 new message' : `${count} new messages`),
    summaryPersonal: (count: number) => `${count} new messages, some for you`,
  },
  'zh-CN': {
    message: (from: string, room: string) => `${from} · ${room}`,
    private: (from: string, room: string) => `${from}（私聊）· ${room}`,
    summary: (count: number) => `${count} 条新消息`,
    summaryPersonal: (count: number) => `${count} 条新消息，其中有给你的`,
  },
} satisfies Record<Locale, unknown>;

/** The language to word in: the user's choice, else the system's (Chinese for any zh-*), else English. */
export function notificationLocale(chosen: Locale | null, system: string): Locale {
  if (chosen) return chosen;
  return system.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function notificationWords(
  request: NotificationRequest,
  locale: Locale,
): { title: string; body: string } {
  const words = WORDS[locale];
  if (request.kind === 'summary') {
    const body = request.personal ? words.summaryPersonal(request.count) : words.summary(request.count);
    return { title: request.roomName, body };
  }
  const title = request.private
    ? words.private(request.from, request.roomName)
    : words.message(request.from, request.roomName);
  return { title, body: request.preview };
}

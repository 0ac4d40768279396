import type { Locale } from '../shared/api';

/**
 * What the shell itself says, outside the window: the tray's menu, the note the first time
 * the window closes to the tray, and the question where no tray exists. Plain text only.
 */
const WORDS = {
  en: {
    open: 'Open Parley',
    unreadIn: (name: string, count: number) => `${name} (${count})`,
    noUnread: 'Nothing unread',
    quiet: 'Do not disturb',
    quit: 'Quit Parley',
    tooltip: (total: number) => (total === 0 ? 'Parley' : `Parley: ${total} unread`),
    trayNoteTitle: 'Parley is still running',
    trayNoteBody: 'Your rooms stay open, and the rooms you host stay up. Quit from the tray icon’s menu.',
    askTitle: 'Keep Parley running?',
    askMessage: 'Your system shows no tray icon, so Parley would keep running without a window.',
    askDetail:
      'Rooms you host stay up and your rooms stay open; start Parley again to bring its window back. Quit ends them all.',
    askKeep: 'Keep running',
    askQuit: 'Quit',
    askRemember: 'Do not ask again',
    badge: 'Unread messages',
  },
  'zh-CN': {
    open: '打开 Parley',
    unreadIn: (name: string, count: number) => `${name}（${count}）`,
    noUnread: '没有未读消息',
    quiet: '勿扰',
    quit: '退出 Parley',
    tooltip: (total: number) => (total === 0 ? 'Parley' : `Parley：${total} 条未读`),
    trayNoteTitle: 'Parley 仍在运行',
    trayNoteBody: '你的房间保持打开，你主持的房间继续运行。可从托盘图标的菜单中退出。',
    askTitle: '让 Parley 继续运行？',
    askMessage: '你的系统没有显示托盘图标，Parley 将在没有窗口的情况下继续运行。',
    askDetail: '你主持的房间继续运行，你的房间保持打开；再次启动 Parley 即可找回窗口。退出会结束这一切。',
    askKeep: '继续运行',
    askQuit: '退出',
    askRemember: '不再询问',
    badge: '未读消息',
  },
} satisfies Record<Locale, unknown>;

export type ShellWords = (typeof WORDS)['en'];

export function shellWords(locale: Locale): ShellWords {
  return WORDS[locale];
}

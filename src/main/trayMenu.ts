import type { MenuItemConstructorOptions } from 'electron';
import type { ShellWords } from './shellWords';

/** What the tray shows: rooms with unread messages, the total, and whether Do not disturb is on. */
export interface TrayState {
  rooms: readonly { roomId: string; name: string; count: number }[];
  total: number;
  quiet: boolean;
}

export interface TrayActions {
  open(): void;
  openRoom(roomId: string): void;
  setQuiet(on: boolean): void;
  quit(): void;
}

/** The most rooms the menu lists by name: a menu is not a room list. */
export const TRAY_ROOMS = 8;

/**
 * The tray icon's menu: Open Parley, each room with unread messages (opening it), Do not
 * disturb, Quit. Pure, so what each item says and does is unit-tested without Electron.
 */
export function trayMenu(
  state: TrayState,
  words: ShellWords,
  actions: TrayActions,
): MenuItemConstructorOptions[] {
  const rooms: MenuItemConstructorOptions[] =
    state.rooms.length === 0
      ? [{ label: words.noUnread, enabled: false }]
      : state.rooms.slice(0, TRAY_ROOMS).map((room) => ({
          // An `&` would be taken for a Windows access key: doubled, it shows as itself.
          label: words.unreadIn(room.name.replaceAll('&', '&&'), room.count),
          click: () => actions.openRoom(room.roomId),
        }));
  return [
    { label: words.open, click: () => actions.open() },
    { type: 'separator' },
    ...rooms,
    { type: 'separator' },
    {
      label: words.quiet,
      type: 'checkbox',
      checked: state.quiet,
      click: () => actions.setQuiet(!state.quiet),
    },
    { type: 'separator' },
    { label: words.quit, click: () => actions.quit() },
  ];
}

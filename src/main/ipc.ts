import { ipcMain, type BrowserWindow } from 'electron';
import { BridgeErrorCode, events, type BridgeReply, type EventName } from '../shared/api';
import type { ChatApp } from '../core/ChatApp';
import { dispatch } from '../core/dispatch';
import { EVENT_CHANNEL, SEND_CHANNEL } from '../shared/channels';

/**
 * Wires the preload's `send`/`subscribe` to the app. Only the window's own main frame may
 * send: an iframe or another webContents is refused before the payload is even parsed.
 */
export function wireBridge(app: ChatApp, getWindow: () => BrowserWindow | null): void {
  ipcMain.handle(SEND_CHANNEL, async (event, command: unknown, payload: unknown): Promise<BridgeReply> => {
    const win = getWindow();
    if (!win || event.sender !== win.webContents || event.senderFrame !== win.webContents.mainFrame) {
      return {
        ok: false,
        error: { code: BridgeErrorCode.Forbidden, message: 'Refused: not the app window.' },
      };
    }
    return dispatch(app, command, payload);
  });
  for (const name of Object.keys(events) as EventName[]) {
    app.on(name, (payload: unknown) => {
      const win = getWindow();
      if (win && !win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, name, payload);
    });
  }
}

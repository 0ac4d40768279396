import { contextBridge, ipcRenderer } from 'electron';
import type { BridgeReply, ParleyBridge } from '../shared/api';
import { EVENT_CHANNEL, SEND_CHANNEL } from '../shared/channels';

// The built preload requires nothing besides electron (a sandboxed preload cannot require
// modules): channels.ts has no imports and is inlined. Payloads are validated in main; the
// window gets exactly `send` and `subscribe`.

const bridge: ParleyBridge = {
  async send(command, payload) {
    const reply = (await ipcRenderer.invoke(SEND_CHANNEL, command, payload)) as BridgeReply;
    // A plain object, not an Error: contextBridge keeps only an Error's message, and the window
    // words the error by its code and parameters.
    if (!reply.ok) throw reply.error;
    return reply.result as never;
  },
  subscribe(event, handler) {
    const listener = (_e: Electron.IpcRendererEvent, name: string, payload: unknown) => {
      if (name === event) handler(payload as never);
    };
    ipcRenderer.on(EVENT_CHANNEL, listener);
    return () => void ipcRenderer.removeListener(EVENT_CHANNEL, listener);
  },
};

contextBridge.exposeInMainWorld('parley', bridge);

import { onTestFinished } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeClientFrame, encodeFrame } from '../../../src/shared/codec';
import {
  PROTOCOL_VERSION,
  type ClientFrame,
  type HostFrame,
  type WelcomeFrame,
} from '../../../src/shared/protocol';

type Hello = Extract<ClientFrame, { type: 'hello' }>;

/** A welcome for a one-member room, with `overrides` applied. */
export function welcomeFor(hello: Hello, overrides: Partial<WelcomeFrame> = {}): WelcomeFrame {
  const you = { id: 'm1', nick: hello.nick };
  return {
    type: 'welcome',
    v: PROTOCOL_VERSION,
    you,
    token: 't1',
    room: { v: PROTOCOL_VERSION, id: 'fake-room', name: 'Fake', host: 'Faker', members: 1 },
    members: [you],
    history: [],
    heartbeatMs: 10_000,
    ...overrides,
  };
}

/**
 * A scripted stand-in for a room host, for making a RoomClient face what a real host would
 * never send. `onHello` runs on each connection's hello with helpers to answer it.
 */
export async function startFakeHost(
  onHello: (peer: { ws: WebSocket; hello: Hello; send: (frame: HostFrame | string) => void }) => void,
): Promise<number> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  );
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    ws.on('message', (data) => {
      const decoded = decodeClientFrame(data.toString());
      if (!decoded.ok || decoded.frame.type !== 'hello') return;
      const send = (frame: HostFrame | string): void =>
        ws.send(typeof frame === 'string' ? frame : encodeFrame(frame));
      onHello({ ws, hello: decoded.frame, send });
    });
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const address = wss.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

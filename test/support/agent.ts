/**
 * A headless Parley app for tests: one ChatApp (the very object Electron's main drives) served
 * over a unix socket as JSON lines. LAN tests and the Playwright bridge talk to it exactly as the
 * preload talks to main: `send(command, payload)` -> reply envelope, and pushed events.
 *
 * node --import tsx test/support/agent.ts --socket /tmp/x.sock --data DIR --nick Alice [--no-discovery]
 */
import { createServer, type Socket } from 'node:net';
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { events, type EventName } from '../../src/shared/api';
import { ChatApp } from '../../src/core/ChatApp';
import { dispatch } from '../../src/core/dispatch';
import { checkEvent, checkResult } from './contract';

const { values } = parseArgs({
  options: {
    socket: { type: 'string' },
    data: { type: 'string' },
    nick: { type: 'string', default: 'Tester' },
    'no-discovery': { type: 'boolean', default: false },
    'probe-ms': { type: 'string', default: '1000' },
  },
});
if (!values.socket || !values.data) throw new Error('agent needs --socket and --data');

const probeIntervalMs = Number(values['probe-ms']);
/** The agent's stand-in for the shell's notification click (not a bridge command). */
const SHELL_NOTIFICATION_CLICKED = 'shell:notification-clicked';
/** The agent's stand-in for a link handed to the shell (a second launch, open-url). */
const SHELL_OPEN_LINK = 'shell:open-link';
/** The agent's stand-in for the shell's idle watch (powerMonitor). */
const SHELL_IDLE = 'shell:idle';
const app = new ChatApp({
  dataDir: values.data,
  defaultNickname: values.nick!,
  discovery: values['no-discovery']
    ? false
    : { probeIntervalMs, probeTimeoutMs: Math.min(1000, probeIntervalMs) },
});

/** A broken contract ends the agent with the reason on stderr: every test using it then fails. */
function guard(check: () => void): void {
  try {
    check();
  } catch (err) {
    process.stderr.write(`[agent] ${(err as Error).message}\n`);
    process.exit(3);
  }
}

const clients = new Set<Socket>();
for (const name of Object.keys(events) as EventName[]) {
  app.on(name, (payload: unknown) => {
    // Outside the contract is a bug in the core: fail the test run loudly, never pass it on.
    guard(() => checkEvent(name, payload));
    const line = JSON.stringify({ event: name, payload }) + '\n';
    for (const c of clients) c.write(line);
  });
}

const server = createServer((socket) => {
  clients.add(socket);
  socket.on('close', () => clients.delete(socket));
  socket.on('error', () => clients.delete(socket));
  let buffer = '';
  socket.on('data', (chunk) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const { id, command, payload } = JSON.parse(line) as { id: number; command: unknown; payload: unknown };
      // What Electron's main does when the user clicks a notification (src/main/index.ts): no
      // window can send this, it stands in for the shell.
      if (command === SHELL_NOTIFICATION_CLICKED) {
        app.reveal(payload as Parameters<ChatApp['reveal']>[0]);
        socket.write(JSON.stringify({ id, reply: { ok: true, result: {} } }) + '\n');
        continue;
      }
      if (command === SHELL_IDLE) {
        app.setIdle((payload as { idle: boolean }).idle);
        socket.write(JSON.stringify({ id, reply: { ok: true, result: {} } }) + '\n');
        continue;
      }
      if (command === SHELL_OPEN_LINK) {
        app.openLink((payload as { link: string }).link);
        socket.write(JSON.stringify({ id, reply: { ok: true, result: {} } }) + '\n');
        continue;
      }
      void dispatch(app, command, payload).then((reply) => {
        if (reply.ok) guard(() => checkResult(String(command), reply.result));
        socket.write(JSON.stringify({ id, reply }) + '\n');
      });
    }
  });
});

rmSync(values.socket, { force: true });
server.listen(values.socket, () => {
  app.start();
  process.stdout.write(JSON.stringify({ event: 'ready' }) + '\n');
});

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await app.stop();
  server.close();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());

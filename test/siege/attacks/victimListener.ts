/**
 * The victim of attack 11c: a TCP listener on `--port` that counts the connections it gets (and
 * closes each at once), until SIGTERM or `--max-ms`.
 */
import { createServer } from 'node:net';
import { attackArgs, boundedLife, emit } from '../support/attacker';

const { target, values } = attackArgs({ port: { type: 'string', default: '7443' }, me: { type: 'string' } });
let connections = 0;
const from = new Map<string, number>();
const server = createServer((socket) => {
  connections++;
  const who = socket.remoteAddress ?? '?';
  from.set(who, (from.get(who) ?? 0) + 1);
  socket.destroy();
});
boundedLife(target.maxMs, () => ({ connections, from: Object.fromEntries(from) }));
server.listen(Number(values.port), values.me, () => emit('engaged', { port: Number(values.port) }));

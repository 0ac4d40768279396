/**
 * The other machine's lobby, for the discovery benchmark: a real Discovery that prints the room
 * ids it lists, stamped, on every change.
 *
 *   node --import tsx watcher.ts [--probe-interval MS]
 *
 * Prints {event:'browsing', t} just before each Discovery is made and started, then
 * {event:'rooms', ids, t} on every change of its lobby. stdin {"cmd":"restart"} stops the
 * Discovery and starts a fresh one (a joiner opening the app, without process start-up).
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Discovery } from '../../src/core/discovery';
import { emit, exitWithParent, wallNow } from '../support/clock';

const { values } = parseArgs({ options: { 'probe-interval': { type: 'string', default: '3000' } } });
const probeIntervalMs = Number(values['probe-interval']);
let discovery: Discovery | null = null;

async function restart(): Promise<void> {
  await discovery?.stop();
  // Stamped before the constructor: a joiner's start includes opening its sockets.
  const t = wallNow();
  const next = new Discovery({ probeIntervalMs });
  next.on('rooms', (rooms) => emit('rooms', { ids: rooms.map((r) => r.id) }));
  next.on('error', (err) => emit('error', { message: err.message }));
  discovery = next;
  next.start();
  emit('browsing', { t });
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const { cmd } = JSON.parse(line) as { cmd: string };
  if (cmd === 'restart') void restart();
});
exitWithParent(10 * 60_000);
void restart();

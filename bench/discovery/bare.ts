/**
 * The baseline of the discovery benchmark: bare bonjour-service, set up the way Discovery sets
 * up each interface (bound to 0.0.0.0, multicast on one interface, publishing without RFC 6762
 * probing), with none of Parley's lobby on top (no TXT parsing, re-queries or liveness probes).
 *
 *   node --import tsx bare.ts --interface ADDR
 *
 * stdin commands, one JSON object a line:
 *   {"cmd":"publish","name":N}  publishes N; prints {event:'publishing', t} just before
 *   {"cmd":"unpublish"}         sends the goodbye of what was published
 *   {"cmd":"browse"}            (re)starts a browser; prints {event:'browsing', t} just before,
 *                               then {event:'up'|'down', name, t} as services come and go
 */
import Bonjour from 'bonjour-service';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { assertMdnsAllowed } from '../../src/core/discovery/netnsGuard';
import { emit, exitWithParent, wallNow } from '../support/clock';

/** Not Parley's service type, so Parley's lobby and this browser do not see each other's services. */
const TYPE = 'parley-bare';

const { values } = parseArgs({ options: { interface: { type: 'string' } } });
assertMdnsAllowed();
const opts = { interface: values.interface, bind: '0.0.0.0' } as unknown as ConstructorParameters<
  typeof Bonjour
>[0];
const onError = (err: unknown) => emit('error', { message: String(err) });
let publisher: Bonjour | null = null;
let service: Bonjour.Service | null = null;
let browsing: Bonjour | null = null;

createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as { cmd: string; name?: string };
  if (command.cmd === 'publish') {
    publisher ??= new Bonjour(opts, onError);
    emit('publishing');
    service = publisher.publish({ name: command.name!, type: TYPE, port: 4000, probe: false });
  } else if (command.cmd === 'unpublish') {
    service?.stop?.();
    service = null;
  } else if (command.cmd === 'browse') {
    browsing?.destroy();
    const t = wallNow();
    browsing = new Bonjour(opts, onError);
    const browser = browsing.find({ type: TYPE });
    browser.on('up', (s: Bonjour.Service) => emit('up', { name: s.name }));
    browser.on('down', (s: Bonjour.Service) => emit('down', { name: s.name }));
    emit('browsing', { t });
  }
});
exitWithParent(10 * 60_000);

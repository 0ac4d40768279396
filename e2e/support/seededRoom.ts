import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { createLan } from '../../test/lan/netns';
import { startAgent, type RunningAgent } from '../../test/support/agents';
import { openWindow } from './bindPage';
import { joinFromLobby } from './lobby';

/** Bob's window in Alice's room, whose history was written straight into her data folder. */
export interface SeededRoom {
  page: Page;
  /** The host, to post into the room while Bob reads. */
  alice: RunningAgent;
  /** Closes the window, stops both agents, removes the LAN and Alice's data folder. */
  dispose(): Promise<void>;
}

/**
 * Alice, on a simulated LAN, hosts room `name` from a data folder `seed` filled beforehand (a
 * long history in one transaction is far quicker than posting it); Bob's window joins it from
 * the lobby. Whatever was started is ended by dispose(), even if a later step failed.
 */
export async function openSeededRoom(
  browser: Browser,
  name: string,
  seed: (dataDir: string) => void,
): Promise<SeededRoom> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-seeded-'));
  const ends: (() => Promise<void> | void)[] = [() => rmSync(dataDir, { recursive: true, force: true })];
  let page: Page | undefined;
  const dispose = async (): Promise<void> => {
    await page?.context().close();
    for (const end of ends.splice(0).reverse()) await end();
  };
  try {
    seed(dataDir);
    const lan = await createLan(['alice', 'bob']);
    ends.push(() => lan.destroy());
    const [alice, bob] = await Promise.all([
      startAgent(lan, 'alice', 'Alice', { dataDir }),
      startAgent(lan, 'bob', 'Bob'),
    ]);
    ends.push(() => Promise.all([alice.dispose(), bob.dispose()]).then(() => {}));
    const room = await alice.client.send('room:host', { name });
    await alice.client.waitFor('session', ({ session }) => session?.state === 'online');
    page = await openWindow(browser, bob.client);
    await joinFromLobby(page, room.name);
    return { page, alice, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

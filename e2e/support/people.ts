import { test } from '@playwright/test';
import { createLan, requireNetnsOrSkip, type Lan } from '../../test/lan/netns';
import { startAgent, type RunningAgent } from '../../test/support/agents';

/** Two people's apps on two machines of a simulated LAN; filled in by the suite's beforeAll. */
export interface AliceAndBob {
  lan: Lan;
  alice: RunningAgent;
  bob: RunningAgent;
}

/**
 * Sets up the suite it is called in: before its tests, a LAN of two machines with Alice's and
 * Bob's apps (test agents with discovery on); after them, everything stopped and removed.
 * Skips the suite with the reason where network namespaces cannot be made (never in CI).
 */
export function aliceAndBob(): AliceAndBob {
  const people = {} as Partial<AliceAndBob>;
  test.beforeAll(async () => {
    test.skip(!requireNetnsOrSkip(), 'needs root to create network namespaces (ip netns)');
    people.lan = await createLan(['alice', 'bob']);
    [people.alice, people.bob] = await Promise.all([
      startAgent(people.lan, 'alice', 'Alice'),
      startAgent(people.lan, 'bob', 'Bob'),
    ]);
  });
  test.afterAll(async () => {
    // A test may have frozen an app with SIGSTOP; a frozen process cannot be stopped politely.
    for (const agent of [people.alice, people.bob]) {
      if (agent?.child.signalCode === null) agent.child.kill('SIGCONT');
    }
    await Promise.all([people.alice?.dispose(), people.bob?.dispose()]);
    await people.lan?.destroy();
  });
  return people as AliceAndBob;
}

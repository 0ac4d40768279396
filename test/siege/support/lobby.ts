/**
 * A victim lobby for the discovery attacks: the whole app (test agent, real Discovery with the
 * app's default probe interval) on one machine, and a watch over every lobby it publishes.
 */
import { onTestFinished } from 'vitest';
import type { LobbyRoom } from '../../../src/shared/api';
import type { Lan } from '../../lan/netns';
import { startAgent, type RunningAgent } from '../../support/agents';

/** The app's own probe interval (Discovery's default). */
const APP_PROBE_MS = 3_000;

/** Starts the app on `machine` with discovery on; disposed when the test finishes. */
export async function startLobby(lan: Lan, machine: string): Promise<RunningAgent> {
  const agent = await startAgent(lan, machine, 'Lobby', { discovery: true, probeMs: APP_PROBE_MS });
  onTestFinished(() => agent.dispose());
  return agent;
}

/** Counts the lobby updates in which `healthy` does not hold, from now until stop(). */
export function watchLobby(agent: RunningAgent, healthy: (rooms: LobbyRoom[]) => boolean) {
  const seen = { updates: 0, unhealthy: 0, firstUnhealthyMs: null as number | null, last: true };
  const started = performance.now();
  const listener = ({ rooms }: { rooms: LobbyRoom[] }) => {
    seen.updates++;
    seen.last = healthy(rooms);
    if (seen.last) return;
    seen.unhealthy++;
    seen.firstUnhealthyMs ??= Math.round(performance.now() - started);
  };
  agent.client.on('lobby', listener);
  return {
    stop() {
      agent.client.off('lobby', listener);
      return { ...seen };
    },
  };
}

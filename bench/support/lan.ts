import { createLan, netnsAvailable, type Lan } from '../../test/lan/netns';

/** A simulated LAN of network namespaces (test/lan/netns.ts), or a clear error saying why not. */
export function benchLan(machines: string[]): Promise<Lan> {
  const available = netnsAvailable();
  if (!available.ok) throw new Error(`needs network namespaces: ${available.why}`);
  return createLan(machines);
}

import { onTestFinished } from 'vitest';
import { RoomHost, type RoomHostOptions } from '../../../src/core/host/RoomHost';

/** A started RoomHost on 127.0.0.1 and a free port, stopped when the test ends. */
export async function startHost(opts: Partial<RoomHostOptions> = {}): Promise<RoomHost> {
  const host = new RoomHost({
    name: 'Test room',
    hostNick: 'Hosting Hana',
    bindAddress: '127.0.0.1',
    ...opts,
  });
  onTestFinished(() => host.stop());
  await host.start();
  return host;
}

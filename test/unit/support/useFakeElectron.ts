/**
 * For the probes that load the BUILT main bundle under plain Node: resolves `electron` to the
 * recording fake before anything imports it (the real package would try to download a binary),
 * and returns the fake. Erasable TypeScript only, node: imports only.
 */
import { registerHooks } from 'node:module';
import type * as Fake from './fakeElectron';

export async function useFakeElectron(): Promise<typeof Fake> {
  const fakeUrl = new URL('./fakeElectron.ts', import.meta.url).href;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier === 'electron' || specifier.startsWith('electron/'))
        return { url: fakeUrl, shortCircuit: true };
      return nextResolve(specifier, context);
    },
  });
  return (await import(fakeUrl)) as typeof Fake;
}

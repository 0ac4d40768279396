import fs from 'node:fs';
import path from 'node:path';

/**
 * Test-safety guard. While PARLEY_REQUIRE_NETNS=1 (vitest sets it, child processes inherit it),
 * discovery may multicast only from inside a network namespace that a test made, never on the
 * real interfaces of the machine running the tests.
 *
 * "Inside a test-made namespace" is proven in one of two ways:
 *  - the namespace is a named one (`ip netns add`, bind-mounted under /run/netns), or
 *  - /proc/1/ns/net is readable and differs from ours (an `unshare -n` style namespace).
 * Being in PID 1's namespace is always refused. Some sandboxes deny reading /proc/1/ns/net even to
 * root; then only the first proof counts, so an unprovable case refuses rather than multicasts.
 */
export function assertMdnsAllowed(): void {
  if (process.env.PARLEY_REQUIRE_NETNS !== '1') return;
  const why = whyNotInTestNamespace();
  if (why !== null) {
    throw new Error(
      `mDNS discovery is only allowed inside test-made network namespaces while PARLEY_REQUIRE_NETNS=1, but ${why}.`,
    );
  }
}

/** Null when this process is provably in a test-made network namespace; otherwise the reason. */
export function whyNotInTestNamespace(): string | null {
  let own: fs.Stats;
  try {
    own = fs.statSync('/proc/self/ns/net');
  } catch {
    return 'this system has no /proc/self/ns/net to check the network namespace with';
  }
  const ownLink = `net:[${own.ino}]`;

  let initLink: string | null = null;
  try {
    initLink = fs.readlinkSync('/proc/1/ns/net');
  } catch {
    // Unreadable (sandboxed /proc): fall through to the named-namespace proof.
  }
  if (initLink === ownLink) return 'this process is in the initial network namespace';

  if (isNamedNamespace(own)) return null;
  if (initLink !== null) return null;
  return 'this process is not in a namespace made by `ip netns add` and /proc/1/ns/net is unreadable, so it may be the initial one';
}

function isNamedNamespace(own: fs.Stats): boolean {
  for (const dir of ['/run/netns', '/var/run/netns']) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      try {
        const st = fs.statSync(path.join(dir, name));
        if (st.ino === own.ino && st.dev === own.dev) return true;
      } catch {
        // A namespace being deleted right now; ignore it.
      }
    }
  }
  return false;
}

/**
 * Debian's Chromium, as the e2e tests and the window benchmark launch it: Playwright's own
 * browser download cannot work on the build machines, and nothing may reach outside the machine.
 */
export const CHROMIUM_PATH = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/**
 * The two IPC channels between the window's preload and main: commands go up one (invoke), events
 * come down the other. No imports, so the sandboxed preload's bundle inlines these strings and
 * still requires nothing but electron (electron.hardening.test.ts checks the built file).
 */
export const SEND_CHANNEL = 'parley:send';
export const EVENT_CHANNEL = 'parley:event';

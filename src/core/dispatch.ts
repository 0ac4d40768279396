import { BridgeError, BridgeErrorCode, parseCommand, type BridgeReply } from '../shared/api';
import type { ChatApp } from './ChatApp';

/**
 * Runs one untrusted (command, payload) pair from a shell against the app and answers with an
 * envelope that survives any transport (Electron IPC flattens thrown errors to a string; a
 * socket carries JSON). Parsing happens here, once, for every shell.
 */
export async function dispatch(app: ChatApp, command: unknown, payload: unknown): Promise<BridgeReply> {
  try {
    const parsed = parseCommand(command, payload);
    return { ok: true, result: await app.handle(parsed) };
  } catch (err) {
    if (err instanceof BridgeError) {
      const { code, message, params } = err;
      return { ok: false, error: params === undefined ? { code, message } : { code, message, params } };
    }
    console.error('[parley] command failed', err);
    return {
      ok: false,
      error: { code: BridgeErrorCode.Internal, message: 'Something went wrong inside Parley.' },
    };
  }
}

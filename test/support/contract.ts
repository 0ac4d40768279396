/**
 * The bridge contract checked at run time in tests: every command's result and every event's
 * payload against its schema in shared/api.ts. The window and the preload trust them as types;
 * these checks make sure the core sends exactly what the types promise.
 */
import { commands, events, type CommandName, type EventName } from '../../src/shared/api';

function describe(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Throws when `result` is not what `command` promises to answer with. */
export function checkResult(command: string, result: unknown): void {
  if (!Object.hasOwn(commands, command)) return; // an unknown command answers with an error
  const parsed = commands[command as CommandName].result.safeParse(result);
  if (!parsed.success)
    throw new Error(`${command} answered outside its schema: ${describe(parsed.error.issues)}`);
}

/** Throws when `payload` is not what event `name` promises to carry. */
export function checkEvent(name: string, payload: unknown): void {
  if (!Object.hasOwn(events, name)) throw new Error(`the core emitted an event the contract lacks: ${name}`);
  const parsed = events[name as EventName].safeParse(payload);
  if (!parsed.success) throw new Error(`${name} event outside its schema: ${describe(parsed.error.issues)}`);
}

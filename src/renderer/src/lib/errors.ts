/**
 * Turns whatever a rejected bridge command carries into a sentence for the user. The bridge
 * rejects with `{ code, message }` or an Error; Electron may prefix the message with its own
 * "Error invoking remote method" wrapper, which means nothing to a person.
 */
export function errorMessage(error: unknown): string {
  let message: string | null = null;
  if (typeof error === 'string') message = error;
  else if (error && typeof error === 'object' && 'message' in error && typeof error.message === 'string') {
    message = error.message;
  }
  if (!message) return String(error);
  return message
    .replace(/^Error invoking remote method '[^']*':\s*/, '')
    .replace(/^(?:[A-Za-z]*Error):\s*/, '')
    .trim();
}

/**
 * A client id for a post, chosen by the window when the message is typed (as Matrix clients
 * choose their txnId): the pending message is keyed by it from the first moment, so no
 * acknowledgement or refusal can arrive for a post the window cannot name. Random 72 bits,
 * base64url, as the core's own (getRandomValues works in any page, randomUUID only in a secure one).
 */
export function newCid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_');
}

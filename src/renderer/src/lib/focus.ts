/** The composer's textarea id, so other parts of the room can hand it the focus. */
export const COMPOSER_ID = 'composer-input';

export function focusComposer(): void {
  document.getElementById(COMPOSER_ID)?.focus();
}

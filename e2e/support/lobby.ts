import { expect, type Page } from '@playwright/test';

/**
 * Joins `roomName` from the lobby's list of rooms found on the network for the first time (the
 * verification dialog, codes taken as compared), and waits until online.
 */
export async function joinFromLobby(page: Page, roomName: string): Promise<void> {
  await page
    .getByRole('list', { name: 'Rooms on your network' })
    .getByRole('button', { name: `Join ${roomName}` })
    .click();
  await page
    .getByRole('dialog', { name: 'Check the room before joining' })
    .getByRole('button', { name: 'The codes match — join' })
    .click();
  await expect(page.getByRole('status')).toContainText('Online');
}

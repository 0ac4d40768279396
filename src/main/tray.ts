import { Menu, nativeImage, Tray, type NativeImage } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ShellWords } from './shellWords';
import { trayMenu, type TrayActions, type TrayState } from './trayMenu';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * An icon drawn at build time from resources/icon.svg (scripts/icons.mjs writes out/icons/);
 * empty where the build did not make it (the tray then shows no picture, but still works).
 */
export function builtIcon(name: string): NativeImage {
  const file = join(here, '../icons', name);
  if (!existsSync(file)) {
    console.warn(`[parley] icon ${name} was not built (run npm run build)`);
    return nativeImage.createEmpty();
  }
  return nativeImage.createFromPath(file);
}

/**
 * The tray icon: its picture says whether anything waits unread, its tooltip how much, and its
 * menu lists the rooms with unread messages (see trayMenu). Clicking the icon opens the window.
 */
export class ParleyTray {
  private readonly tray: Tray;
  private readonly idle = builtIcon('tray.png');
  private readonly unread = builtIcon('tray-unread.png');
  private state: TrayState = { rooms: [], total: 0, quiet: false };

  constructor(
    private words: ShellWords,
    private readonly actions: TrayActions,
  ) {
    this.tray = new Tray(this.idle);
    this.tray.on('click', () => actions.open());
    this.render();
  }

  update(change: Partial<TrayState>, words: ShellWords = this.words): void {
    this.state = { ...this.state, ...change };
    this.words = words;
    this.render();
  }

  private render(): void {
    const { total } = this.state;
    this.tray.setImage(total > 0 ? this.unread : this.idle);
    this.tray.setToolTip(this.words.tooltip(total));
    this.tray.setContextMenu(Menu.buildFromTemplate(trayMenu(this.state, this.words, this.actions)));
  }

  destroy(): void {
    this.tray.destroy();
  }
}

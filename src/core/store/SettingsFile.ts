import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SettingsSchema, type Settings } from '../../shared/api';
import type { StorageProblem } from '../../shared/storageProblem';

/**
 * The user's settings as a small JSON file in the data folder. A file that cannot be read or
 * does not match the schema is renamed aside (never deleted) and defaults are used, so a corrupt
 * file costs the user their preferences, never the app.
 */
export class SettingsFile {
  private readonly path: string;
  private current: Settings;
  /** Set when the file on disk was unusable (kept aside; defaults are in use). */
  readonly problem: StorageProblem | null = null;

  constructor(dataDir: string, defaults: Settings) {
    mkdirSync(dataDir, { recursive: true });
    this.path = join(dataDir, 'settings.json');
    this.current = defaults;
    let raw: string;
    try {
      raw = readFileSync(this.path, 'utf8');
    } catch {
      return; // first run: no file yet
    }
    const parsed = parseJson(raw);
    if (parsed) {
      this.current = parsed;
      return;
    }
    const aside = `${this.path}.corrupt-${Date.now()}`;
    try {
      renameSync(this.path, aside);
    } catch {
      // Could not move it: we still run on defaults and overwrite on the next save.
    }
    this.problem = { kind: 'damaged', file: 'settings', path: this.path, aside };
  }

  get(): Settings {
    return this.current;
  }

  /** Saves atomically (write then rename) so a crash mid-write never leaves half a file. */
  set(next: Settings): void {
    this.current = next;
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(next, null, 2));
    renameSync(tmp, this.path);
  }
}

function parseJson(raw: string): Settings | null {
  try {
    const parsed = SettingsSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Trouble with a file in the data folder, as a code and its parameters: the core says which
 * file and what happened, the window says it in the user's language (codes cross boundaries,
 * words live in the window). The English sentence here is for logs and the headless host.
 */
import { z } from 'zod';

/** Which file: each holds something else, and losing it costs something else. */
export const StorageFileSchema = z.enum(['settings', 'messages', 'trust', 'history', 'identity']);
export type StorageFile = z.infer<typeof StorageFileSchema>;

export const StorageKindSchema = z.enum([
  /** It could not be read: kept aside as `aside` (never deleted), and a fresh one started. */
  'damaged',
  /** It could not be read, nor moved aside (`detail`): a fresh one in memory until Parley quits. */
  'stuck',
  /** It cannot be written (`detail`): what it holds is kept in memory until Parley restarts. */
  'unwritable',
  /** Writes fail now (`detail`): kept in memory, and saved as soon as the disk takes them. */
  'failing',
]);
export type StorageKind = z.infer<typeof StorageKindSchema>;

export const StorageProblemSchema = z.object({
  kind: StorageKindSchema,
  file: StorageFileSchema,
  /** The file or folder, as the system names it. */
  path: z.string(),
  /** Where a damaged file was kept. */
  aside: z.string().optional(),
  /** The system's own words for what failed (untranslated: it names a cause, e.g. ENOSPC). */
  detail: z.string().optional(),
});
export type StorageProblem = z.infer<typeof StorageProblemSchema>;

const WHAT: Record<StorageFile, string> = {
  settings: 'The settings file',
  messages: 'The file of your messages',
  trust: 'The file of trusted room certificates',
  history: 'The history file of the rooms you host',
  identity: 'The host identity',
};

/** What losing the file means, where it means more than "starts afresh". */
const COST: Partial<Record<`${StorageFile}.${StorageKind}`, string>> = {
  'trust.damaged':
    'Rooms joined before will be trusted anew on first contact; compare their verification codes.',
  'identity.damaged': "Members who joined before will be warned that this host's certificate changed.",
  'identity.stuck': "Members will be warned that this host's certificate changed.",
  'identity.unwritable': "After Parley quits, members will be warned that this host's certificate changed.",
};

/** The English sentence, for logs and the headless host's output. */
export function storageSentence(problem: StorageProblem): string {
  const what = `${WHAT[problem.file]} ${problem.path}`;
  const detail = problem.detail ? ` (${problem.detail})` : '';
  const said = {
    damaged: `${what} could not be read${detail}; it was kept aside as ${problem.aside ?? '?'} and a fresh one was started.`,
    stuck: `${what} could not be read nor moved aside${detail}; a fresh one is kept in memory until Parley quits.`,
    unwritable: `${what} cannot be written${detail}; it is kept in memory until Parley restarts.`,
    failing: `${what} cannot be written right now${detail}; what is new is kept in memory and saved as soon as it can be.`,
  }[problem.kind];
  const cost = COST[`${problem.file}.${problem.kind}`];
  return cost ? `${said} ${cost}` : said;
}

/** The problem as the bridge carries it: code STORAGE, the sentence, and the parameters to word it. */
export function storageReport(problem: StorageProblem): {
  code: 'STORAGE';
  message: string;
  params: Record<string, string>;
} {
  const { kind, file, path, aside, detail } = problem;
  return {
    code: 'STORAGE',
    message: storageSentence(problem),
    params: {
      kind,
      file,
      path,
      ...(aside !== undefined && { aside }),
      ...(detail !== undefined && { detail }),
    },
  };
}

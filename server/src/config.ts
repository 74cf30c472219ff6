import { z } from 'zod';

/**
 * Every setting, read from the environment once at start-up. Each entry documents itself;
 * `loadConfig` lists every problem at once.
 */
export const SETTINGS = {
  PORT: { default: '8080', doc: 'Port the server listens on (Cloud Run sets it).' },
  STORAGE_URL: {
    default: 'file://./data',
    doc: 'Where runs and scores live: `file://PATH` (embedded, one folder per bucket) or `gs://BUCKET[/PREFIX]`.',
  },
  LOAD_DEMO: {
    default: 'auto',
    doc: '`auto` loads the example runs and clips into an empty `file://` store; `always` or `never`.',
  },
  COMPACTION_INTERVAL_MS: {
    default: '2000',
    doc: 'How often pending submissions are folded into scores/scores.csv (milliseconds; 0 turns it off).',
  },
  COMPACTION_TEST_PAUSE_MS: {
    default: '0',
    doc: 'Testing only: pause between writing scores/scores.csv and deleting what it folded, so a test can kill the server mid-compaction. Leave at 0.',
  },
  CLIENT_DIR: {
    default: '',
    doc: 'Folder of the built rater app; defaults to client/dist next to the server.',
  },
} as const;

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535),
  STORAGE_URL: z.string().regex(/^(file|gs):\/\/.+/, 'must be file://PATH or gs://BUCKET[/PREFIX]'),
  LOAD_DEMO: z.enum(['auto', 'always', 'never']),
  COMPACTION_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000),
  COMPACTION_TEST_PAUSE_MS: z.coerce.number().int().min(0).max(600_000),
  CLIENT_DIR: z.string(),
});

export interface Config {
  port: number;
  storageUrl: string;
  loadDemo: 'auto' | 'always' | 'never';
  compactionIntervalMs: number;
  compactionTestPauseMs: number;
  clientDir?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = Object.fromEntries(
    Object.entries(SETTINGS).map(([k, s]) => [k, env[k] === undefined || env[k] === '' ? s.default : env[k]]),
  );
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map(
        (i) => `${i.path.join('.')}=${JSON.stringify(raw[String(i.path[0])])}: ${i.message}`,
      ),
    );
  }
  const c = parsed.data;
  return {
    port: c.PORT,
    storageUrl: c.STORAGE_URL,
    loadDemo: c.LOAD_DEMO,
    compactionIntervalMs: c.COMPACTION_INTERVAL_MS,
    compactionTestPauseMs: c.COMPACTION_TEST_PAUSE_MS,
    ...(c.CLIENT_DIR ? { clientDir: c.CLIENT_DIR } : {}),
  };
}

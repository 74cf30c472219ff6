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
  UPLOAD_TOKEN: {
    default: '',
    doc: 'Bearer token that `POST /runs` requires (at least 16 characters). Empty: uploads over HTTP are off.',
  },
  ACCESS_CODE: {
    default: '',
    doc: 'Shared code raters type once per browser before they can use the app (sent as `X-Access-Code`). Empty: no code.',
  },
  UPLOAD_MAX_FILES: { default: '5000', doc: 'Most files one `POST /runs` may carry.' },
  UPLOAD_MAX_FILE_BYTES: { default: '67108864', doc: 'Largest single file in an upload (bytes).' },
  UPLOAD_MAX_TOTAL_BYTES: {
    default: '134217728',
    doc: 'Largest whole upload (bytes); it is held in memory while it is checked.',
  },
  JSON_BODY_LIMIT_BYTES: { default: '65536', doc: 'Largest JSON request body (bytes); bigger is 413.' },
  RATE_LIMIT_WINDOW_MS: { default: '60000', doc: 'Window of the write rate limit (milliseconds).' },
  RATE_LIMIT_WRITES: {
    default: '300',
    doc: 'Writes (`POST /scores`, `POST /runs`) one client address may make per window; 0 turns the limit off.',
  },
  TRUST_PROXY_HOPS: {
    default: '1',
    doc: 'Proxies in front of the app whose X-Forwarded-For is trusted for the client address (Cloud Run: 1).',
  },
  VIDEO_PREFIXES: {
    default: '',
    doc: 'Comma-separated `gs://BUCKET/PREFIX/` locations whose videos are served even when no run names them.',
  },
  SIGNED_URL_TTL_SECONDS: {
    default: '900',
    doc: 'Life of a signed video URL; one is reused for the first half of its life.',
  },
  SIGNED_URL_ORIGIN: {
    default: 'https://storage.googleapis.com',
    doc: 'Origin signed video URLs point at, allowed as a media source by the content security policy.',
  },
  LOG_REQUESTS: {
    default: 'true',
    doc: 'Write one JSON line per request to stdout in Cloud Logging format (`true` or `false`).',
  },
  GOOGLE_CLOUD_PROJECT: {
    default: '',
    doc: 'Project ID, so request logs link to Cloud Trace (`projects/ID/traces/TRACE`).',
  },
  TARGET_RATINGS_PER_ITEM: {
    default: '3',
    doc: 'Ratings (distinct raters) each item gets before any item gets more; also shown with coverage.',
  },
} as const;

export type SettingName = keyof typeof SETTINGS;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** `gs://bucket/prefix/`: a bucket and a folder, so one setting cannot open a whole bucket by accident. */
const VideoPrefixSchema = z
  .string()
  .regex(
    /^gs:\/\/[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]\/([^/\s]+\/)+$/,
    'must be gs://BUCKET/PREFIX/ (ending in /)',
  )
  .refine((p) => !p.split('/').some((s) => s === '.' || s === '..'), 'must not contain . or .. segments');

const ConfigSchema = z.object({
  PORT: int(1, 65535),
  STORAGE_URL: z.string().regex(/^(file|gs):\/\/.+/, 'must be file://PATH or gs://BUCKET[/PREFIX]'),
  LOAD_DEMO: z.enum(['auto', 'always', 'never']),
  COMPACTION_INTERVAL_MS: int(0, 3_600_000),
  COMPACTION_TEST_PAUSE_MS: int(0, 600_000),
  CLIENT_DIR: z.string(),
  UPLOAD_TOKEN: z.string().refine((t) => t === '' || (t.length >= 16 && /^[\x21-\x7e]+$/.test(t)), {
    message: 'must be at least 16 printable characters without spaces (or empty to turn uploads off)',
  }),
  ACCESS_CODE: z
    .string()
    .refine((t) => t === '' || (t.length >= 4 && t.length <= 200 && !/[\x00-\x1f\x7f]/.test(t)), {
      message: 'must be 4-200 characters without control characters (or empty for no code)',
    }),
  UPLOAD_MAX_FILES: int(1, 100_000),
  UPLOAD_MAX_FILE_BYTES: int(1, 1024 * 1024 * 1024),
  UPLOAD_MAX_TOTAL_BYTES: int(1, 4 * 1024 * 1024 * 1024),
  JSON_BODY_LIMIT_BYTES: int(1024, 10 * 1024 * 1024),
  RATE_LIMIT_WINDOW_MS: int(1000, 24 * 3600 * 1000),
  RATE_LIMIT_WRITES: int(0, 1_000_000),
  TRUST_PROXY_HOPS: int(0, 10),
  VIDEO_PREFIXES: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    )
    .pipe(z.array(VideoPrefixSchema)),
  SIGNED_URL_TTL_SECONDS: int(60, 7 * 24 * 3600),
  SIGNED_URL_ORIGIN: z
    .string()
    .regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d+)?$/, 'must be an origin like https://host'),
  LOG_REQUESTS: z.enum(['true', 'false']).transform((v) => v === 'true'),
  GOOGLE_CLOUD_PROJECT: z.string().regex(/^([a-z][a-z0-9-]{4,28}[a-z0-9])?$/, 'must be a project ID'),
  TARGET_RATINGS_PER_ITEM: z.coerce.number().int().min(1).max(100),
});

export interface Config {
  port: number;
  storageUrl: string;
  loadDemo: 'auto' | 'always' | 'never';
  compactionIntervalMs: number;
  compactionTestPauseMs: number;
  clientDir?: string;
  /** Undefined: uploads over HTTP are off. */
  uploadToken?: string;
  /** Undefined: the app is open to anyone with the URL. */
  accessCode?: string;
  upload: { maxFiles: number; maxFileBytes: number; maxTotalBytes: number };
  jsonBodyLimitBytes: number;
  rateLimit: { windowMs: number; writes: number };
  trustProxyHops: number;
  /** `gs://bucket/prefix/` locations whose videos are served without a run naming them. */
  videoPrefixes: string[];
  signedUrlTtlSeconds: number;
  signedUrlOrigin: string;
  logRequests: boolean;
  project?: string;
  /** Ratings each item gets before any item gets more. */
  targetRatingsPerItem: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Read and check every setting; throws `ConfigError` listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw = Object.fromEntries(
    Object.entries(SETTINGS).map(([k, s]) => [k, env[k] === undefined || env[k] === '' ? s.default : env[k]]),
  );
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0]);
        // Never echo the token back into logs.
        const shown = name === 'UPLOAD_TOKEN' ? '(hidden)' : JSON.stringify(raw[name]);
        return `${name}=${shown}: ${i.message}`;
      }),
    );
  }
  const c = parsed.data;
  return {
    port: c.PORT,
    storageUrl: c.STORAGE_URL,
    loadDemo: c.LOAD_DEMO,
    compactionIntervalMs: c.COMPACTION_INTERVAL_MS,
    targetRatingsPerItem: c.TARGET_RATINGS_PER_ITEM,
    compactionTestPauseMs: c.COMPACTION_TEST_PAUSE_MS,
    ...(c.CLIENT_DIR ? { clientDir: c.CLIENT_DIR } : {}),
    ...(c.UPLOAD_TOKEN ? { uploadToken: c.UPLOAD_TOKEN } : {}),
    ...(c.ACCESS_CODE ? { accessCode: c.ACCESS_CODE } : {}),
    upload: {
      maxFiles: c.UPLOAD_MAX_FILES,
      maxFileBytes: c.UPLOAD_MAX_FILE_BYTES,
      maxTotalBytes: c.UPLOAD_MAX_TOTAL_BYTES,
    },
    jsonBodyLimitBytes: c.JSON_BODY_LIMIT_BYTES,
    rateLimit: { windowMs: c.RATE_LIMIT_WINDOW_MS, writes: c.RATE_LIMIT_WRITES },
    trustProxyHops: c.TRUST_PROXY_HOPS,
    videoPrefixes: c.VIDEO_PREFIXES,
    signedUrlTtlSeconds: c.SIGNED_URL_TTL_SECONDS,
    signedUrlOrigin: c.SIGNED_URL_ORIGIN,
    logRequests: c.LOG_REQUESTS,
    ...(c.GOOGLE_CLOUD_PROJECT ? { project: c.GOOGLE_CLOUD_PROJECT } : {}),
  };
}

import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { parseRunFile } from '@fts/shared';
import { FileStore, LOCAL_BUCKET, publishRun, type ObjectStore } from '@fts/shared/node';
import { loadDemo } from '../../server/src/demo';
import { EXAMPLES, tempDir } from '../helpers/tmp';

export const RUN = 'run_20261115_101500';
export const RUN2 = 'run_20261116_093000';
export const ITEM = 'line3_cam01_clip0047';
export const VIDEO_URL = '/videos/buildai-dataset/videos/line3/cam01/line3_cam01_clip0047.mp4';
export const VIDEO_FILE = path.join(EXAMPLES, 'videos/line3/cam01/line3_cam01_clip0047.mp4');
export const TOKEN = 'test-upload-token-0123456789';

/** A temporary file store holding the two example runs and their clips. */
export async function demoStore(): Promise<{ dir: string; store: FileStore; cleanup: () => Promise<void> }> {
  const { dir, cleanup } = await tempDir('fts-api-');
  const store = new FileStore(dir, LOCAL_BUCKET);
  await loadDemo(store, EXAMPLES);
  return { dir, store, cleanup };
}

/** Every object under the store's root folder with its content, to compare before and after. */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (rel: string): Promise<void> => {
    for (const e of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (r === '.scratch') continue;
      if (e.isDirectory()) await walk(r);
      else out[r] = (await fs.readFile(path.join(dir, r))).toString('base64');
    }
  };
  await walk('');
  return out;
}

let counter = 0;

/** A valid `POST /scores` body; override any field. */
export function submission(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return {
    submission_id: `sub-${process.pid}-${counter}-${Date.now()}`,
    rater_id: 'alice',
    run_id: RUN,
    item_id: ITEM,
    answers: { overall: 4 },
    comment: '',
    ...overrides,
  };
}

type Signed = { bucket: string; key: string; ttl: number }[];

/**
 * A store that can sign, standing in for Google Cloud Storage: it delegates to a file store
 * and answers `signedReadUrl` with a URL naming the key, TTL and a counter, recording each call.
 */
export class SigningStore implements ObjectStore {
  constructor(
    private readonly inner: ObjectStore,
    readonly signed: Signed = [],
    /** Where signed URLs point: GCS, or a local server standing in for it. */
    private readonly base = 'https://storage.googleapis.com',
  ) {}

  get url(): string {
    return this.inner.url;
  }
  get bucketName(): string {
    return this.inner.bucketName;
  }
  read(key: string, range?: { start: number; end: number }): Promise<Buffer> {
    return this.inner.read(key, range);
  }
  readStream(key: string, range?: { start: number; end: number }): Promise<Readable> {
    return this.inner.readStream(key, range);
  }
  stat(key: string): ReturnType<ObjectStore['stat']> {
    return this.inner.stat(key);
  }
  write(key: string, data: Buffer | string, options?: Parameters<ObjectStore['write']>[2]) {
    return this.inner.write(key, data, options);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  list(options?: Parameters<ObjectStore['list']>[0]): ReturnType<ObjectStore['list']> {
    return this.inner.list(options);
  }
  bucket(name: string): ObjectStore {
    return new SigningStore(this.inner.bucket(name), this.signed, this.base);
  }
  async signedReadUrl(key: string, expiresInSeconds: number): Promise<string> {
    this.signed.push({ bucket: this.bucketName, key, ttl: expiresInSeconds });
    const n = this.signed.length;
    return `${this.base}/${this.bucketName}/${key}?X-Goog-Expires=${expiresInSeconds}&n=${n}`;
  }
}

/** Publish a run made of in-memory files (path → content), as an upload would. */
export async function publishFiles(
  store: ObjectStore,
  runId: string,
  files: Record<string, string>,
): Promise<void> {
  const parsed = Object.entries(files).map(([p, text]) => {
    const { file, problems } = parseRunFile(p, text);
    if (!file) throw new Error(`${p}: ${problems.map((x) => x.reason).join('; ')}`);
    return { file, buf: Buffer.from(text) };
  });
  await publishRun(store, {
    runId,
    files: parsed.map(({ file, buf }) => ({
      path: file.path,
      size: buf.length,
      md5: createHash('md5').update(buf).digest('base64'),
      kind: file.kind,
      read: () => Promise.resolve(buf),
    })),
    skipped: [],
    itemCount: parsed.reduce((n, { file }) => n + (file.kind === 'items' ? file.items.length : 0), 0),
  });
}

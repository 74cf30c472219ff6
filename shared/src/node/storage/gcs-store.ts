import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import {
  IdempotencyStrategy,
  Storage,
  type Bucket,
  type File,
  type FileMetadata,
} from '@google-cloud/storage';
import { Invalid, NotFound, PreconditionFailed, Unavailable } from '../../errors';
import { DEFAULT_RETRY, isTransient, statusOf, withRetry, type RetryPolicy } from './retry';
import {
  contentTypeFor,
  type ByteRange,
  type ListOptions,
  type ListPage,
  type ObjectInfo,
  type ObjectStore,
  type WriteOptions,
} from './store';

/** Bucket names as GCS allows them ("Bucket naming requirements"), dotted names included. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;
/** V4 signed URLs live at most seven days (GCS "Signed URLs", X-Goog-Expires). */
const MAX_SIGNED_SECONDS = 7 * 24 * 60 * 60;

export interface GcsStoreOptions {
  /** The bucket's name. */
  bucket: string;
  /** Prepended to every key (a trailing `/` is added); stripped from listings. */
  prefix?: string;
  /**
   * Another endpoint than Google's, e.g. an emulator at `http://127.0.0.1:4443`; defaults to
   * `STORAGE_EMULATOR_HOST`. No credentials are sent to it. A missing scheme means http.
   */
  apiEndpoint?: string;
  /** Project for requests that need one; Application Default Credentials supply it otherwise. */
  projectId?: string;
  /** A service account key instead of Application Default Credentials (it also signs URLs offline). */
  credentials?: { client_email: string; private_key: string };
  /** How transient failures are retried; see `write` for which calls are. */
  retry?: Partial<RetryPolicy>;
  /** A download that delivers nothing for this long (while its reader keeps up) fails. Default 30 s. */
  stallTimeoutMs?: number;
  /**
   * A metadata call, listing, delete or write with no complete answer after this long is
   * abandoned as a transient failure (and retried where `write` says so); a write gets one
   * more second per MiB it sends. Default 30 s.
   */
  requestTimeoutMs?: number;
}

/** What a store and the stores `bucket()` makes from it share. */
interface Shared {
  storage: Storage;
  /** Whether URLs can be signed: not against an emulator without a key (no one to sign). */
  canSign: boolean;
  retry: RetryPolicy;
  stallTimeoutMs: number;
  requestTimeoutMs: number;
}

/**
 * Google Cloud Storage through `@google-cloud/storage`, with Application Default Credentials.
 *
 * Retries are ours, not the client's: the client is built with retries off, because it turns
 * them on and off per call by mutating settings shared by every call in flight. Reads,
 * listings, deletes and writes that carry a generation precondition are retried with
 * exponential backoff; see `write` for unconditional writes. A failure still transient after
 * the last try is `Unavailable`.
 */
export class GcsStore implements ObjectStore {
  readonly url: string;
  readonly bucketName: string;
  private readonly prefix: string;
  private readonly storage: Storage;
  private readonly gcsBucket: Bucket;
  private readonly retry: RetryPolicy;
  private readonly stallTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly canSign: boolean;
  /**
   * Signed read URLs, a capability of real GCS. Against an emulator without a service-account
   * key there are no credentials to sign with, so it is left out and the server streams videos.
   */
  readonly signedReadUrl?: (key: string, expiresInSeconds: number) => Promise<string>;

  constructor(options: GcsStoreOptions, shared?: Shared) {
    if (!BUCKET_NAME.test(options.bucket ?? '')) {
      throw new Invalid(`GcsStore: bad bucket name "${options.bucket}"`);
    }
    const prefix = options.prefix ?? '';
    if (prefix.startsWith('/') || /[\r\n\0]/.test(prefix)) {
      throw new Invalid(`GcsStore: bad prefix "${prefix}"`);
    }
    this.bucketName = options.bucket;
    this.prefix = prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix;
    this.url = this.prefix ? `gs://${this.bucketName}/${this.prefix}` : `gs://${this.bucketName}`;
    this.retry = shared?.retry ?? { ...DEFAULT_RETRY, ...options.retry };
    this.stallTimeoutMs = shared?.stallTimeoutMs ?? options.stallTimeoutMs ?? 30_000;
    if (!(this.stallTimeoutMs > 0)) throw new Invalid(`GcsStore: bad stallTimeoutMs ${this.stallTimeoutMs}`);
    this.requestTimeoutMs = shared?.requestTimeoutMs ?? options.requestTimeoutMs ?? 30_000;
    if (!(this.requestTimeoutMs > 0)) {
      throw new Invalid(`GcsStore: bad requestTimeoutMs ${this.requestTimeoutMs}`);
    }
    this.storage = shared?.storage ?? GcsStore.client(options, this.requestTimeoutMs);
    this.canSign =
      shared?.canSign ??
      (!!options.credentials || !(options.apiEndpoint ?? process.env.STORAGE_EMULATOR_HOST));
    if (this.canSign) this.signedReadUrl = (key, seconds) => this.signRead(key, seconds);
    this.gcsBucket = this.storage.bucket(this.bucketName);
  }

  private static client(options: GcsStoreOptions, timeout: number): Storage {
    // The client reads STORAGE_EMULATOR_HOST itself whatever it is given, so honour it here
    // too rather than half-way.
    const setting = options.apiEndpoint ?? process.env.STORAGE_EMULATOR_HOST;
    const endpoint = setting ? emulatorEndpoint(setting) : undefined;
    const storage = new Storage({
      ...(endpoint ? { apiEndpoint: endpoint } : {}),
      ...(options.projectId ? { projectId: options.projectId } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      retryOptions: { autoRetry: false, idempotencyStrategy: IdempotencyStrategy.RetryNever },
      // Without a timeout an answer whose connection drops mid-body never settles: node-fetch 2
      // notices a cut-off body only when it is chunked, and GCS may send a Content-Length.
      timeout,
    });
    // When STORAGE_EMULATOR_HOST is set the client uses it verbatim as the JSON API base,
    // without the `/storage/v1` path every JSON API call lives under (uploads and signed URLs
    // use `apiEndpoint` and are right): set the base the way it does for any other endpoint.
    if (endpoint) storage.baseUrl = `${endpoint}/storage/v1`;
    return storage;
  }

  /** The same backend and client, another bucket, no prefix. */
  bucket(name: string): ObjectStore {
    const { storage, retry, stallTimeoutMs, requestTimeoutMs, canSign } = this;
    return new GcsStore({ bucket: name }, { storage, retry, stallTimeoutMs, requestTimeoutMs, canSign });
  }

  /** The object name for `key`, refusing names GCS rejects ("Object naming requirements"). */
  private nameOf(key: string): string {
    if (typeof key !== 'string' || key.length === 0) {
      throw new Invalid(`GcsStore ${this.url}: bad key "${String(key).slice(0, 80)}"`);
    }
    if (/[\r\n\0]/.test(key) || key.split('/').some((s) => s === '.' || s === '..')) {
      throw new Invalid(`GcsStore ${this.url}: key "${key.slice(0, 80)}" is not a valid object name`);
    }
    const name = this.prefix + key;
    if (Buffer.byteLength(name, 'utf8') > 1024) {
      throw new Invalid(`GcsStore ${this.url}: key "${key.slice(0, 80)}…" is longer than 1024 bytes`);
    }
    return name;
  }

  private info(key: string, md: FileMetadata): ObjectInfo {
    return {
      key,
      size: Number(md.size ?? 0),
      generation: String(md.generation),
      ...(md.md5Hash ? { md5: md.md5Hash } : {}),
      updated: md.updated ?? md.timeCreated ?? new Date(0).toISOString(),
      ...(md.contentType ? { contentType: md.contentType } : {}),
    };
  }

  /** Run one storage call with the retry policy, mapping GCS errors to the store's typed errors. */
  private async call<T>(op: string, key: string, retry: boolean, fn: () => Promise<T>): Promise<T> {
    try {
      return await withRetry(`GcsStore ${this.url}: ${op} ${key}`, this.retry, retry, fn);
    } catch (e) {
      throw this.mapError(e, op, key);
    }
  }

  private mapError(e: unknown, op: string, key: string): unknown {
    if (e instanceof Invalid || e instanceof NotFound || e instanceof PreconditionFailed) return e;
    if (e instanceof Unavailable) return e;
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    const status = statusOf(e);
    if (status === 404) return new NotFound(`GcsStore ${this.url}: no object ${key}`);
    if (status === 412) {
      return new PreconditionFailed(`GcsStore ${this.url}: ${op} ${key}: generation precondition failed`);
    }
    if (isTransient(e))
      return new Unavailable(`GcsStore ${this.url}: ${op} ${key} failed: ${message}`, { cause: e });
    return new Error(`GcsStore ${this.url}: ${op} ${key} failed: ${message}`, { cause: e });
  }

  private checkRange(range: ByteRange | undefined): void {
    if (!range) return;
    const { start, end } = range;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
      throw new Invalid(`GcsStore ${this.url}: bad byte range ${start}-${end}`);
    }
  }

  async read(key: string, range?: ByteRange): Promise<Buffer> {
    const file = this.gcsBucket.file(this.nameOf(key));
    this.checkRange(range);
    // A read is retried whole, also when its body breaks off halfway.
    return this.call('read', key, true, async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of await this.openRead(file, range)) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    });
  }

  async readStream(key: string, range?: ByteRange): Promise<Readable> {
    const file = this.gcsBucket.file(this.nameOf(key));
    this.checkRange(range);
    // Resolves once GCS has answered with the object, so a missing one is reported before
    // any byte is sent and a failure before the first byte is retried. Bytes already handed
    // on cannot be taken back: a later failure errors the stream.
    const raw = await this.call('read', key, true, () => this.openRead(file, range));
    const out = new PassThrough();
    raw.on('error', (e) => out.destroy(this.mapError(e, 'read', key) as Error));
    out.on('close', () => raw.destroy());
    return raw.pipe(out);
  }

  /**
   * One download try. The returned stream ends only when every byte the response announced
   * has arrived; it errors (as a transient failure) when the body breaks off or stalls for
   * `stallTimeoutMs` while the reader is keeping up: the client's HTTP layer (node-fetch 2)
   * silently stops, without an error or an end, when the connection drops mid-body.
   */
  private openRead(file: File, range: ByteRange | undefined): Promise<Readable> {
    return new Promise<Readable>((resolve, reject) => {
      const source = file.createReadStream(range ? { start: range.start, end: range.end } : {});
      const out = new PassThrough();
      let started = false;
      let expected: number | undefined;
      let received = 0;
      let timer: NodeJS.Timeout | undefined;
      const fail = (e: unknown) => {
        if (timer) clearTimeout(timer);
        source.destroy();
        if (started) out.destroy(e as Error);
        else reject(e);
      };
      const arm = () => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          const stalled = `no data from GCS for ${this.stallTimeoutMs} ms (${received} bytes in)`;
          fail(Object.assign(new Error(stalled), { code: 'ETIMEDOUT' }));
        }, this.stallTimeoutMs);
      };
      arm();
      source.once('response', (res: { statusCode?: number; headers?: Record<string, string> }) => {
        if (res.statusCode === undefined || res.statusCode >= 300) return;
        const length = res.headers?.['content-length'];
        // A compressed body's length is not the length of the bytes we hand on.
        if (length !== undefined && !res.headers?.['content-encoding']) expected = Number(length);
        started = true;
        resolve(out);
      });
      source.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (out.write(chunk)) return arm();
        // The reader is behind: waiting on it is not a stall.
        if (timer) clearTimeout(timer);
        source.pause();
      });
      out.on('drain', () => {
        arm();
        source.resume();
      });
      source.on('end', () => {
        if (timer) clearTimeout(timer);
        if (expected !== undefined && received !== expected) {
          const short = `the body ended after ${received} of ${expected} bytes`;
          return fail(Object.assign(new Error(short), { code: 'ECONNRESET' }));
        }
        out.end();
      });
      source.on('error', (e: unknown) => {
        // A range that starts past the end (RFC 7233 416) reads as nothing, as on the file backend.
        if (!started && range && statusOf(e) === 416) {
          if (timer) clearTimeout(timer);
          started = true;
          resolve(Readable.from([]));
          return;
        }
        fail(e);
      });
      // The reader went away early (a browser closed the video): stop the download too.
      out.on('close', () => {
        if (timer) clearTimeout(timer);
        source.destroy();
      });
    });
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    const file = this.gcsBucket.file(this.nameOf(key));
    return this.call('stat', key, true, async () => {
      try {
        const [md] = await file.getMetadata();
        return this.info(key, md);
      } catch (e) {
        if (statusOf(e) === 404) return undefined;
        throw e;
      }
    });
  }

  /**
   * Writes with a generation precondition are retried: if a try was applied but its answer
   * lost, the next try fails its precondition, and the object then holding our bytes (same
   * MD5) is taken as our write. Unconditional writes are not retried (a transient failure is
   * `Unavailable` at once): a late duplicate could silently undo a compare-and-swap that
   * another writer made in between, and a caller that wants retries can say what it expects
   * with a precondition.
   */
  async write(key: string, data: Buffer | string, options: WriteOptions = {}): Promise<ObjectInfo> {
    const file = this.gcsBucket.file(this.nameOf(key));
    const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const md5 = createHash('md5').update(body).digest('base64');
    const { ifGenerationMatch } = options;
    const conditional = ifGenerationMatch !== undefined;
    if (conditional && ifGenerationMatch !== 0 && !/^[0-9]+$/.test(ifGenerationMatch)) {
      throw new PreconditionFailed(
        `GcsStore ${this.url}: ${key} cannot be at generation ${ifGenerationMatch}`,
      );
    }
    let tries = 0;
    return this.call('write', key, conditional, async () => {
      tries++;
      try {
        await file.save(body, {
          resumable: false,
          // Uploads get no timeout from the client's settings; see `requestTimeoutMs`.
          timeout: this.requestTimeoutMs + Math.ceil(body.length / 1024),
          contentType: options.contentType ?? contentTypeFor(key),
          ...(conditional ? { preconditionOpts: { ifGenerationMatch } } : {}),
        });
        return this.info(key, file.metadata);
      } catch (e) {
        if (tries > 1 && statusOf(e) === 412) {
          const now = await this.stat(key);
          if (now && now.md5 === md5 && now.generation !== String(ifGenerationMatch)) return now;
        }
        throw e;
      }
    });
  }

  async delete(key: string): Promise<void> {
    const file = this.gcsBucket.file(this.nameOf(key));
    await this.call('delete', key, true, () => file.delete({ ignoreNotFound: true }));
  }

  async list(options: ListOptions = {}): Promise<ListPage> {
    const prefix = this.prefix + (options.prefix ?? '');
    const [files, , response] = await this.call('list', options.prefix ?? '', true, () =>
      this.gcsBucket.getFiles({
        autoPaginate: false,
        prefix,
        ...(options.delimiter ? { delimiter: options.delimiter } : {}),
        maxResults: Math.max(1, Math.min(options.maxResults ?? 1000, 5000)),
        ...(options.pageToken ? { pageToken: options.pageToken } : {}),
      }),
    );
    const raw = response as { prefixes?: string[]; nextPageToken?: string } | undefined;
    const strip = (name: string) => name.slice(this.prefix.length);
    return {
      objects: files.map((f) => this.info(strip(f.name), f.metadata)),
      prefixes: (raw?.prefixes ?? []).map(strip),
      ...(raw?.nextPageToken ? { nextPageToken: raw.nextPageToken } : {}),
    };
  }

  /**
   * A V4 signed URL (GCS "Signed URLs") for reading the object, valid `expiresInSeconds`
   * (1 s to 7 days). With Application Default Credentials on Cloud Run the client signs
   * through IAM signBlob, so the service account needs Token Creator on itself.
   */
  private async signRead(key: string, expiresInSeconds: number): Promise<string> {
    const file = this.gcsBucket.file(this.nameOf(key));
    if (
      !Number.isInteger(expiresInSeconds) ||
      expiresInSeconds < 1 ||
      expiresInSeconds > MAX_SIGNED_SECONDS
    ) {
      throw new Invalid(
        `GcsStore ${this.url}: a signed URL lives 1 to ${MAX_SIGNED_SECONDS} seconds, not ${expiresInSeconds}`,
      );
    }
    // Whole seconds, so X-Goog-Expires is exactly what was asked for.
    const now = Math.floor(Date.now() / 1000) * 1000;
    const [url] = await file.getSignedUrl({
      version: 'v4',
      action: 'read',
      accessibleAt: now,
      expires: now + expiresInSeconds * 1000,
    });
    return url;
  }
}

/** `host:port`, `http://host:port` or `http://host:port/storage/v1` → `http://host:port`. */
export function emulatorEndpoint(value: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  return withScheme.replace(/\/+$/, '').replace(/\/storage\/v1$/, '');
}

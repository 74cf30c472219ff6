import type { Readable } from 'node:stream';

/** What a store knows about one object. */
export interface ObjectInfo {
  /** Key inside the store (without the store's prefix). */
  key: string;
  /** Size in bytes. */
  size: number;
  /**
   * Opaque version of the object's content; changes on every write. Pass it back as
   * `ifGenerationMatch` to write only if nobody wrote in between (GCS JSON API, "generation").
   */
  generation: string;
  /** MD5 of the content, base64, when the backend knows it. */
  md5?: string;
  /** Last write, ISO 8601. */
  updated: string;
  contentType?: string;
}

/** Byte range, both ends inclusive (RFC 7233). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface WriteOptions {
  contentType?: string;
  /**
   * Precondition on the object's current generation: `0` means the object must not exist
   * (create-only); any other value must equal the current generation (compare-and-swap).
   * A failed precondition throws `PreconditionFailed` and writes nothing.
   */
  ifGenerationMatch?: string | 0;
}

export interface ListOptions {
  /** Only keys starting with this. */
  prefix?: string;
  /** Group keys by the next `delimiter` after the prefix into `prefixes` (like GCS). */
  delimiter?: string;
  /** Page size; backends may return fewer. */
  maxResults?: number;
  /** From a previous page's `nextPageToken`. */
  pageToken?: string;
}

export interface ListPage {
  /** Objects on this page, in lexicographic key order. */
  objects: ObjectInfo[];
  /**
   * With a delimiter: the common prefixes ("folders") on this page, each once. A later page
   * may repeat one (GCS can), so a caller collecting prefixes across pages dedupes them.
   */
  prefixes: string[];
  /** Present when there are more results. */
  nextPageToken?: string;
}

/**
 * A bucket (or a prefix of one). Every backend honours the same contract, checked by
 * `test/storage/contract.ts`. Missing objects throw `NotFound`; failed preconditions throw
 * `PreconditionFailed`; keys that would escape the store throw `Invalid`.
 */
export interface ObjectStore {
  /** `file://…` or `gs://…`, for messages and logs. */
  readonly url: string;
  /** The bucket's name, used to resolve bucket-relative video keys to `gs://bucket/key`. */
  readonly bucketName: string;
  /** Whole object, or the given byte range. */
  read(key: string, range?: ByteRange): Promise<Buffer>;
  /** Streamed read, for videos and large CSVs. The stream errors with `NotFound` if missing. */
  readStream(key: string, range?: ByteRange): Promise<Readable>;
  /** Metadata, or undefined when the object does not exist. */
  stat(key: string): Promise<ObjectInfo | undefined>;
  /** Replace the object atomically; readers see the old or the new content, never a mix. */
  write(key: string, data: Buffer | string, options?: WriteOptions): Promise<ObjectInfo>;
  /** Remove the object; removing a missing object is not an error (so no precondition needed). */
  delete(key: string): Promise<void>;
  /** One page of a listing. */
  list(options?: ListOptions): Promise<ListPage>;
  /** Another bucket on the same backend (videos may live elsewhere). */
  bucket(name: string): ObjectStore;
  /**
   * Optional capability: a time-limited URL a browser can read the object from
   * (GCS V4 signed URL). Backends that cannot sign leave it undefined and the server
   * streams the object itself.
   */
  signedReadUrl?(key: string, expiresInSeconds: number): Promise<string>;
}

/** Every object under a prefix, page by page. */
export async function* listAll(
  store: ObjectStore,
  options: Omit<ListOptions, 'pageToken'> = {},
): AsyncGenerator<ObjectInfo> {
  let pageToken: string | undefined;
  do {
    const page = await store.list({ ...options, ...(pageToken ? { pageToken } : {}) });
    yield* page.objects;
    pageToken = page.nextPageToken;
  } while (pageToken);
}

/** Content type from a key's extension, for the types this app serves. */
export function contentTypeFor(key: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(key)?.[1]?.toLowerCase();
  const types: Record<string, string> = {
    mp4: 'video/mp4',
    m4v: 'video/mp4',
    mov: 'video/quicktime',
    webm: 'video/webm',
    mkv: 'video/x-matroska',
    avi: 'video/x-msvideo',
    json: 'application/json',
    jsonl: 'application/x-ndjson',
    csv: 'text/csv; charset=utf-8',
    txt: 'text/plain; charset=utf-8',
  };
  return (ext && types[ext]) ?? 'application/octet-stream';
}

import { createHash, randomBytes } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { Invalid, NotFound, PreconditionFailed, Unavailable } from '../../errors';
import {
  contentTypeFor,
  type ByteRange,
  type ListOptions,
  type ListPage,
  type ObjectInfo,
  type ObjectStore,
  type WriteOptions,
} from './store';

const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{0,220}$/;
/** A lock older than this is taken to belong to a process that died holding it. */
const STALE_LOCK_MS = 10_000;

/**
 * The embedded backend: `file://ROOT` keeps bucket `B` in the folder `ROOT/B`, one file per
 * object. Writes go to a temporary file and are renamed into place (atomic on POSIX);
 * create-only uses `link`, which fails if the name exists. Every write and delete holds a
 * per-key lock file (`open` with O_EXCL), which works across processes, so compare-and-swap
 * is atomic against every other change to the key.
 */
export class FileStore implements ObjectStore {
  readonly url: string;
  private readonly dir: string;
  private readonly scratch: string;
  private realDir?: Promise<string>;

  constructor(
    private readonly root: string,
    readonly bucketName: string,
  ) {
    if (!root) throw new Invalid('FileStore: a root folder is required');
    if (!BUCKET_NAME.test(bucketName)) throw new Invalid(`FileStore: bad bucket name "${bucketName}"`);
    this.root = path.resolve(root);
    this.dir = path.join(this.root, bucketName);
    this.scratch = path.join(this.root, '.scratch');
    this.url = `file://${this.dir}`;
  }

  bucket(name: string): ObjectStore {
    return new FileStore(this.root, name);
  }

  /** Map a key to a path inside the bucket folder, refusing anything that could escape it. */
  private pathOf(key: string): string {
    if (typeof key !== 'string' || key.length === 0 || key.length > 1024) {
      throw new Invalid(`FileStore: bad key "${String(key).slice(0, 80)}"`);
    }
    const segments = key.split('/');
    if (
      key.includes('\0') ||
      key.includes('\\') ||
      path.isAbsolute(key) ||
      segments.some((s) => s === '' || s === '.' || s === '..')
    ) {
      throw new Invalid(`FileStore: key "${key.slice(0, 80)}" is not a plain relative path`);
    }
    const p = path.join(this.dir, ...segments);
    if (!p.startsWith(this.dir + path.sep)) throw new Invalid(`FileStore: key "${key}" escapes the store`);
    return p;
  }

  /**
   * Whether the existing path `p` is reached through no symbolic link below the bucket folder
   * (the bucket folder itself may be one, e.g. data kept on another disk). Listings never show
   * links; reads and writes must not follow one out of the bucket either.
   */
  private async linkFree(p: string): Promise<boolean> {
    const real = await fs.realpath(p);
    // The bucket folder exists once anything below it does; where it leads does not change.
    this.realDir ??= fs.realpath(this.dir).catch((e: unknown) => {
      this.realDir = undefined;
      throw e;
    });
    const base = await this.realDir;
    return real === path.join(base, path.relative(this.dir, p));
  }

  /** Refuse a write or delete whose folder (its deepest existing part) is reached through a link. */
  private async refuseLinkedFolder(p: string, key: string): Promise<void> {
    for (let dir = path.dirname(p); dir.startsWith(this.dir); dir = path.dirname(dir)) {
      const ok = await this.linkFree(dir).catch((e: unknown) => {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG') return undefined;
        throw e;
      });
      if (ok === undefined) continue;
      if (!ok) throw new Invalid(`FileStore: key "${key.slice(0, 80)}" passes through a symbolic link`);
      return;
    }
  }

  /** `p`, if it is a plain file reached through no link; NotFound otherwise. */
  private async plainFile(p: string, key: string): Promise<string> {
    const ok = await this.linkFree(p).catch((e: unknown) => {
      throw this.mapError(e, key);
    });
    if (!ok) throw new NotFound(`FileStore: no object ${key}`);
    return p;
  }

  private info(key: string, st: BigIntStats): ObjectInfo {
    return {
      key,
      size: Number(st.size),
      // Inode and nanosecond change time: every write renames or links a new file into place.
      generation: `${st.ino}.${st.ctimeNs}`,
      updated: new Date(Number(st.mtimeMs)).toISOString(),
      contentType: contentTypeFor(key),
    };
  }

  async read(key: string, range?: ByteRange): Promise<Buffer> {
    const p = await this.plainFile(this.pathOf(key), key);
    try {
      if (!range) return await fs.readFile(p);
      const fh = await fs.open(p, 'r');
      try {
        const st = await fh.stat();
        const end = Math.min(range.end, st.size - 1);
        const len = Math.max(0, end - range.start + 1);
        const buf = Buffer.alloc(len);
        if (len > 0) await fh.read(buf, 0, len, range.start);
        return buf;
      } finally {
        await fh.close();
      }
    } catch (e) {
      throw this.mapError(e, key);
    }
  }

  async readStream(key: string, range?: ByteRange): Promise<Readable> {
    const p = await this.plainFile(this.pathOf(key), key);
    // Open first so a missing file is reported before any byte is sent.
    const fh = await fs.open(p, 'r').catch((e: unknown) => {
      throw this.mapError(e, key);
    });
    // A folder opens fine for reading on Linux and only fails at the first read.
    if (!(await fh.stat()).isFile()) {
      await fh.close();
      throw new NotFound(`FileStore: no object ${key}`);
    }
    return fh.createReadStream({ autoClose: true, ...(range ? { start: range.start, end: range.end } : {}) });
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    const p = this.pathOf(key);
    try {
      const st = await fs.stat(p, { bigint: true });
      return st.isFile() && (await this.linkFree(p)) ? this.info(key, st) : undefined;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // A name too long for the disk can hold no object.
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG') return undefined;
      throw e;
    }
  }

  async write(key: string, data: Buffer | string, options: WriteOptions = {}): Promise<ObjectInfo> {
    const p = this.pathOf(key);
    await this.refuseLinkedFolder(p, key);
    const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const md5 = createHash('md5').update(body).digest('base64');
    await fs.mkdir(this.scratch, { recursive: true });
    const tmp = path.join(this.scratch, `${randomBytes(12).toString('hex')}.tmp`);
    const fh = await fs.open(tmp, 'wx');
    try {
      await fh.writeFile(body);
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      // Every change to a key holds its lock, so a compare-and-swap cannot interleave with
      // another write or a delete, and the generation returned is the one this write made.
      return await this.withLock(key, async () => {
        const { ifGenerationMatch } = options;
        if (ifGenerationMatch !== undefined && ifGenerationMatch !== 0) {
          const current = await this.stat(key);
          if (!current || current.generation !== ifGenerationMatch) {
            throw new PreconditionFailed(
              `FileStore: ${key} is at generation ${current?.generation ?? 'none'}, not ${ifGenerationMatch}`,
            );
          }
        }
        await this.place(tmp, p, key, ifGenerationMatch === 0);
        const info = await this.stat(key);
        if (!info) throw new NotFound(`FileStore: ${key} vanished right after it was written`);
        return { ...info, md5 };
      });
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  /**
   * Move the written temporary file to `p`: `link` for create-only (fails if the name
   * exists), `rename` otherwise. A delete elsewhere in the folder may prune it between
   * `mkdir` and the move, so a vanished folder is made again.
   */
  private async place(tmp: string, p: string, key: string, createOnly: boolean): Promise<void> {
    for (let tries = 1; ; tries++) {
      await this.mkdirFor(p);
      try {
        if (createOnly) {
          await fs.link(tmp, p);
          // Drop the second name now: unlinking changes the inode's ctime, which is part of
          // the generation, so it must happen before the generation is read.
          await fs.rm(tmp, { force: true });
        } else {
          await fs.rename(tmp, p);
        }
        return;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (createOnly && code === 'EEXIST') throw new PreconditionFailed(`FileStore: ${key} already exists`);
        if (code === 'ENOENT' && tries < 20) continue;
        if (code === 'ENAMETOOLONG') {
          throw new Invalid(`FileStore: cannot write ${key}: a folder or file name is too long for the disk`);
        }
        if (code === 'EISDIR' || code === 'ENOTDIR' || code === 'ENOTEMPTY' || code === 'EEXIST') {
          throw new Invalid(`FileStore: cannot write ${key}: a folder of that name holds other keys`);
        }
        throw e;
      }
    }
  }

  async delete(key: string): Promise<void> {
    const p = this.pathOf(key);
    await this.refuseLinkedFolder(p, key);
    await this.withLock(key, async () => {
      const st = await fs.lstat(p).catch(() => undefined);
      // A folder is not an object: deleting key "a" must not take "a/b" with it.
      if (st && !st.isDirectory()) await fs.rm(p, { force: true });
    });
    // Prune empty parent folders so listings and the disk stay tidy.
    let dir = path.dirname(p);
    while (dir.startsWith(this.dir + path.sep)) {
      try {
        await fs.rmdir(dir);
      } catch {
        break;
      }
      dir = path.dirname(dir);
    }
  }

  async list(options: ListOptions = {}): Promise<ListPage> {
    const prefix = options.prefix ?? '';
    const max = Math.max(1, Math.min(options.maxResults ?? 1000, 5000));
    const keys: string[] = [];
    // Walk only the folder the prefix points into.
    const lastSlash = prefix.lastIndexOf('/');
    const baseKey = lastSlash >= 0 ? prefix.slice(0, lastSlash) : '';
    const baseDir = baseKey ? this.pathOf(baseKey) : this.dir;
    await this.walk(baseDir, baseKey ? `${baseKey}/` : '', prefix, keys);
    keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const after = options.pageToken
      ? Buffer.from(options.pageToken, 'base64url').toString('utf8')
      : undefined;
    const objects: ObjectInfo[] = [];
    const prefixes: string[] = [];
    let last: string | undefined;
    let more = false;
    for (const key of keys) {
      let entry = key;
      let isPrefix = false;
      if (options.delimiter) {
        const i = key.indexOf(options.delimiter, prefix.length);
        if (i >= 0) {
          entry = key.slice(0, i + options.delimiter.length);
          isPrefix = true;
        }
      }
      if (after !== undefined && Buffer.compare(Buffer.from(entry), Buffer.from(after)) <= 0) continue;
      if (isPrefix && prefixes[prefixes.length - 1] === entry) continue;
      if (objects.length + prefixes.length >= max) {
        more = true;
        break;
      }
      if (isPrefix) prefixes.push(entry);
      else {
        const st = await this.stat(key);
        if (st) objects.push(st);
      }
      last = entry;
    }
    return {
      objects,
      prefixes,
      ...(more && last !== undefined ? { nextPageToken: Buffer.from(last).toString('base64url') } : {}),
    };
  }

  private async walk(dir: string, keyPrefix: string, filter: string, out: string[]): Promise<void> {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw e;
    }
    for (const entry of entries) {
      const key = keyPrefix + entry.name;
      if (entry.isDirectory()) {
        if ((key + '/').startsWith(filter) || filter.startsWith(key + '/'))
          await this.walk(path.join(dir, entry.name), key + '/', filter, out);
      } else if (entry.isFile() && key.startsWith(filter)) {
        out.push(key);
      }
    }
  }

  private async mkdirFor(p: string): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        await fs.mkdir(path.dirname(p), { recursive: true });
        return;
      } catch (e) {
        // A delete pruning the same folders can remove a parent halfway through: go again.
        if ((e as NodeJS.ErrnoException).code === 'ENOENT' && tries < 20) continue;
        // A file where a folder should be: the key space has "a" and "a/b" both as objects.
        throw new Invalid(`FileStore: cannot create ${path.relative(this.dir, p)}: ${(e as Error).message}`);
      }
    }
  }

  /** Run `fn` holding an exclusive lock on `key`, across processes. */
  private async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const lockDir = path.join(this.root, '.locks');
    await fs.mkdir(lockDir, { recursive: true });
    const lock = path.join(lockDir, createHash('sha1').update(`${this.bucketName}/${key}`).digest('hex'));
    const deadline = Date.now() + 30_000;
    for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
      try {
        const fh = await fs.open(lock, 'wx');
        await fh.writeFile(`${process.pid} ${Date.now()}`);
        await fh.close();
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const st = await fs.stat(lock).catch(() => undefined);
        if (st && Date.now() - st.mtimeMs > STALE_LOCK_MS) await fs.rm(lock, { force: true });
        if (Date.now() > deadline)
          throw new Unavailable(`FileStore: timed out waiting for the lock on ${key}`);
        await new Promise((r) => setTimeout(r, wait + Math.random() * wait));
      }
    }
    try {
      return await fn();
    } finally {
      await fs.rm(lock, { force: true });
    }
  }

  private mapError(e: unknown, key: string): unknown {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'ENAMETOOLONG')
      return new NotFound(`FileStore: no object ${key}`);
    return e;
  }
}

import type { Submission } from '../../submission';
import { SCORES_CSV_KEY } from '../runs/layout';
import type { ObjectInfo, ObjectStore } from '../storage/store';
import { CSV_HEADER, parseScoresCsv, rowsToSubmissions } from './csv';

/** Bytes of the old end of scores.csv re-read with each appended tail, to check it really was an append. */
const OVERLAP = 64;

/** scores.csv at one generation, parsed. */
export interface FoldedView {
  /** Undefined while scores.csv does not exist yet. */
  generation?: string;
  /** Last write of that generation (ISO 8601), from the store. */
  updated?: string;
  size: number;
  /** Every submission in the file, in file order. */
  submissions: readonly Submission[];
  ids: ReadonlyMap<string, Submission>;
}

interface Snapshot extends FoldedView {
  /** The file's bytes, in pieces (concatenated only when compaction rewrites the file). */
  chunks: Buffer[];
  /** The header line, used to parse an appended tail on its own. */
  header: string;
}

const empty = (): Snapshot => ({ size: 0, submissions: [], ids: new Map(), chunks: [], header: CSV_HEADER });

/**
 * What this instance knows of `scores/scores.csv`. The ledger only ever appends to that file
 * (each compaction writes the old bytes plus new rows), so when another instance has
 * written a newer generation, only the new tail is read (a byte range) and parsed: keeping
 * up costs what was added, not the size of the file. A file that shrank or whose old end
 * changed (edited by hand) is read again in full.
 *
 * Each generation gets its own view, but the submission list and id map grow in place (no
 * copy of 100,000 entries per generation): an older view may already hold a newer
 * generation's ids. Compaction only writes with its view's generation as precondition, so
 * a stale view can make a write fail, never make one wrong.
 */
export class FoldedScores {
  private snap: Snapshot = empty();
  private refreshing?: Promise<FoldedView>;

  constructor(private readonly store: ObjectStore) {}

  /** Bring the view up to the file's current generation (concurrent callers share one refresh). */
  refresh(): Promise<FoldedView> {
    this.refreshing ??= this.catchUp().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** The whole file as it should be after appending `text` to `view` (from `refresh`). */
  bodyWith(view: FoldedView, text: string): Buffer {
    const base = view as Snapshot;
    const head = base.generation === undefined ? [Buffer.from(CSV_HEADER, 'utf8')] : base.chunks;
    return Buffer.concat([...head, Buffer.from(text, 'utf8')]);
  }

  /**
   * Record that this instance wrote `body` (from `bodyWith(view, …)`) as generation `info`,
   * so it need not read its own write back. A size that does not match means someone else
   * wrote in between; the view is then dropped and read again on the next refresh.
   */
  wrote(view: FoldedView, info: ObjectInfo, body: Buffer, added: readonly Submission[]): void {
    // A refresh that already moved past `view` saw this write or a later one.
    if (this.snap !== view) return;
    if (info.size !== body.length) this.snap = empty();
    else this.extend(this.snap, info, [body], added);
  }

  /** Make the view of generation `info`: `base` plus `added`, sharing base's containers. */
  private extend(base: Snapshot, info: ObjectInfo, chunks: Buffer[], added: readonly Submission[]): void {
    const submissions = base.submissions as Submission[];
    const ids = base.ids as Map<string, Submission>;
    for (const s of added) {
      if (ids.has(s.submission_id)) continue;
      ids.set(s.submission_id, s);
      submissions.push(s);
    }
    this.snap = {
      generation: info.generation,
      updated: info.updated,
      size: info.size,
      submissions,
      ids,
      chunks,
      header: base.header,
    };
  }

  private async catchUp(): Promise<FoldedView> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const info = await this.store.stat(SCORES_CSV_KEY);
      if (!info) {
        this.snap = empty();
        return this.snap;
      }
      const base = this.snap;
      if (info.generation === base.generation) return base;
      if (base.generation !== undefined && info.size > base.size) {
        const tail = await this.appendedTail(base, info);
        // Applied only if no write by this instance landed meanwhile (then the next round reads on).
        if (tail && this.snap === base) {
          this.extend(base, info, [...base.chunks, tail.bytes], tail.added);
          return this.snap;
        }
        if (tail) continue;
      }
      const whole = await this.readAll(info);
      if (whole) {
        this.snap = whole;
        return whole;
      }
    }
    throw new Error(`${SCORES_CSV_KEY} kept changing while it was read`);
  }

  /** Read and parse only what was appended since `base`; undefined if it was not an append. */
  private async appendedTail(
    base: Snapshot,
    info: ObjectInfo,
  ): Promise<{ bytes: Buffer; added: Submission[] } | undefined> {
    const from = Math.max(0, base.size - OVERLAP);
    const bytes = await this.store.read(SCORES_CSV_KEY, { start: from, end: info.size - 1 });
    if (bytes.length !== info.size - from) return undefined;
    const expected = lastBytes(base.chunks, base.size - from);
    if (expected.length !== base.size - from || !bytes.subarray(0, expected.length).equals(expected))
      return undefined;
    const tail = bytes.subarray(base.size - from);
    return { bytes: tail, added: rowsToSubmissions(parseScoresCsv(base.header + tail.toString('utf8'))) };
  }

  /** Read the whole file; undefined if it changed while being read (the caller tries again). */
  private async readAll(info: ObjectInfo): Promise<Snapshot | undefined> {
    const bytes = await this.store.read(SCORES_CSV_KEY);
    const after = await this.store.stat(SCORES_CSV_KEY);
    if (after?.generation !== info.generation || bytes.length !== info.size) return undefined;
    const text = bytes.toString('utf8');
    const submissions = rowsToSubmissions(parseScoresCsv(text));
    const newline = text.indexOf('\n');
    return {
      generation: info.generation,
      updated: info.updated,
      size: bytes.length,
      submissions,
      ids: new Map(submissions.map((s) => [s.submission_id, s])),
      chunks: [bytes],
      header: newline >= 0 ? text.slice(0, newline + 1) : CSV_HEADER,
    };
  }
}

/** The last `n` bytes of a list of chunks. */
function lastBytes(chunks: Buffer[], n: number): Buffer {
  const out: Buffer[] = [];
  let need = n;
  for (let i = chunks.length - 1; i >= 0 && need > 0; i--) {
    const c = chunks[i] as Buffer;
    out.unshift(c.subarray(Math.max(0, c.length - need)));
    need -= Math.min(need, c.length);
  }
  return Buffer.concat(out);
}

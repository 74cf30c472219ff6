import { NotFound, PreconditionFailed } from '../../errors';
import { SubmissionSchema, type Submission } from '../../submission';
import { listAll, type ObjectInfo, type ObjectStore } from '../storage/store';
import { FOLDED_PREFIX, PENDING_PREFIX, SCORES_CSV_KEY } from '../runs/layout';
import { forEachLimit } from '../runs/pool';
import { submissionsToCsv } from './csv';
import { FoldedScores } from './folded';

export interface LedgerOptions {
  /**
   * Minimum time between two rewrites of scores.csv, across every instance sharing the
   * bucket (GCS allows about one write per second to one object name). Default 1000.
   */
  minRewriteIntervalMs?: number;
  /** Most pending submissions one compaction folds; the rest wait for the next. Default 5000. */
  maxBatch?: number;
  /** Clock, in milliseconds since the epoch. */
  now?: () => number;
  /**
   * Testing only: awaited after scores.csv is written and before the folded pending objects
   * are deleted, so a test can stop the process in the middle of a compaction.
   */
  afterCsvWrite?: () => Promise<void>;
}

/** What `compact` did. */
export interface CompactionResult {
  folded: number;
  /** Pending objects whose submission was already in scores.csv (leftovers or resends). */
  dropped: number;
  /** False when nothing was new, another writer got there first, or the CSV was rewritten too recently. */
  wrote: boolean;
  /** Set when scores.csv was rewritten too recently: how long until it may be rewritten. */
  retryInMs?: number;
}

interface Pending {
  key: string;
  submission: Submission;
}

const PARALLEL = 16;
const NOTHING: CompactionResult = { folded: 0, dropped: 0, wrote: false };

const bySubmittedAt = (a: Submission, b: Submission): number =>
  a.submitted_at < b.submitted_at ? -1 : a.submitted_at > b.submitted_at ? 1 : 0;

/**
 * The score ledger. A submission is recorded as its own create-only object
 * (`scores/pending/<submission_id>.json`): one small write whatever the number of scores, and
 * a resend of the same id cannot make a second object. Compaction folds pending objects into
 * `scores/scores.csv` with a generation precondition (so two instances can never both fold
 * the same objects), then, for each folded submission, writes `scores/folded/<id>.json` and
 * only then deletes the pending object. A submission already in the CSV is never folded
 * again, so a compaction that died halfway is finished by the next one. `record` checks
 * `scores/folded/` after creating its pending object, so a resend after the pending object
 * is gone is still recognised in one read.
 */
export class ScoreLedger {
  private readonly folded: FoldedScores;
  /** Parsed pending objects by key and generation: each is read once per instance. */
  private readonly pendingCache = new Map<string, { generation: string; submission: Submission }>();
  /** Compactions on this instance run one after another. */
  private compacting: Promise<unknown> = Promise.resolve();
  private allMemo?: { generation?: string; pending: string; value: Submission[] };

  constructor(
    private readonly store: ObjectStore,
    private readonly options: LedgerOptions = {},
  ) {
    this.folded = new FoldedScores(store);
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private pendingKey(id: string): string {
    return `${PENDING_PREFIX}${id}.json`;
  }

  private foldedKey(id: string): string {
    return `${FOLDED_PREFIX}${id}.json`;
  }

  private async readSubmission(key: string): Promise<Submission | undefined> {
    try {
      return SubmissionSchema.parse(JSON.parse((await this.store.read(key)).toString('utf8')));
    } catch (e) {
      if (e instanceof NotFound) return undefined;
      throw e;
    }
  }

  /**
   * Record a submission; resolves once it is durable. A known `submission_id` returns the
   * stored submission instead (`created: false`). Costs one create-only write and one read,
   * whatever the number of scores.
   */
  async record(submission: Submission): Promise<{ submission: Submission; created: boolean }> {
    const id = submission.submission_id;
    const key = this.pendingKey(id);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.store.write(key, JSON.stringify(submission), {
          contentType: 'application/json',
          ifGenerationMatch: 0,
        });
      } catch (e) {
        if (!(e instanceof PreconditionFailed)) throw e;
        // Already pending, or already folded (the folded copy is written before the pending
        // object is deleted, so one of the two is always there).
        const existing =
          (await this.readSubmission(this.foldedKey(id))) ??
          (await this.readSubmission(key)) ??
          (await this.readSubmission(this.foldedKey(id)));
        if (existing) return { submission: existing, created: false };
        continue;
      }
      // Created: unless this id was folded earlier and its pending object since deleted.
      const folded = await this.readSubmission(this.foldedKey(id));
      if (!folded) return { submission, created: true };
      // A resend: the new object is redundant (compaction would drop it too).
      await this.store.delete(key);
      return { submission: folded, created: false };
    }
    throw new Error(`submission ${id} kept changing while it was recorded`);
  }

  /** Pending submissions (the first `limit` by key, when given), read once each per instance. */
  private async pending(limit?: number): Promise<Pending[]> {
    const listed: ObjectInfo[] = [];
    for await (const o of listAll(this.store, { prefix: PENDING_PREFIX })) {
      listed.push(o);
      if (limit !== undefined && listed.length >= limit) break;
    }
    if (limit === undefined || listed.length < limit) {
      const keys = new Set(listed.map((o) => o.key));
      for (const k of this.pendingCache.keys()) if (!keys.has(k)) this.pendingCache.delete(k);
    }
    const out: (Pending | undefined)[] = new Array(listed.length);
    await forEachLimit(listed, PARALLEL, async (o, i) => {
      const cached = this.pendingCache.get(o.key);
      if (cached?.generation === o.generation) {
        out[i] = { key: o.key, submission: cached.submission };
        return;
      }
      // Undefined when a compaction deleted it after the listing: it is in the CSV by now.
      const submission = await this.readSubmission(o.key);
      if (!submission) return;
      this.pendingCache.set(o.key, { generation: o.generation, submission });
      out[i] = { key: o.key, submission };
    });
    return out.filter((p): p is Pending => p !== undefined);
  }

  /**
   * Every durable submission, each once: those in scores.csv in the order they were folded,
   * then pending ones oldest first. Costs a listing of the pending objects and reading what
   * was appended to scores.csv since the last call, not a read of the whole file.
   */
  async all(): Promise<Submission[]> {
    // Pending first: anything deleted after this listing is in the CSV read after it.
    const pending = await this.pending();
    const csv = await this.folded.refresh();
    const extra = pending.filter((p) => !csv.ids.has(p.submission.submission_id));
    const signature = extra.map((p) => p.key).join('\n');
    const memo = this.allMemo;
    if (memo && memo.generation === csv.generation && memo.pending === signature) return memo.value;
    const value = [...csv.submissions, ...extra.map((p) => p.submission).sort(bySubmittedAt)];
    this.allMemo = { generation: csv.generation, pending: signature, value };
    return value;
  }

  /**
   * Fold pending submissions into scores.csv. Safe to run on several instances at once and
   * after a compaction that died halfway. With `waitForWindow`, waits until scores.csv may
   * be rewritten instead of returning `retryInMs` (used on shutdown).
   */
  compact(options: { waitForWindow?: boolean } = {}): Promise<CompactionResult> {
    const run = this.compacting.then(() => this.compactOnce(options));
    this.compacting = run.catch(() => undefined);
    return run;
  }

  /** Resolves when no compaction is running on this instance. */
  async idle(): Promise<void> {
    await this.compacting;
  }

  private async compactOnce(options: { waitForWindow?: boolean }): Promise<CompactionResult> {
    let csv = await this.folded.refresh();
    const minInterval = this.options.minRewriteIntervalMs ?? 1000;
    for (;;) {
      // `updated` is the store's clock: every instance sees the same last write.
      const wait = csv.updated ? Date.parse(csv.updated) + minInterval - this.now() : 0;
      if (wait <= 0) break;
      if (!options.waitForWindow) return { ...NOTHING, retryInMs: wait };
      await new Promise((r) => setTimeout(r, wait));
      csv = await this.folded.refresh();
    }
    const pending = await this.pending(this.options.maxBatch ?? 5000);
    if (pending.length === 0) return NOTHING;
    const fresh = pending.map((p) => p.submission).filter((s) => !csv.ids.has(s.submission_id));
    fresh.sort(bySubmittedAt);
    let wrote = false;
    if (fresh.length > 0) {
      const body = this.folded.bodyWith(csv, submissionsToCsv(fresh));
      let info: ObjectInfo;
      try {
        info = await this.store.write(SCORES_CSV_KEY, body, {
          contentType: 'text/csv; charset=utf-8',
          ifGenerationMatch: csv.generation ?? 0,
        });
      } catch (e) {
        // Another instance compacted first; what it did not fold, a later round will.
        if (e instanceof PreconditionFailed) return NOTHING;
        throw e;
      }
      this.folded.wrote(csv, info, body, fresh);
      wrote = true;
      await this.options.afterCsvWrite?.();
    }
    // Every listed submission is in the CSV now. Mark each as folded, then delete it.
    await forEachLimit(pending, PARALLEL, async (p) => {
      const id = p.submission.submission_id;
      const stored = csv.ids.get(id) ?? p.submission;
      try {
        await this.store.write(this.foldedKey(id), JSON.stringify(stored), {
          contentType: 'application/json',
          ifGenerationMatch: 0,
        });
      } catch (e) {
        if (!(e instanceof PreconditionFailed)) throw e;
      }
    });
    await forEachLimit(pending, PARALLEL, async (p) => {
      await this.store.delete(p.key);
      this.pendingCache.delete(p.key);
    });
    return { folded: fresh.length, dropped: pending.length - fresh.length, wrote };
  }
}

import { PreconditionFailed } from '../../errors';
import { SubmissionSchema, type Submission } from '../../submission';
import { listAll, type ObjectInfo, type ObjectStore } from '../storage/store';
import { PENDING_PREFIX, SCORES_CSV_KEY } from '../runs/layout';
import { forEachLimit } from '../runs/pool';
import { CSV_HEADER, parseScoresCsv, rowsToSubmissions, submissionsToCsv } from './csv';

export interface LedgerOptions {
  /** Minimum time between two rewrites of scores.csv (GCS allows about one write per second per object). */
  minRewriteIntervalMs?: number;
  now?: () => number;
}

/** What `compact` did. */
export interface CompactionResult {
  folded: number;
  /** Pending objects whose submission was already in scores.csv (leftovers or resends). */
  dropped: number;
  /** False when another writer got there first, or the CSV was rewritten too recently. */
  wrote: boolean;
}

/**
 * The score ledger. Each submission is its own create-only object
 * (`scores/pending/<submission_id>.json`), so recording one costs one small write whatever
 * the number of scores, and a resend of the same id cannot make a second object. Compaction
 * folds pending objects into `scores/scores.csv` with a generation precondition, then deletes
 * exactly what it folded; a submission already in the CSV is never folded again.
 */
export class ScoreLedger {
  private csvCache?: { generation: string; submissions: Submission[]; ids: Map<string, Submission> };

  constructor(
    private readonly store: ObjectStore,
    private readonly options: LedgerOptions = {},
  ) {}

  private pendingKey(id: string): string {
    return `${PENDING_PREFIX}${id}.json`;
  }

  /** Record a submission durably; a known `submission_id` returns the stored one instead. */
  async record(submission: Submission): Promise<{ submission: Submission; created: boolean }> {
    const folded = this.csvCache?.ids.get(submission.submission_id);
    if (folded) return { submission: folded, created: false };
    try {
      await this.store.write(this.pendingKey(submission.submission_id), JSON.stringify(submission), {
        contentType: 'application/json',
        ifGenerationMatch: 0,
      });
      return { submission, created: true };
    } catch (e) {
      if (!(e instanceof PreconditionFailed)) throw e;
      const existing = SubmissionSchema.parse(
        JSON.parse((await this.store.read(this.pendingKey(submission.submission_id))).toString('utf8')),
      );
      return { submission: existing, created: false };
    }
  }

  /** scores.csv as last written, parsed (cached by generation). */
  private async folded(): Promise<{
    generation?: string;
    submissions: Submission[];
    ids: Map<string, Submission>;
    info?: ObjectInfo;
  }> {
    const info = await this.store.stat(SCORES_CSV_KEY);
    if (!info) return { submissions: [], ids: new Map() };
    if (this.csvCache?.generation === info.generation) return { ...this.csvCache, info };
    const text = (await this.store.read(SCORES_CSV_KEY)).toString('utf8');
    const submissions = rowsToSubmissions(parseScoresCsv(text));
    this.csvCache = {
      generation: info.generation,
      submissions,
      ids: new Map(submissions.map((s) => [s.submission_id, s])),
    };
    return { ...this.csvCache, info };
  }

  private async pending(): Promise<{ key: string; submission: Submission }[]> {
    const keys: string[] = [];
    for await (const o of listAll(this.store, { prefix: PENDING_PREFIX })) keys.push(o.key);
    const out: { key: string; submission: Submission }[] = [];
    await forEachLimit(keys, 16, async (key) => {
      try {
        const s = SubmissionSchema.parse(JSON.parse((await this.store.read(key)).toString('utf8')));
        out.push({ key, submission: s });
      } catch (e) {
        // Deleted by a compaction between the listing and the read: it is in the CSV now.
        if ((e as Error).name !== 'NotFound') throw e;
      }
    });
    return out;
  }

  /** Every durable submission: the CSV's plus pending ones, each once, oldest first. */
  async all(): Promise<Submission[]> {
    const pending = await this.pending();
    const csv = await this.folded();
    const extra = pending.map((p) => p.submission).filter((s) => !csv.ids.has(s.submission_id));
    const seen = new Set<string>();
    const all = [...csv.submissions, ...extra].filter(
      (s) => !seen.has(s.submission_id) && !!seen.add(s.submission_id),
    );
    return all.sort((a, b) =>
      a.submitted_at < b.submitted_at ? -1 : a.submitted_at > b.submitted_at ? 1 : 0,
    );
  }

  /** Fold pending submissions into scores.csv. Safe to run on several instances at once. */
  async compact(): Promise<CompactionResult> {
    const csv = await this.folded();
    const now = this.options.now?.() ?? Date.now();
    if (csv.info && now - Date.parse(csv.info.updated) < (this.options.minRewriteIntervalMs ?? 1000)) {
      return { folded: 0, dropped: 0, wrote: false };
    }
    const pending = await this.pending();
    if (pending.length === 0) return { folded: 0, dropped: 0, wrote: false };
    const fresh = new Map<string, Submission>();
    for (const p of pending)
      if (!csv.ids.has(p.submission.submission_id)) fresh.set(p.submission.submission_id, p.submission);
    const dropped = pending.length - fresh.size;
    let wrote = false;
    if (fresh.size > 0) {
      const existing = csv.info ? (await this.store.read(SCORES_CSV_KEY)).toString('utf8') : CSV_HEADER;
      const added = [...fresh.values()].sort((a, b) => (a.submitted_at < b.submitted_at ? -1 : 1));
      try {
        await this.store.write(SCORES_CSV_KEY, existing + submissionsToCsv(added), {
          contentType: 'text/csv; charset=utf-8',
          ifGenerationMatch: csv.generation ?? 0,
        });
        wrote = true;
      } catch (e) {
        if (e instanceof PreconditionFailed) return { folded: 0, dropped: 0, wrote: false };
        throw e;
      }
    }
    // Only now is every listed submission in the CSV: delete exactly those objects.
    await forEachLimit(pending, 16, (p) => this.store.delete(p.key));
    return { folded: fresh.size, dropped, wrote };
  }
}

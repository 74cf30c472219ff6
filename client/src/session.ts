import type { Item, RunDetail, Submission, SubmissionInput } from '@fts/shared';
import { queued } from './queue';

/** Where a rater's skipped items of a run are remembered on this browser. */
const skippedKey = (rater: string, runId: string): string =>
  `fts.skipped.${encodeURIComponent(rater)}.${encodeURIComponent(runId)}`;

/** The items a rater set aside in a run (remembered across tabs and visits). */
export function skippedItems(rater: string, runId: string): Set<string> {
  try {
    const v = JSON.parse(localStorage.getItem(skippedKey(rater, runId)) ?? '[]') as unknown;
    return new Set(Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  } catch {
    return new Set();
  }
}

export function saveSkipped(rater: string, runId: string, ids: Set<string>): void {
  if (ids.size) localStorage.setItem(skippedKey(rater, runId), JSON.stringify([...ids]));
  else localStorage.removeItem(skippedKey(rater, runId));
}

/** The rater's latest answer to an item, and whether the server has confirmed it. */
export interface MyScore {
  submissionId: string;
  answers: Record<string, number | string | null>;
  comment: string;
  state: 'saved' | 'pending';
}

/**
 * One rater's pass through one run: which items they have scored (confirmed by the server
 * or still in the local queue), skipped, and where they are. Items with a pending
 * submission count as done, so they are never offered again while the queue sends them.
 */
export class RunSession {
  readonly byId: Map<string, Item>;
  private readonly mine = new Map<string, MyScore>();
  private readonly skipped: Set<string>;
  private readonly atKey: string;
  /** Offer skipped items again (after "Revisit skipped items"); they stay marked skipped. */
  revisiting = false;

  constructor(
    readonly run: RunDetail,
    readonly items: Item[],
    readonly rater: string,
    confirmed: Submission[],
  ) {
    this.byId = new Map(items.map((i) => [i.id, i]));
    this.atKey = `fts.at.${run.id}`;
    this.skipped = skippedItems(rater, run.id);
    for (const s of [...confirmed].sort((a, b) => a.submitted_at.localeCompare(b.submitted_at))) {
      this.mine.set(s.item_id, {
        submissionId: s.submission_id,
        answers: s.answers,
        comment: s.comment,
        state: 'saved',
      });
    }
    const sent = new Set(confirmed.map((s) => s.submission_id));
    for (const q of queued()) {
      const s = q.input;
      if (q.state !== 'pending' || s.rater_id !== rater || s.run_id !== run.id || sent.has(s.submission_id))
        continue;
      this.record(s);
    }
    // A skipped item scored since (here or in another tab) is no longer skipped.
    for (const id of [...this.skipped]) if (this.mine.has(id) || !this.byId.has(id)) this.skipped.delete(id);
  }

  /** Neither scored nor skipped (skipped ones count as open while revisiting them). */
  isOpen(id: string): boolean {
    return this.byId.has(id) && !this.mine.has(id) && (this.revisiting || !this.skipped.has(id));
  }

  isSkipped(id: string): boolean {
    return this.skipped.has(id);
  }

  /** The skipped item IDs, in run order (to leave out of the server's choice). */
  get skippedIds(): string[] {
    return this.items.filter((i) => this.skipped.has(i.id)).map((i) => i.id);
  }

  latest(id: string): MyScore | undefined {
    return this.mine.get(id);
  }

  /** A submission just put in the queue. */
  record(s: SubmissionInput): void {
    if (this.skipped.delete(s.item_id)) saveSkipped(this.rater, this.run.id, this.skipped);
    this.mine.set(s.item_id, {
      submissionId: s.submission_id,
      answers: s.answers,
      comment: s.comment ?? '',
      state: 'pending',
    });
  }

  /** The server confirmed a submission; true when it was this run's latest for its item. */
  confirm(s: Submission): boolean {
    const m = this.mine.get(s.item_id);
    if (s.run_id !== this.run.id || m?.submissionId !== s.submission_id) return false;
    m.state = 'saved';
    return true;
  }

  get done(): number {
    return this.mine.size;
  }

  get total(): number {
    return this.items.length;
  }

  get skippedCount(): number {
    return this.skipped.size;
  }

  /** The first open item after `after` in run order (wrapping), other than those in `not`. */
  upcoming(after: string | undefined, not: (string | undefined)[] = []): Item | undefined {
    const start = after ? this.items.findIndex((i) => i.id === after) + 1 : 0;
    for (let k = 0; k < this.items.length; k++) {
      const item = this.items[(start + k) % this.items.length] as Item;
      if (this.isOpen(item.id) && !not.includes(item.id)) return item;
    }
    return undefined;
  }

  skip(id: string): void {
    this.skipped.add(id);
    saveSkipped(this.rater, this.run.id, this.skipped);
  }

  unskip(id: string): void {
    this.skipped.delete(id);
    saveSkipped(this.rater, this.run.id, this.skipped);
  }

  /** Items the rater has scored, in run order. */
  scored(): { item: Item; score: MyScore }[] {
    return this.items.flatMap((item) => {
      const score = this.mine.get(item.id);
      return score ? [{ item, score }] : [];
    });
  }

  /** The item on screen, remembered for a reload in this tab. */
  get position(): string | undefined {
    return sessionStorage.getItem(this.atKey) ?? undefined;
  }

  set position(id: string | undefined) {
    if (id) sessionStorage.setItem(this.atKey, id);
    else sessionStorage.removeItem(this.atKey);
  }
}

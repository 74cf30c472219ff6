import type { Item, RunDetail, Submission, SubmissionInput } from '@fts/shared';
import { queued } from './queue';

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
  private readonly skippedKey: string;
  private readonly atKey: string;

  constructor(
    readonly run: RunDetail,
    readonly items: Item[],
    readonly rater: string,
    confirmed: Submission[],
  ) {
    this.byId = new Map(items.map((i) => [i.id, i]));
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
    this.skippedKey = `fts.skipped.${run.id}`;
    this.atKey = `fts.at.${run.id}`;
    this.skipped = new Set(JSON.parse(sessionStorage.getItem(this.skippedKey) ?? '[]') as string[]);
  }

  /** Neither scored nor skipped. */
  isOpen(id: string): boolean {
    return this.byId.has(id) && !this.mine.has(id) && !this.skipped.has(id);
  }

  latest(id: string): MyScore | undefined {
    return this.mine.get(id);
  }

  /** A submission just put in the queue. */
  record(s: SubmissionInput): void {
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
    sessionStorage.setItem(this.skippedKey, JSON.stringify([...this.skipped]));
  }

  unskipAll(): void {
    this.skipped.clear();
    sessionStorage.removeItem(this.skippedKey);
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

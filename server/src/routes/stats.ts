import { Router } from 'express';
import { z } from 'zod';
import {
  compareRuns,
  Invalid,
  RaterIdSchema,
  RunIdSchema,
  runStats,
  type RunInput,
  type Submission,
} from '@fts/shared';
import type { LoadedRun } from '@fts/shared/node';
import { chooseNextPair } from '../allocation';
import type { AppContext } from '../context';
import { parseOr400 } from '../errors';

/** `seed` picks the bootstrap's random numbers; the same seed gives the same intervals. */
const SeedSchema = z.object({ seed: z.coerce.number().int().min(0).max(0xffffffff).optional() });
const PairSchema = z.object({ a: RunIdSchema, b: RunIdSchema }).refine((q) => q.a !== q.b, {
  message: 'must name two different runs',
  path: ['b'],
});

const input = (run: LoadedRun): RunInput => ({
  runId: run.manifest.runId,
  rubric: run.rubric,
  items: run.items,
});

/**
 * Results computed for one state of the data. Submissions are only ever added, so their
 * count and the newest id name a state; a replaced run has a new manifest date.
 */
class ResultCache {
  private readonly entries = new Map<string, unknown>();
  constructor(private readonly capacity = 32) {}

  get<T>(parts: unknown[], compute: () => T): T {
    const key = JSON.stringify(parts);
    if (this.entries.has(key)) return this.entries.get(key) as T;
    const value = compute();
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, value);
    return value;
  }
}

const version = (run: LoadedRun): string => `${run.manifest.runId}@${run.manifest.createdAt}`;
const state = (subs: readonly Submission[]): string =>
  `${subs.length}:${subs[subs.length - 1]?.submission_id ?? ''}`;

export interface StatsRouterOptions {
  /** Ratings per item the allocation aims at. */
  target: number;
}

/** Results: per-run statistics, run comparison, and the next pair to rate in comparison mode. */
export function statsRouter(ctx: AppContext, options: StatsRouterOptions): Router {
  const r = Router();
  // The bootstrap takes a noticeable time on large runs; compute once per state of the data.
  const cache = new ResultCache();

  r.get('/runs/:id/stats', async (req, res) => {
    const { seed } = parseOr400(SeedSchema, req.query);
    const [run, submissions] = await Promise.all([ctx.catalog.get(req.params.id), ctx.submissions()]);
    const opts = { target: options.target, ...(seed !== undefined ? { seed } : {}) };
    res.json(
      cache.get(['run', version(run), state(submissions), opts], () =>
        runStats(input(run), submissions, opts),
      ),
    );
  });

  r.get('/compare', async (req, res) => {
    const { a, b } = parseOr400(PairSchema, req.query);
    const { seed } = parseOr400(SeedSchema, req.query);
    const [ra, rb, submissions] = await Promise.all([
      ctx.catalog.get(a),
      ctx.catalog.get(b),
      ctx.submissions(),
    ]);
    const opts = seed !== undefined ? { seed } : {};
    res.json(
      cache.get(['compare', version(ra), version(rb), state(submissions), opts], () =>
        compareRuns(input(ra), input(rb), submissions, opts),
      ),
    );
  });

  r.get('/compare/next', async (req, res) => {
    const { a, b } = parseOr400(PairSchema, req.query);
    const rater = parseOr400(RaterIdSchema, req.query.rater, 'rater');
    const [ra, rb, submissions] = await Promise.all([
      ctx.catalog.get(a),
      ctx.catalog.get(b),
      ctx.submissions(),
    ]);
    const shared = new Set(ra.items.map((i) => i.videoUri));
    if (!rb.items.some((i) => shared.has(i.videoUri))) {
      throw new Invalid(`b: runs ${a} and ${b} share no video, so there is nothing to rate side by side`);
    }
    const pair = chooseNextPair(input(ra), input(rb), submissions, rater, options.target);
    const total = new Set(rb.items.map((i) => i.videoUri).filter((v) => shared.has(v))).size;
    res.json(pair ?? { videoUri: null, items: [], progress: { done: total, total } });
  });

  return r;
}

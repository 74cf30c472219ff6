import { Router } from 'express';
import { createHash } from 'node:crypto';
import { RaterIdSchema, type Item, type RunDetail, type RunSummary, type Submission } from '@fts/shared';
import type { LoadedRun } from '@fts/shared/node';
import type { AppContext } from '../context';
import { parseOr400 } from '../errors';

function summary(run: LoadedRun, submissions: Submission[]): RunSummary {
  const id = run.manifest.runId;
  return {
    id,
    createdAt: run.manifest.createdAt,
    ...(run.model ? { model: run.model } : {}),
    ...(run.prompt ? { prompt: run.prompt } : {}),
    itemCount: run.items.length,
    ratingCount: submissions.filter((s) => s.run_id === id).length,
    rubric: run.rubric,
  };
}

/** Stable per-rater order, so raters do not all start on the same item. */
function tieBreak(rater: string, itemId: string): string {
  return createHash('sha1').update(`${rater}\n${itemId}`).digest('hex');
}

/**
 * The next item for a rater: one they have not scored, with the fewest ratings so far
 * (each rater counted once per item), ties broken per rater.
 */
export function chooseNext(run: LoadedRun, submissions: Submission[], rater: string): Item | undefined {
  const raters = new Map<string, Set<string>>();
  for (const s of submissions) {
    if (s.run_id !== run.manifest.runId) continue;
    const set = raters.get(s.item_id) ?? new Set<string>();
    set.add(s.rater_id);
    raters.set(s.item_id, set);
  }
  const open = run.items.filter((i) => !raters.get(i.id)?.has(rater));
  open.sort((a, b) => {
    const d = (raters.get(a.id)?.size ?? 0) - (raters.get(b.id)?.size ?? 0);
    return d !== 0 ? d : tieBreak(rater, a.id) < tieBreak(rater, b.id) ? -1 : 1;
  });
  return open[0];
}

export function runsRouter(ctx: AppContext): Router {
  const r = Router();

  r.get('/runs', async (_req, res) => {
    const [ids, submissions] = await Promise.all([ctx.catalog.runIds(), ctx.submissions()]);
    const runs = await Promise.all(ids.map((id) => ctx.catalog.get(id).catch(() => undefined)));
    res.json(runs.filter((x): x is LoadedRun => !!x).map((run) => summary(run, submissions)));
  });

  r.get('/runs/:id', async (req, res) => {
    const [run, submissions] = await Promise.all([ctx.catalog.get(req.params.id), ctx.submissions()]);
    const body: RunDetail = { ...summary(run, submissions), manifest: run.manifest, metadata: run.metadata };
    res.json(body);
  });

  r.get('/runs/:id/items', async (req, res) => {
    const run = await ctx.catalog.get(req.params.id);
    res.json(run.items);
  });

  r.get('/runs/:id/next', async (req, res) => {
    const rater = parseOr400(RaterIdSchema, req.query.rater, 'rater');
    const [run, submissions] = await Promise.all([ctx.catalog.get(req.params.id), ctx.submissions()]);
    const item = chooseNext(run, submissions, rater);
    const done = new Set(
      submissions
        .filter((s) => s.run_id === run.manifest.runId && s.rater_id === rater)
        .map((s) => s.item_id),
    ).size;
    res.json({ item: item ?? null, progress: { done, total: run.items.length } });
  });

  return r;
}

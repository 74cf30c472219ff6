import { Router } from 'express';
import { RaterIdSchema, type RunDetail, type RunSummary, type Submission } from '@fts/shared';
import type { LoadedRun } from '@fts/shared/node';
import type { AppContext } from '../context';
import { parseOr400 } from '../errors';
import { chooseNext } from '../allocation';

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

export function runsRouter(ctx: AppContext, options: { target: number } = { target: 3 }): Router {
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
    const item = chooseNext(
      { runId: run.manifest.runId, rubric: run.rubric, items: run.items },
      submissions,
      rater,
      options.target,
    );
    const done = new Set(
      submissions
        .filter((s) => s.run_id === run.manifest.runId && s.rater_id === rater)
        .map((s) => s.item_id),
    ).size;
    res.json({ item: item ?? null, progress: { done, total: run.items.length } });
  });

  return r;
}

import { Router, type RequestHandler } from 'express';
import type { RunDetail, RunSummary, Submission } from '@fts/shared';
import type { LoadedRun } from '@fts/shared/node';
import type { AppContext } from '../../context';
import { parseOr400 } from '../../errors';
import { chooseNext } from '../../allocation';
import { NextQuerySchema } from './schema';
import { createRun, requireUploadToken, uploadBody } from './upload';

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

/** Every complete run; one that fails to load is left out rather than failing the list. */
export async function listedRuns(ctx: AppContext): Promise<LoadedRun[]> {
  const ids = await ctx.catalog.runIds();
  const runs = await Promise.all(
    ids.map((id) =>
      ctx.catalog.get(id).catch((e: unknown) => {
        ctx.log.warn({ runId: id, err: String(e) }, 'run could not be loaded');
        return undefined;
      }),
    ),
  );
  return runs.filter((x): x is LoadedRun => !!x);
}

/** `GET /runs`, `GET /runs/:id`, `GET /runs/:id/items`, `GET /runs/:id/next`, `POST /runs`. */
export function runsRouter(
  ctx: AppContext,
  writeLimit: RequestHandler,
  options: { target: number } = { target: 3 },
): Router {
  const r = Router();

  // Rate limit first, then the token, and only then is the body read.
  r.post('/runs', writeLimit, requireUploadToken(ctx), uploadBody(ctx), createRun(ctx));

  r.get('/runs', async (_req, res) => {
    const [runs, submissions] = await Promise.all([listedRuns(ctx), ctx.submissions()]);
    res.json(runs.map((run) => summary(run, submissions)));
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
    const query = parseOr400(NextQuerySchema, req.query);
    const { rater } = query;
    const skip = new Set(query.skip);
    const [run, submissions] = await Promise.all([ctx.catalog.get(req.params.id), ctx.submissions()]);
    // Items the rater set aside are left out of the choice; the rest of the run still counts.
    const item = chooseNext(
      { runId: run.manifest.runId, rubric: run.rubric, items: run.items.filter((i) => !skip.has(i.id)) },
      submissions,
      rater,
      options.target,
    );
    const scored = new Set(
      submissions
        .filter((s) => s.run_id === run.manifest.runId && s.rater_id === rater)
        .map((s) => s.item_id),
    );
    const skipped = run.items.filter((i) => skip.has(i.id) && !scored.has(i.id)).length;
    res.json({ item: item ?? null, progress: { done: scored.size, skipped, total: run.items.length } });
  });

  return r;
}

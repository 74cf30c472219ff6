import { Router, type RequestHandler } from 'express';
import { pipeline } from 'node:stream/promises';
import { Invalid, SubmissionInputSchema, validateAnswers, type Submission } from '@fts/shared';
import type { AppContext } from '../../context';
import { parseOr400 } from '../../errors';
import { csvStream, selectForExport } from './export';
import { CsvQuerySchema, ScoresQuerySchema } from './schema';

/** `POST /scores`, `GET /scores`, `GET /scores.csv`. */
export function scoresRouter(ctx: AppContext, writeLimit: RequestHandler): Router {
  const r = Router();

  // An unknown run or item is a bad field of the body (400 naming it), not a missing URL.
  r.post('/scores', writeLimit, async (req, res) => {
    const input = parseOr400(SubmissionInputSchema, req.body);
    // zod's record drops a `__proto__` key that JSON.parse kept as an own property: refuse it
    // like any other key that is not a criterion, rather than ignore it.
    const rawKeys = Object.keys((req.body as { answers: object }).answers);
    const dropped = rawKeys.find((k) => !Object.prototype.hasOwnProperty.call(input.answers, k));
    if (dropped !== undefined) throw new Invalid(`answers.${dropped}: not a criterion of this run's rubric`);
    const run = await ctx.catalog.get(input.run_id).catch((e: unknown) => {
      if ((e as Error).name === 'NotFound') throw new Invalid(`run_id: no run ${input.run_id}`);
      throw e;
    });
    const item = run.itemsById.get(input.item_id);
    if (!item) throw new Invalid(`item_id: run ${input.run_id} has no item ${input.item_id}`);
    const answers = validateAnswers(run.rubric, input.answers);
    const submission: Submission = {
      submission_id: input.submission_id,
      submitted_at: ctx.clock().toISOString(),
      rater_id: input.rater_id,
      run_id: input.run_id,
      item_id: input.item_id,
      video_uri: item.videoUri,
      answers,
      comment: input.comment,
      ...(input.time_spent_ms !== undefined ? { time_spent_ms: input.time_spent_ms } : {}),
      ...(input.app_version ? { app_version: input.app_version } : {}),
    };
    const receipt = await ctx.ledger.record(submission);
    res.status(receipt.created ? 201 : 200).json(receipt);
  });

  r.get('/scores', async (req, res) => {
    const q = parseOr400(ScoresQuerySchema, req.query);
    const all = await ctx.submissions();
    res.json(all.filter((s) => (!q.run || s.run_id === q.run) && (!q.rater || s.rater_id === q.rater)));
  });

  r.get('/scores.csv', async (req, res) => {
    const q = parseOr400(CsvQuerySchema, req.query);
    const rows = selectForExport(await ctx.submissions(), q);
    res.type('text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'inline; filename="scores.csv"');
    res.setHeader('Cache-Control', 'no-store');
    await pipeline(csvStream(rows, q.format), res).catch((e: unknown) => {
      // The client went away mid-download: nothing to answer.
      if ((e as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw e;
    });
  });

  return r;
}

import { Router } from 'express';
import { z } from 'zod';
import {
  NotFound,
  RaterIdSchema,
  RunIdSchema,
  SubmissionInputSchema,
  validateAnswers,
  type Submission,
} from '@fts/shared';
import { CSV_HEADER, submissionsToCsv } from '@fts/shared/node';
import type { AppContext } from '../context';
import { parseOr400 } from '../errors';

const ScoresQuerySchema = z.object({
  run: RunIdSchema.optional(),
  rater: RaterIdSchema.optional(),
});

export function scoresRouter(ctx: AppContext): Router {
  const r = Router();

  r.post('/scores', async (req, res) => {
    const input = parseOr400(SubmissionInputSchema, req.body);
    const run = await ctx.catalog.get(input.run_id).catch(() => {
      throw new NotFound(`run_id: no run ${input.run_id}`);
    });
    const item = run.itemsById.get(input.item_id);
    if (!item) throw new NotFound(`item_id: run ${input.run_id} has no item ${input.item_id}`);
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

  const filtered = async (query: unknown): Promise<Submission[]> => {
    const q = parseOr400(ScoresQuerySchema, query);
    const all = await ctx.submissions();
    return all.filter((s) => (!q.run || s.run_id === q.run) && (!q.rater || s.rater_id === q.rater));
  };

  r.get('/scores', async (req, res) => {
    res.json(await filtered(req.query));
  });

  r.get('/scores.csv', async (req, res) => {
    const rows = await filtered(req.query);
    res.type('text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'inline; filename="scores.csv"');
    res.send(CSV_HEADER + submissionsToCsv(rows));
  });

  return r;
}

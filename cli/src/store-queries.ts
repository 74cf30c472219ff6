import type { RunSummary, Submission } from '@fts/shared';
import { CSV_HEADER, RunCatalog, ScoreLedger, submissionsToCsv, type ObjectStore } from '@fts/shared/node';

/** Complete runs in a store with item and rating counts, newest first: what `GET /runs` answers. */
export async function listRunsInStore(store: ObjectStore): Promise<RunSummary[]> {
  const catalog = new RunCatalog(store);
  const [ids, submissions] = await Promise.all([catalog.runIds(), new ScoreLedger(store).all()]);
  const ratings = new Map<string, number>();
  for (const s of submissions) ratings.set(s.run_id, (ratings.get(s.run_id) ?? 0) + 1);
  const runs: RunSummary[] = [];
  for (const id of ids) {
    const run = await catalog.get(id);
    runs.push({
      id,
      createdAt: run.manifest.createdAt,
      ...(run.model ? { model: run.model } : {}),
      ...(run.prompt ? { prompt: run.prompt } : {}),
      itemCount: run.items.length,
      ratingCount: ratings.get(id) ?? 0,
      rubric: run.rubric,
    });
  }
  return runs;
}

/**
 * Each rater's latest submission per item of a run (by `submitted_at`, then `submission_id`):
 * a rater who re-scores an item replaces their earlier answer.
 */
export function latestPerRater(submissions: readonly Submission[]): Submission[] {
  const latest = new Map<string, Submission>();
  for (const s of submissions) {
    const key = JSON.stringify([s.rater_id, s.run_id, s.item_id]);
    const prev = latest.get(key);
    if (
      !prev ||
      prev.submitted_at < s.submitted_at ||
      (prev.submitted_at === s.submitted_at && prev.submission_id < s.submission_id)
    )
      latest.set(key, s);
  }
  const keep = new Set(latest.values());
  return submissions.filter((s) => keep.has(s));
}

/** Every durable submission in a store as scores.csv (header included), like `GET /scores.csv`. */
export async function scoresCsvFromStore(
  store: ObjectStore,
  options: { run?: string; latest?: boolean } = {},
): Promise<string> {
  let submissions = await new ScoreLedger(store).all();
  if (options.run) submissions = submissions.filter((s) => s.run_id === options.run);
  if (options.latest) submissions = latestPerRater(submissions);
  return CSV_HEADER + submissionsToCsv(submissions);
}

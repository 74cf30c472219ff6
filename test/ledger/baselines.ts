import { PreconditionFailed, type Submission } from '@fts/shared';
import { CSV_HEADER, SCORES_CSV_KEY, submissionsToCsv, type ObjectStore } from '@fts/shared/node';

/**
 * The single-user script's way to record a score: read scores.csv, append a row, write it
 * back. Kept only as a baseline: with several writers at once, later writes overwrite
 * earlier ones.
 */
export async function naiveAppend(store: ObjectStore, submission: Submission): Promise<void> {
  const text = (await store.stat(SCORES_CSV_KEY))
    ? (await store.read(SCORES_CSV_KEY)).toString('utf8')
    : CSV_HEADER;
  await store.write(SCORES_CSV_KEY, text + submissionsToCsv([submission]));
}

/**
 * The obvious safe read-modify-write: a generation precondition, and on conflict read again
 * and retry (with a little random backoff). Correct, but every write reads and rewrites the
 * whole file, and writers queue behind each other.
 */
export async function preconditionAppend(store: ObjectStore, submission: Submission): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    // Stat before reading: if the file changes after the stat, the write's precondition fails.
    const info = await store.stat(SCORES_CSV_KEY);
    const text = info ? (await store.read(SCORES_CSV_KEY)).toString('utf8') : CSV_HEADER;
    try {
      await store.write(SCORES_CSV_KEY, text + submissionsToCsv([submission]), {
        ifGenerationMatch: info?.generation ?? 0,
      });
      return attempt;
    } catch (e) {
      if (!(e instanceof PreconditionFailed)) throw e;
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 * attempt)));
    }
  }
}

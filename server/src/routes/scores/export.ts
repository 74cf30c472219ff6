import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { SCORE_COLUMNS, type Submission } from '@fts/shared';
import { CSV_HEADER, CSV_OPTIONS, neutralise, submissionsToCsv } from '@fts/shared/node';
import type { CsvQuery } from './schema';

/** Submissions per chunk written to the response. */
const BATCH = 500;

/** Each rater's latest submission per (run, item); input is oldest first, so the last wins. */
export function latestOnly(submissions: Submission[]): Submission[] {
  const latest = new Map<string, Submission>();
  for (const s of submissions) latest.set(JSON.stringify([s.rater_id, s.run_id, s.item_id]), s);
  const keep = new Set(latest.values());
  return submissions.filter((s) => keep.has(s));
}

/** Apply the export's filters (run, rater, since, latest). */
export function selectForExport(all: Submission[], q: CsvQuery): Submission[] {
  const picked = all.filter(
    (s) =>
      (!q.run || s.run_id === q.run) &&
      (!q.rater || s.rater_id === q.rater) &&
      (q.since === undefined || Date.parse(s.submitted_at) >= q.since),
  );
  return q.latest ? latestOnly(picked) : picked;
}

const FIXED_BEFORE = SCORE_COLUMNS.filter(
  (c) => !['criterion', 'value', 'comment', 'time_spent_ms', 'app_version'].includes(c),
);
const FIXED_AFTER = ['comment', 'time_spent_ms', 'app_version'] as const;

/**
 * Wide columns: the fixed ones around one column per criterion, in order of first appearance.
 * A criterion whose id equals a fixed column is named `answer_<id>`.
 */
function wideColumns(submissions: Submission[]): { header: string[]; criteria: string[] } {
  const criteria: string[] = [];
  const seen = new Set<string>();
  for (const s of submissions)
    for (const c of Object.keys(s.answers)) if (!seen.has(c) && seen.add(c)) criteria.push(c);
  const fixed = new Set<string>([...FIXED_BEFORE, ...FIXED_AFTER]);
  const named = criteria.map((c) => (fixed.has(c) ? `answer_${c}` : c));
  return { header: [...FIXED_BEFORE, ...named, ...FIXED_AFTER], criteria };
}

function* batches<T>(items: T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += BATCH) yield items.slice(i, i + BATCH);
}

/**
 * The CSV as a stream of chunks (RFC 4180: CRLF line ends, quoted where needed; UTF-8).
 * Text cells that a spreadsheet would run as a formula are neutralised (see csv.ts).
 */
export function csvStream(submissions: Submission[], format: 'tidy' | 'wide'): Readable {
  if (format === 'tidy') {
    return Readable.from(
      (function* () {
        yield CSV_HEADER;
        for (const b of batches(submissions)) yield submissionsToCsv(b);
      })(),
    );
  }
  const { header, criteria } = wideColumns(submissions);
  const line = (cells: string[][]): string => stringify(cells, CSV_OPTIONS);
  return Readable.from(
    (function* () {
      yield line([header]);
      for (const b of batches(submissions)) {
        yield line(
          b.map((s) =>
            [
              ...FIXED_BEFORE.map((c) => String(s[c as keyof Submission] ?? '')),
              ...criteria.map((c) => (s.answers[c] === undefined ? '' : String(s.answers[c]))),
              s.comment,
              s.time_spent_ms === undefined ? '' : String(s.time_spent_ms),
              s.app_version ?? '',
            ].map(neutralise),
          ),
        );
      }
    })(),
  );
}

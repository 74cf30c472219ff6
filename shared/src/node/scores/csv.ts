import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { SCORE_COLUMNS, submissionToRows, type ScoreRow, type Submission } from '../../submission';

/**
 * Spreadsheets run a cell that starts with `=`, `+`, `-`, `@`, tab or carriage return as a
 * formula (OWASP "CSV injection"). Such text cells get a leading `'`, which spreadsheets
 * hide; a cell that already starts with `'` gets one too, so `unneutralise` is exact.
 * Numbers are left alone so `-1` stays a number for pandas.
 */
export function neutralise(cell: string): string {
  if (/^-?\d+(\.\d+)?$/.test(cell)) return cell;
  return /^[=+\-@\t\r']/.test(cell) ? `'${cell}` : cell;
}

export function unneutralise(cell: string): string {
  return cell.startsWith("'") ? cell.slice(1) : cell;
}

/**
 * How scores.csv is written (RFC 4180): CRLF line ends, and any field holding a CR or LF is
 * quoted. csv-stringify on its own quotes only fields holding the whole record delimiter, so
 * a lone CR or LF would end the row for pandas and most other readers.
 */
export const CSV_OPTIONS = { record_delimiter: '\r\n', quoted_match: /[\r\n]/ } as const;

/** The header line of scores.csv. */
export const CSV_HEADER = stringify([[...SCORE_COLUMNS]], CSV_OPTIONS);

/** CSV lines (no header) for some submissions. */
export function submissionsToCsv(submissions: Iterable<Submission>): string {
  const rows: string[][] = [];
  for (const s of submissions) {
    for (const row of submissionToRows(s)) rows.push(SCORE_COLUMNS.map((c) => neutralise(row[c])));
  }
  return rows.length ? stringify(rows, CSV_OPTIONS) : '';
}

/** Parse scores.csv back into rows (cells un-neutralised). */
export function parseScoresCsv(text: string): ScoreRow[] {
  if (text.trim() === '') return [];
  const records = parse(text, { columns: true, skip_empty_lines: true, bom: true }) as Record<
    string,
    string
  >[];
  return records.map((r) => {
    const row = {} as ScoreRow;
    for (const c of SCORE_COLUMNS) row[c] = unneutralise(r[c] ?? '');
    return row;
  });
}

/** Group rows back into submissions (numbers come back as numbers). */
export function rowsToSubmissions(rows: ScoreRow[]): Submission[] {
  const byId = new Map<string, Submission>();
  for (const r of rows) {
    let s = byId.get(r.submission_id);
    if (!s) {
      s = {
        submission_id: r.submission_id,
        submitted_at: r.submitted_at,
        rater_id: r.rater_id,
        run_id: r.run_id,
        item_id: r.item_id,
        video_uri: r.video_uri,
        answers: {},
        comment: r.comment,
        ...(r.time_spent_ms ? { time_spent_ms: Number(r.time_spent_ms) } : {}),
        ...(r.app_version ? { app_version: r.app_version } : {}),
      };
      byId.set(r.submission_id, s);
    }
    if (r.criterion) s.answers[r.criterion] = /^-?\d+(\.\d+)?$/.test(r.value) ? Number(r.value) : r.value;
  }
  return [...byId.values()];
}

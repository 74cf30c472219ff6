import { RUBRIC_FILE, type RunSummary } from '@fts/shared';
import type { RunFolderCheck } from '@fts/shared/node';
import { say, type OutStream } from './io';

/** Skipped files and problems, one line each, with file and reason. */
export function printCheck(check: RunFolderCheck, out: OutStream): void {
  for (const s of check.skipped) say(out, `skipped ${s.path}: ${s.reason}`);
  for (const p of check.problems) say(out, `problem ${p.path}: ${p.reason}`);
}

/** One line summing up a check. */
export function checkSummary(runId: string, check: RunFolderCheck): string {
  const kinds = { items: 0, metadata: 0, rubric: 0 };
  for (const f of check.files) kinds[f.kind]++;
  const parts = [
    `${check.itemCount} item(s) in ${kinds.items} file(s)`,
    `${kinds.metadata} metadata file(s)`,
    kinds.rubric
      ? 'a rubric'
      : check.problems.some((p) => p.path.split('/').pop() === RUBRIC_FILE)
        ? 'a rubric with problems'
        : 'the default rubric',
    `${check.skipped.length} skipped`,
    `${check.problems.length} problem(s)`,
  ];
  return `${runId}: ${parts.join(', ')}`;
}

/** The check as JSON, for `--json`. */
export function checkJson(runId: string, check: RunFolderCheck) {
  return {
    runId,
    itemCount: check.itemCount,
    files: check.files.map(({ path, size, kind }) => ({ path, size, kind })),
    skipped: check.skipped,
    problems: check.problems,
    ...(check.model ? { model: check.model } : {}),
    ...(check.prompt ? { prompt: check.prompt } : {}),
  };
}

/** Runs as an aligned text table. */
export function runsTable(runs: RunSummary[]): string {
  const rows = [
    ['RUN', 'ITEMS', 'RATINGS', 'MODEL', 'PROMPT', 'CREATED'],
    ...runs.map((r) => [
      r.id,
      String(r.itemCount),
      String(r.ratingCount),
      r.model ?? '-',
      r.prompt ?? '-',
      r.createdAt,
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, c) => (c === 1 || c === 2 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

import { Option, type Command } from 'commander';
import {
  compareRuns,
  NotFound,
  runStats,
  type CriterionComparisonDto,
  type CriterionStatsDto,
  type RunComparisonDto,
  type RunInput,
  type RunStatsDto,
} from '@fts/shared';
import { RunCatalog, ScoreLedger, type ObjectStore } from '@fts/shared/node';
import { CliFailure } from '../errors';
import { say, type CliIo } from '../io';
import { ScoreServer } from '../server';
import { DEFAULT_STORE_URL, openStoreArg, serverOptions } from '../source';

/** Where results come from: a running server (http/https) or a store (file://, gs://). */
export interface ResultsSource {
  runStats(runId: string): Promise<RunStatsDto>;
  compare(a: string, b: string): Promise<RunComparisonDto>;
}

/** A source that asks a running server, so the CLI shows exactly what the results page shows. */
function serverSource(server: ScoreServer): ResultsSource {
  return {
    runStats: async (id) =>
      (await server.getJson(
        `runs/${encodeURIComponent(id)}/stats`,
        `get the results of ${id}`,
      )) as RunStatsDto,
    compare: async (a, b) =>
      (await server.getJson(
        `compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`,
        `compare ${a} and ${b}`,
      )) as RunComparisonDto,
  };
}

/** A source that reads the store directly and computes with the server's own functions. */
function storeSource(store: ObjectStore, target: number): ResultsSource {
  const catalog = new RunCatalog(store);
  const ledger = new ScoreLedger(store);
  const input = async (id: string): Promise<RunInput> => {
    const run = await catalog.get(id);
    return { runId: run.manifest.runId, rubric: run.rubric, items: run.items };
  };
  return {
    runStats: async (id) => runStats(await input(id), await ledger.all(), { target }),
    compare: async (a, b) => compareRuns(await input(a), await input(b), await ledger.all()),
  };
}

interface FromFlags {
  from: string;
  server?: string;
  json?: boolean;
}

/**
 * `--server URL`, or `--from` naming a server (http/https) or a store (file://, gs://).
 * `target` is the ratings-per-item goal coverage is measured against when reading a store.
 */
export async function openResultsSource(flags: FromFlags, io: CliIo, target = 3): Promise<ResultsSource> {
  const server = serverOf(flags);
  const source = server
    ? serverSource(new ScoreServer(server, serverOptions(io)))
    : storeSource(await openStoreArg(flags.from, io, '--from'), target);
  // An unknown run: say where to see the runs that are there.
  const where = server ? `--server ${server}` : `--from ${flags.from}`;
  const unknownRun = (e: unknown): never => {
    if (e instanceof NotFound || (e instanceof CliFailure && / 404 /.test(e.message)))
      throw new CliFailure(`${e.message}; the runs there: score-cli runs ${where}`);
    throw e;
  };
  return {
    runStats: (id) => source.runStats(id).catch(unknownRun),
    compare: (a, b) => source.compare(a, b).catch(unknownRun),
  };
}

const serverOf = (flags: FromFlags): string | undefined =>
  flags.server ?? (/^https?:\/\//.test(flags.from) ? flags.from : undefined);

const num = (x: number | null | undefined, digits = 2): string =>
  x === null || x === undefined ? '–' : x.toFixed(digits);
const signed = (x: number | null, digits = 2): string =>
  x === null ? '–' : `${x > 0 ? '+' : ''}${x.toFixed(digits)}`;
const pValue = (p: number): string => (p < 0.001 ? '< 0.001' : p.toFixed(p < 0.01 ? 4 : 3));

function criterionLines(c: CriterionStatsDto): string[] {
  const scale =
    c.type === 'scale' ? `scale ${c.min}–${c.max}` : c.type === 'yesno' ? 'yes = 1, no = 0' : 'choice';
  const lines = [
    ``,
    `${c.criterion} — ${c.label} (${scale})`,
    `  ratings ${c.ratings} · items ${c.items} · raters ${c.raters}`,
  ];
  if (c.type !== 'choice') {
    const ci = c.interval ? `  95% CI [${num(c.interval.low)}, ${num(c.interval.high)}]` : '';
    lines.push(`  mean ${num(c.mean)}${ci}  median ${num(c.median, 1)}`);
  }
  lines.push(`  distribution  ${c.distribution.map((d) => `${d.value}:${d.count}`).join('  ')}`);
  const a = c.agreement;
  const alphas =
    c.type === 'choice'
      ? `nominal ${num(a.nominal, 3)}`
      : `ordinal ${num(a.ordinal, 3)}, interval ${num(a.interval, 3)}`;
  lines.push(
    `  agreement (Krippendorff's alpha)  ${alphas}  on ${a.pairableUnits} item(s) rated by 2+ raters`,
  );
  const devs = c.raterDeviation.filter((d) => d.sharedItems > 0);
  if (devs.length) {
    lines.push(`  rater deviation from the others (same items)`);
    for (const d of devs) {
      lines.push(
        `    ${d.rater.padEnd(16)} ${signed(d.meanDeviation).padStart(6)}  |mean| ${num(d.meanAbsDeviation)}  on ${d.sharedItems} item(s)`,
      );
    }
  }
  return lines;
}

/** `score-cli stats RUN` as text. */
export function formatRunStats(s: RunStatsDto): string {
  const atTarget = s.coverage.filter((c) => c.ratings >= s.target).length;
  const hist = new Map<number, number>();
  for (const c of s.coverage) hist.set(c.ratings, (hist.get(c.ratings) ?? 0) + 1);
  const spread = [...hist].sort((a, b) => a[0] - b[0]).map(([r, n]) => `${n} with ${r}`);
  return [
    `${s.runId}: ${s.itemCount} item(s), ${s.ratings} rating(s) by ${s.raters} rater(s) (${s.submissions} submission(s), latest per rater and item counted)`,
    `coverage: ${atTarget} of ${s.itemCount} item(s) at the target of ${s.target} ratings; items ${spread.join(', ')} rating(s)`,
    ...s.criteria.flatMap(criterionLines),
    ``,
    `intervals: cluster bootstrap over items and raters, ${s.method.bootstrapReplicates} replicates, seed ${s.method.seed}`,
  ].join('\n');
}

function comparisonLines(c: CriterionComparisonDto, design: RunComparisonDto['design']): string[] {
  const lines = [``, `${c.criterion} — ${c.label}`];
  lines.push(`  videos rated: A ${c.videos.a}, B ${c.videos.b}, both ${c.videos.both}`);
  const ci = c.interval ? `  95% CI [${signed(c.interval.low)}, ${signed(c.interval.high)}]` : '';
  lines.push(`  mean A ${num(c.meanA)}  B ${num(c.meanB)}  difference A − B ${signed(c.difference)}${ci}`);
  if (c.test) {
    const name = c.test.name === 'wilcoxon' ? 'Wilcoxon signed-rank' : 'Mann–Whitney U';
    const stat = c.test.name === 'wilcoxon' ? 'W' : 'U';
    lines.push(
      `  ${name}: ${stat} = ${num(c.test.statistic, 1)}, p = ${pValue(c.test.p)} (${c.test.method}, n = ${c.test.n})`,
    );
  }
  if (c.wins) lines.push(`  by video: A higher ${c.wins.a}, tie ${c.wins.tie}, B higher ${c.wins.b}`);
  if (c.power.needed !== null) {
    const unit = design === 'paired' ? 'video(s) rated in both runs' : 'video(s) per run';
    lines.push(
      `  to detect this difference (α = 0.05, power 80%): ${c.power.needed} ${unit}, ${c.power.more} more`,
    );
  } else {
    lines.push(`  sample size: not estimable yet (no difference, or too few videos to measure spread)`);
  }
  return lines;
}

/** `score-cli compare A B` as text. */
export function formatComparison(c: RunComparisonDto): string {
  const how =
    c.design === 'paired'
      ? `paired by video (${c.sharedVideos} video(s) in both runs)`
      : `unpaired (the runs share ${c.sharedVideos} video(s))`;
  return [
    `A = ${c.a}`,
    `B = ${c.b}`,
    `design: ${how}`,
    ...(c.criteria.length
      ? c.criteria.flatMap((x) => comparisonLines(x, c.design))
      : ['', 'no numeric criterion in common']),
  ].join('\n');
}

const FROM_HELP = 'store to read directly: file://PATH or gs://BUCKET[/PREFIX] (a server URL works too)';
const SERVER_HELP = "read through the app's API instead, e.g. https://scoring.example.com";

/** Register `stats` and `compare` on the CLI. */
export function registerStatsCommands(program: Command, io: CliIo): void {
  program
    .command('stats')
    .description('per-run results: means with 95% intervals, distributions, agreement, rater deviation')
    .argument('<run>', 'run ID')
    .option('--server <url>', SERVER_HELP)
    .addOption(new Option('--from <url>', FROM_HELP).default(DEFAULT_STORE_URL).conflicts('server'))
    .option('--json', 'print the JSON that GET /runs/:id/stats answers')
    .addHelpText(
      'after',
      `
Examples:
  $ score-cli stats run_20261115_101500                      # ./data, what npm start serves
  $ score-cli stats run_20261115_101500 --from gs://my-bucket
  $ score-cli stats run_20261115_101500 --server https://scoring.example.com --json`,
    )
    .action(async (run: string, flags: FromFlags) => {
      const s = await (await openResultsSource(flags, io)).runStats(run);
      say(io.stdout, flags.json ? JSON.stringify(s, null, 2) : formatRunStats(s));
    });
  program
    .command('compare')
    .description('compare two runs: difference with 95% interval, rank test, wins by video, sample size')
    .argument('<a>', 'run A')
    .argument('<b>', 'run B')
    .option('--server <url>', SERVER_HELP)
    .addOption(new Option('--from <url>', FROM_HELP).default(DEFAULT_STORE_URL).conflicts('server'))
    .option('--json', 'print the JSON that GET /compare answers')
    .addHelpText(
      'after',
      `
Examples:
  $ score-cli compare run_20261115_101500 run_20261116_093000
  $ score-cli compare run_20261115_101500 run_20261116_093000 --from gs://my-bucket --json`,
    )
    .action(async (a: string, b: string, flags: FromFlags) => {
      const c = await (await openResultsSource(flags, io)).compare(a, b);
      say(io.stdout, flags.json ? JSON.stringify(c, null, 2) : formatComparison(c));
    });
}

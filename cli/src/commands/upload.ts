import { Command, Option } from 'commander';
import { UsageError } from '../errors';
import { say, type CliIo } from '../io';
import { createProgress } from '../progress';
import { checkJson, checkSummary, printCheck } from '../report';
import { DEFAULT_STORE_URL, openSource } from '../source';
import { assertUploadable, checkRun, uploadToServer, uploadToStore, type UploadOutcome } from '../upload';
import { concurrencyArg, UPLOADED_BY } from './common';

interface UploadFlags {
  to?: string;
  server?: string;
  token?: string;
  runId?: string;
  replace?: boolean;
  skipInvalid?: boolean;
  dryRun?: boolean;
  concurrency: number;
  json?: boolean;
}

function describe(o: UploadOutcome): string {
  const what = `${o.runId}: ${o.itemCount} item(s), ${o.files} file(s)`;
  if (o.dryRun) {
    const replacing = o.existed ? ', replacing the existing run' : '';
    return `dry run: would upload ${what} to ${o.target} (${o.sent} to send, ${o.unchanged} already there${replacing}); nothing was sent`;
  }
  return `uploaded ${what} (${o.sent} sent, ${o.unchanged} unchanged) to ${o.target}`;
}

export function uploadCommand(io: CliIo): Command {
  return new Command('upload')
    .description(
      'check a run folder and upload it as a run (the manifest last, so raters never see half a run)',
    )
    .argument('<dir>', 'run folder written by the pipeline, e.g. output/run_20261115_101500')
    .addOption(
      new Option(
        '--to <url>',
        'store to write into: file://PATH or gs://BUCKET[/PREFIX] (credentials: gcloud auth application-default login)',
      )
        .default(DEFAULT_STORE_URL)
        .conflicts('server'),
    )
    .option('--server <url>', "upload through the app's POST /runs instead, e.g. https://scoring.example.com")
    .option('--token <token>', 'upload token for --server (default: $SCORE_UPLOAD_TOKEN)')
    .option('--run-id <id>', 'run ID (default: the folder name)')
    .option('--replace', 'replace the run if it already exists')
    .option('--skip-invalid', 'upload the valid files even if some are bad (the bad ones are listed)')
    .option('--dry-run', 'check and show what would be sent; send nothing')
    .option('--concurrency <n>', 'files written at once with --to (1-256)', concurrencyArg, 16)
    .option('--json', 'print one JSON report on stdout instead of text')
    .addHelpText(
      'after',
      `
Every .json/.jsonl file at any depth is checked first; nothing is sent if one is bad.
An interrupted upload leaves no visible run; run the same command again to finish it.

Examples:
  $ score-cli upload output/run_20261115_101500                     # into ./data (npm start)
  $ score-cli upload output/run_20261115_101500 --to gs://my-bucket  # straight into the bucket
  $ SCORE_UPLOAD_TOKEN=… score-cli upload output/run_20261115_101500 --server https://scoring.example.com
  $ score-cli upload output/run_20261115_101500 --dry-run
  $ score-cli upload output/run_20261115_101500 --replace --json`,
    )
    .action(async (dir: string, flags: UploadFlags) => {
      const token = flags.token ?? io.env.SCORE_UPLOAD_TOKEN;
      if (flags.token !== undefined && !flags.server)
        throw new UsageError('--token is only used with --server');
      if (flags.server && !token && !flags.dryRun) {
        throw new UsageError('--server needs an upload token: pass --token or set SCORE_UPLOAD_TOKEN');
      }
      // The target is checked first, so a typo in it is reported before a long folder check.
      const source = await openSource(
        { ...(flags.server ? { server: flags.server } : {}), ...(token ? { token } : {}), store: flags.to },
        io,
        '--to',
      );
      const report: Record<string, unknown> = {};
      try {
        const run = await checkRun(dir, {
          cwd: io.cwd,
          ...(flags.runId ? { runId: flags.runId } : {}),
        });
        // Counts only: `validate --json` lists the files one by one.
        Object.assign(report, checkJson(run.runId, run.check), { files: run.check.files.length });
        if (!flags.json) {
          printCheck(run.check, io.stderr);
          say(io.stderr, `checked ${checkSummary(run.runId, run.check)}`);
        }
        assertUploadable(run, dir, flags.skipInvalid);
        let outcome: UploadOutcome;
        if (source.kind === 'server') {
          if (!flags.json && !flags.dryRun)
            say(io.stderr, `sending ${run.check.files.length} file(s) to ${source.server.url} …`);
          outcome = await uploadToServer(run, source.server, {
            ...(flags.replace ? { replace: true } : {}),
            ...(flags.dryRun ? { dryRun: true } : {}),
          });
        } else {
          const progress =
            flags.json || flags.dryRun
              ? undefined
              : createProgress({ total: run.check.files.length, label: 'upload', stream: io.stderr });
          try {
            outcome = await uploadToStore(run, source.store, {
              concurrency: flags.concurrency,
              uploadedBy: UPLOADED_BY,
              ...(flags.replace ? { replace: true } : {}),
              ...(flags.dryRun ? { dryRun: true } : {}),
              ...(progress ? { onFile: (_p, o) => progress.tick(o) } : {}),
              retry: {
                onRetry: (e, attempt) => {
                  if (!flags.json)
                    say(io.stderr, `retrying after: ${(e as Error).message} (try ${attempt + 1})`);
                },
              },
            });
          } finally {
            progress?.stop();
          }
        }
        Object.assign(report, outcome);
        if (flags.json) {
          say(io.stdout, JSON.stringify({ ok: true, ...report }, null, 2));
          return;
        }
        say(io.stdout, describe(outcome));
        if (!outcome.dryRun) {
          const from = source.kind === 'server' ? `--server ${source.server.url}` : `--from ${flags.to}`;
          say(
            io.stderr,
            `Raters can pick ${outcome.runId} in the app now. Scores later: score-cli scores --run ${outcome.runId} ${from}`,
          );
        }
      } catch (e) {
        if (flags.json) {
          const error = e instanceof Error ? e.message : String(e);
          say(io.stdout, JSON.stringify({ ok: false, error, ...report }, null, 2));
        }
        throw e;
      }
    });
}

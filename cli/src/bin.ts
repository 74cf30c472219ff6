#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { AppError } from '@fts/shared';
import { openStore } from '@fts/shared/node';
import { uploadRunFolder } from './upload';
import { registerStatsCommands } from './commands/stats';

const program = new Command();
program
  .name('score-cli')
  .description('Upload inference runs to Factory Task Scoring and fetch their scores.')
  .exitOverride()
  .configureOutput({ outputError: (s, write) => write(s) });

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new InvalidArgumentError('must be an integer from 1 to 256');
  return n;
}

program
  .command('upload')
  .description('check an inference-run folder and upload it as a run (manifest last)')
  .argument('<dir>', 'run folder, e.g. output/run_20261115_101500')
  .option('--to <url>', 'store to upload into: file://PATH or gs://BUCKET[/PREFIX]', 'file://./data')
  .option('--run-id <id>', 'run ID (default: the folder name)')
  .option('--replace', 'replace the run if it already exists')
  .option('--skip-invalid', 'upload the valid files even if some are bad')
  .option('--dry-run', 'check and show what would be uploaded, send nothing')
  .option('--concurrency <n>', 'parallel uploads', positiveInt, 8)
  .addHelpText(
    'after',
    `
Examples:
  $ npx score-cli upload output/run_20261115_101500
  $ npx score-cli upload output/run_20261115_101500 --to gs://my-bucket --replace`,
  )
  .action(
    async (
      dir: string,
      opts: {
        to: string;
        runId?: string;
        replace?: boolean;
        skipInvalid?: boolean;
        dryRun?: boolean;
        concurrency: number;
      },
    ) => {
      const store = await openStore(opts.to);
      const report = await uploadRunFolder(dir, store, {
        ...(opts.runId ? { runId: opts.runId } : {}),
        ...(opts.replace ? { replace: true } : {}),
        ...(opts.skipInvalid ? { skipInvalid: true } : {}),
        ...(opts.dryRun ? { dryRun: true } : {}),
        concurrency: opts.concurrency,
      });
      for (const s of report.scan.skipped) console.error(`skipped ${s.path}: ${s.reason}`);
      for (const p of report.scan.problems) console.error(`problem ${p.path}: ${p.reason}`);
      if (report.scan.problems.length && !opts.skipInvalid) {
        console.error(
          `\n${report.scan.problems.length} problem(s); nothing was uploaded. Fix them, or pass --skip-invalid.`,
        );
        process.exitCode = 1;
        return;
      }
      if (!report.result) {
        console.log(
          `dry run: would upload ${report.scan.files.length} file(s), ${report.scan.itemCount} item(s) as ${report.runId} to ${store.url}`,
        );
        return;
      }
      const r = report.result;
      console.log(
        `uploaded ${report.runId}: ${r.manifest.itemCount} item(s), ${r.sent} file(s) sent, ${r.unchanged} unchanged, to ${store.url}`,
      );
    },
  );

registerStatsCommands(program);

async function run(): Promise<void> {
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    if (e instanceof AppError) {
      console.error(`error: ${e.message}`);
      process.exitCode = 1;
      return;
    }
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  }
}

void run();

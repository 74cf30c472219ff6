import { Command } from 'commander';
import { CliFailure } from '../errors';
import { say, type CliIo } from '../io';
import { checkJson, checkSummary, printCheck } from '../report';
import { assertUploadable, checkRun } from '../upload';

export function validateCommand(io: CliIo): Command {
  return new Command('validate')
    .description('check a run folder with the same rules as upload; send nothing')
    .argument('<dir>', 'run folder, e.g. output/run_20261115_101500')
    .option('--run-id <id>', 'run ID to check (default: the folder name)')
    .option('--json', 'print the check as JSON on stdout')
    .addHelpText(
      'after',
      `
Exit code 0 when the folder would upload as it is, 1 when it has problems.

Examples:
  $ score-cli validate output/run_20261115_101500
  $ score-cli validate output/run_20261115_101500 --json | jq '.problems'`,
    )
    .action(async (dir: string, flags: { runId?: string; json?: boolean }) => {
      const run = await checkRun(dir, { cwd: io.cwd, ...(flags.runId ? { runId: flags.runId } : {}) });
      let failure: CliFailure | undefined;
      try {
        assertUploadable(run, dir);
      } catch (e) {
        if (!(e instanceof CliFailure)) throw e;
        failure = new CliFailure(
          run.check.problems.length
            ? `${run.check.problems.length} problem(s) in ${dir}: fix them, or upload with --skip-invalid to leave those files out.`
            : e.message,
        );
      }
      if (flags.json) {
        say(io.stdout, JSON.stringify({ ok: !failure, ...checkJson(run.runId, run.check) }, null, 2));
      } else {
        printCheck(run.check, io.stderr);
        say(io.stdout, `${failure ? 'not ready' : 'ok'} ${checkSummary(run.runId, run.check)}`);
        if (!failure) say(io.stderr, `Upload it with: score-cli upload ${dir}`);
      }
      if (failure) throw failure;
    });
}

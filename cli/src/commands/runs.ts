import { Command, Option } from 'commander';
import { say, type CliIo } from '../io';
import { runsTable } from '../report';
import { DEFAULT_STORE_URL, openSource } from '../source';
import { listRunsInStore } from '../store-queries';

export function runsCommand(io: CliIo): Command {
  return new Command('runs')
    .description('list the runs raters can score, with item and rating counts')
    .option('--server <url>', "read through the app's GET /runs, e.g. https://scoring.example.com")
    .addOption(
      new Option('--from <url>', 'read a store directly: file://PATH or gs://BUCKET[/PREFIX]')
        .default(DEFAULT_STORE_URL)
        .conflicts('server'),
    )
    .option('--json', 'print the runs as JSON (the shape GET /runs answers)')
    .addHelpText(
      'after',
      `
Examples:
  $ score-cli runs                                  # ./data, what npm start serves
  $ score-cli runs --server https://scoring.example.com
  $ score-cli runs --from gs://my-bucket --json`,
    )
    .action(async (flags: { server?: string; from: string; json?: boolean }) => {
      const source = await openSource(
        { ...(flags.server ? { server: flags.server } : {}), store: flags.from },
        io,
        '--from',
      );
      const runs =
        source.kind === 'server' ? await source.server.listRuns() : await listRunsInStore(source.store);
      if (flags.json) {
        say(io.stdout, JSON.stringify(runs, null, 2));
        return;
      }
      if (runs.length === 0) {
        say(io.stderr, 'no runs yet: upload one with score-cli upload output/run_YYYYMMDD_HHMMSS');
        return;
      }
      say(io.stdout, runsTable(runs));
    });
}

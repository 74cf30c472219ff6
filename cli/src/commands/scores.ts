import { Command, Option } from 'commander';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { RunIdSchema } from '@fts/shared';
import { InvalidArgumentError } from 'commander';
import { CliFailure } from '../errors';
import { say, type CliIo } from '../io';
import { DEFAULT_STORE_URL, openSource } from '../source';
import { scoresCsvFromStore } from '../store-queries';

function runIdArg(value: string): string {
  if (!RunIdSchema.safeParse(value).success) throw new InvalidArgumentError('not a run ID');
  return value;
}

/** Write a file whole or not at all, so a failed download never leaves half a CSV. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fs.writeFile(tmp, text, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new CliFailure(
        `cannot write ${file}: the folder ${path.dirname(file)} does not exist; create it or give another -o path`,
      );
    throw e;
  }
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/** Data rows in a CSV text (records, not lines: quoted cells may hold line breaks). */
function countRows(csv: string): number {
  let rows = 0;
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const c = csv[i];
    if (c === '"') quoted = !quoted;
    else if (c === '\n' && !quoted) rows++;
  }
  return Math.max(0, rows - 1);
}

export function scoresCommand(io: CliIo): Command {
  return new Command('scores')
    .description('download scores as CSV: one row per answered criterion (RFC 4180, UTF-8)')
    .option('--run <id>', 'only this run', runIdArg)
    .option('--latest', "only each rater's latest submission per item")
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option('--server <url>', "read through the app's GET /scores.csv, e.g. https://scoring.example.com")
    .addOption(
      new Option('--from <url>', 'read a store directly: file://PATH or gs://BUCKET[/PREFIX]')
        .default(DEFAULT_STORE_URL)
        .conflicts('server'),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ score-cli scores > scores.csv
  $ score-cli scores --run run_20261115_101500 --latest -o scores.csv
  $ score-cli scores --server https://scoring.example.com | python3 -c 'import pandas as pd, sys; print(pd.read_csv(sys.stdin).describe())'`,
    )
    .action(
      async (flags: { run?: string; latest?: boolean; output?: string; server?: string; from: string }) => {
        const source = await openSource(
          { ...(flags.server ? { server: flags.server } : {}), store: flags.from },
          io,
          '--from',
        );
        const query = { ...(flags.run ? { run: flags.run } : {}), ...(flags.latest ? { latest: true } : {}) };
        const csv =
          source.kind === 'server'
            ? await source.server.scoresCsv(query)
            : await scoresCsvFromStore(source.store, query);
        if (!flags.output) {
          io.stdout.write(csv);
          return;
        }
        const file = path.resolve(io.cwd, flags.output);
        await writeAtomically(file, csv);
        say(io.stderr, `wrote ${countRows(csv)} score row(s) to ${flags.output}`);
      },
    );
}

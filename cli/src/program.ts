import { Command, CommanderError } from 'commander';
import { validateCommand } from './commands/validate';
import { runsCommand } from './commands/runs';
import { scoresCommand } from './commands/scores';
import { uploadCommand } from './commands/upload';
import { registerStatsCommands } from './commands/stats';
import { VERSION } from './commands/common';
import { CliFailure, EXIT, exitCodeFor, messageFor, storeHint } from './errors';
import { processIo, say, type CliIo } from './io';

/** The `score-cli` command tree, writing to `io`. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('score-cli')
    .description('Upload inference runs to Factory Task Scoring, list them, and download their scores.')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError('(add --help for usage and examples)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .addHelpText(
      'after',
      `
Exit codes: 0 success, 1 failure, 2 bad usage.

Examples:
  $ score-cli validate output/run_20261115_101500
  $ score-cli upload output/run_20261115_101500 --to gs://my-bucket
  $ score-cli runs --server https://scoring.example.com
  $ score-cli scores --run run_20261115_101500 --latest -o scores.csv
  $ score-cli stats run_20261115_101500

Each command's --help shows its options and more examples.`,
    );
  for (const make of [uploadCommand, validateCommand, runsCommand, scoresCommand]) {
    // Subcommands made apart from the program copy its output and exit settings here.
    program.addCommand(
      make(io)
        .exitOverride()
        .showHelpAfterError('(add --help for usage and examples)')
        .configureOutput(program.configureOutput()),
    );
  }
  registerStatsCommands(program, io);
  for (const sub of program.commands) {
    sub.exitOverride().configureOutput(program.configureOutput());
  }
  return program;
}

/** Run the CLI on `argv` (without `node` and the script) and return the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and --version exit 0; every parse error is bad usage.
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    say(io.stderr, `error: ${messageFor(e)}`);
    if (e instanceof CliFailure) for (const line of e.details) say(io.stderr, line);
    const hint = storeHint(e);
    if (hint) say(io.stderr, `next: ${hint}`);
    return exitCodeFor(e);
  }
}

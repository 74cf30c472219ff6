/** A stream the CLI writes to: process.stdout / process.stderr, or a buffer in tests. */
export interface OutStream {
  write(chunk: string): unknown;
  /** True on a terminal: progress bars instead of plain lines. */
  isTTY?: boolean;
}

/** Everything a command touches outside its arguments, so commands run in tests without a terminal. */
export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** The real process's streams, environment and folder. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}

/** Write a line. */
export function say(stream: OutStream, line = ''): void {
  stream.write(`${line}\n`);
}

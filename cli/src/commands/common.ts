import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError } from 'commander';

/** The CLI's version, from its package.json (one level above src/ and dist/). */
export const VERSION: string = (
  JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { version: string }
).version;

/** Recorded in each manifest's `uploadedBy`, for support. */
export const UPLOADED_BY = `score-cli ${VERSION}`;

/** `--concurrency`: an integer from 1 to 256. */
export function concurrencyArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new InvalidArgumentError('must be an integer from 1 to 256');
  return n;
}

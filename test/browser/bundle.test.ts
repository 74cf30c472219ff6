import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { REPO, tempDir } from '../helpers/tmp';

const run = promisify(execFile);
const BUDGET_BYTES = 40 * 1024;

/** Signs of code that only runs in Node (or of a Node module pulled in by mistake). */
const NODE_ONLY: [string, RegExp][] = [
  ['require()', /\brequire\(\s*["']/],
  ['process.*', /\bprocess\.(env|argv|cwd|exit|versions|platform)\b/],
  ['__dirname / __filename', /\b__(dirname|filename)\b/],
  ['node: imports', /["']node:[a-z_/]+["']/],
  ['Buffer', /\bBuffer\.(from|alloc|concat|isBuffer)\b/],
  ['module.exports', /\bmodule\.exports\b/],
  [
    'a Node built-in module',
    /(from|import\()\s*["'](fs|path|crypto|stream|os|http|https|zlib|child_process|url|util)["']/,
  ],
  ['@google-cloud/storage', /google-cloud|gcs-resumable/],
  ['csv-parse / csv-stringify', /csv-(parse|stringify)|CsvError/],
];

describe('the production build of the rater app', () => {
  let out: string;
  let cleanup: () => Promise<void>;
  let js: string;
  let gzipped: number;

  beforeAll(async () => {
    ({ dir: out, cleanup } = await tempDir('fts-client-build-'));
    // Build the current sources the way `npm run build` does, into a folder of our own.
    await run(path.join(REPO, 'node_modules/.bin/vite'), ['build', '--outDir', out, '--emptyOutDir'], {
      cwd: path.join(REPO, 'client'),
    });
    const assets = await fs.readdir(path.join(out, 'assets'));
    const code = assets.filter((f) => /\.(js|css)$/.test(f));
    expect(code.some((f) => f.endsWith('.js'))).toBe(true);
    const contents = await Promise.all(code.map((f) => fs.readFile(path.join(out, 'assets', f))));
    gzipped = contents.reduce((n, c) => n + gzipSync(c, { level: 9 }).length, 0);
    js = contents.map((c, i) => (code[i]?.endsWith('.js') ? c.toString('utf8') : '')).join('\n');
  });
  afterAll(() => cleanup?.());

  it(`is at most ${BUDGET_BYTES / 1024} KB gzipped, JS and CSS together`, () => {
    console.log(`rater app bundle: ${(gzipped / 1024).toFixed(1)} KB gzipped`);
    expect(gzipped).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it('holds no Node-only code', () => {
    const found = NODE_ONLY.filter(([, re]) => re.test(js)).map(([what]) => what);
    expect(found).toEqual([]);
  });

  it('does not bundle zod (the client imports types from @fts/shared, values from its rules)', () => {
    expect(js).not.toMatch(/ZodError|\$ZodType|_zod\b/);
  });
});

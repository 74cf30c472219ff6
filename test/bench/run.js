// Runs every benchmark in this folder, one after another: TypeScript ones (`*.bench.ts`) are
// compiled first with test/bench/tsconfig.json into test/bench/dist; plain `*.js` files run
// as they are. `npm run bench` builds the workspaces, then runs this. Pass a word to run only
// the benchmarks whose file name contains it: `node test/bench/run.js ledger`.
'use strict';
const { execFileSync } = require('node:child_process'); // eslint-disable-line @typescript-eslint/no-require-imports
const fs = require('node:fs'); // eslint-disable-line @typescript-eslint/no-require-imports
const path = require('node:path'); // eslint-disable-line @typescript-eslint/no-require-imports

const here = __dirname;
const only = process.argv[2] ?? '';
const sources = fs.readdirSync(here).filter((f) => f.includes(only));
const benches = sources.filter((f) => f.endsWith('.js') && f !== 'run.js').map((f) => path.join(here, f));
if (sources.some((f) => f.endsWith('.bench.ts'))) {
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', path.join(here, 'tsconfig.json')],
    {
      stdio: 'inherit',
    },
  );
  for (const f of sources.filter((s) => s.endsWith('.bench.ts'))) {
    benches.push(path.join(here, 'dist', 'bench', f.replace(/\.ts$/, '.js')));
  }
}
let failed = 0;
for (const bench of benches.sort()) {
  console.log(`\n=== ${path.basename(bench)} ===`);
  try {
    execFileSync(process.execPath, [bench], { stdio: 'inherit' });
  } catch {
    failed++;
    console.error(`${path.basename(bench)} failed`);
  }
}
process.exitCode = failed ? 1 : 0;

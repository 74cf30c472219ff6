#!/usr/bin/env node
// Committed entry point, so `npm install` links `score-cli` before anything is built;
// the command itself is the compiled TypeScript in dist/.
try {
  require.resolve('../dist/bin.js');
} catch {
  console.error('score-cli is not built yet: run `npm run build` in the repository first.');
  process.exit(1);
}
require('../dist/bin.js');

#!/usr/bin/env node
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS script, run with node */
// The installed `score-cli` command. It is a committed file (not the compiled dist/bin.js), so
// `npm ci` can link it before anything is built; it runs the compiled CLI, or says to build it.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const compiled = path.join(__dirname, '..', 'dist', 'bin.js');
if (!fs.existsSync(compiled)) {
  process.stderr.write(`error: score-cli is not built yet (no ${compiled}): run npm run build first\n`);
  process.exit(1);
}
require(compiled);

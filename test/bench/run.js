#!/usr/bin/env node
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS script, run with node */
// `npm run bench`: every benchmark in this folder, one after the other, each in its own process.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const benches = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith('.js') && f !== 'run.js')
  .sort();
for (const file of benches) {
  console.log(`\n=== ${file}`);
  execFileSync(process.execPath, [path.join(__dirname, file)], { stdio: 'inherit' });
}

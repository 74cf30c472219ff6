#!/usr/bin/env node
// Writes the table of settings in DEPLOY.md (between the settings markers) from SETTINGS in the
// built server/dist/config.js, so the documentation cannot drift from the code.
//
//   node scripts/settings-table.mjs            rewrite the table (npm run docs:settings)
//   node scripts/settings-table.mjs --check    exit 1 if the table is out of date
//   --config FILE   a CommonJS module exporting SETTINGS (default: server/dist/config.js)
//   --doc FILE      the Markdown file holding the markers (default: DEPLOY.md)
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as prettier from 'prettier';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const START = '<!-- settings:start -->';
const END = '<!-- settings:end -->';

/** A Markdown code span that holds `text` whatever backticks it contains. */
function code(text) {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** One table cell: a single line, with `|` escaped (GitHub Flavored Markdown tables). */
function cell(text) {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

/** The Markdown table for `settings` (name → { default, doc }), in declaration order. */
function settingsTable(settings) {
  const rows = Object.entries(settings).map(([name, setting]) => {
    if (typeof setting?.doc !== 'string' || !setting.doc.trim()) {
      throw new Error(`setting ${name} has no doc: every setting in SETTINGS needs one`);
    }
    const value = setting.default === undefined || setting.default === null ? '' : String(setting.default);
    const shown = value === '' ? '_(empty)_' : code(value);
    return `| ${cell(code(name))} | ${cell(shown)} | ${cell(setting.doc.trim())} |`;
  });
  return ['| Variable | Default | What it does |', '| --- | --- | --- |', ...rows].join('\n');
}

/** `doc` with the text between the markers replaced by `table`. */
function replaceBetweenMarkers(doc, table, docName = 'the document') {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${docName} has no ${START} … ${END} section`);
  return `${doc.slice(0, start + START.length)}\n\n${table}\n\n${doc.slice(end)}`;
}

/** The table as Prettier would leave it in `docPath`, so `prettier --check` agrees with it. */
async function formatted(table, docPath) {
  const options = (await prettier.resolveConfig(docPath)) ?? {};
  return (await prettier.format(table, { ...options, parser: 'markdown' })).trimEnd();
}

async function main() {
  const { values } = parseArgs({
    options: {
      check: { type: 'boolean', default: false },
      config: { type: 'string', default: path.join(REPO, 'server/dist/config.js') },
      doc: { type: 'string', default: path.join(REPO, 'DEPLOY.md') },
    },
  });
  const configPath = path.resolve(values.config);
  const docPath = path.resolve(values.doc);
  if (!fs.existsSync(configPath)) {
    throw new Error(`${configPath} not found: build the server first (npx tsc -b server)`);
  }
  const { SETTINGS } = createRequire(import.meta.url)(configPath);
  if (!SETTINGS || typeof SETTINGS !== 'object') throw new Error(`${configPath} exports no SETTINGS`);
  const doc = fs.readFileSync(docPath, 'utf8');
  const next = replaceBetweenMarkers(doc, await formatted(settingsTable(SETTINGS), docPath), docPath);
  const name = path.relative(process.cwd(), docPath) || docPath;
  if (values.check) {
    if (next !== doc) {
      console.error(`${name}: the settings table is out of date; run npm run docs:settings`);
      process.exitCode = 1;
    }
    return;
  }
  if (next !== doc) fs.writeFileSync(docPath, next);
  console.log(`${name}: ${Object.keys(SETTINGS).length} setting(s)${next === doc ? ', unchanged' : ''}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});

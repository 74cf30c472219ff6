import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SCORE_COLUMNS } from '@fts/shared';
import { SETTINGS } from '../../server/src/config';
import { REPO, tempDir } from '../helpers/tmp';

const SCRIPT = path.join(REPO, 'scripts/settings-table.mjs');
const DEPLOY = path.join(REPO, 'DEPLOY.md');

/** A CommonJS module exporting `settings` as SETTINGS, as server/dist/config.js does. */
function writeConfig(dir: string, settings: Record<string, object>): string {
  const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.js`);
  // Only what the table shows; entries may carry more (schemas) that JSON cannot hold.
  const plain = Object.fromEntries(
    Object.entries(settings).map(([k, v]) => [
      k,
      { default: 'default' in v ? v.default : undefined, doc: 'doc' in v ? v.doc : undefined },
    ]),
  );
  fs.writeFileSync(file, `exports.SETTINGS = ${JSON.stringify(plain)};\n`);
  return file;
}

function generate(...args: string[]) {
  return spawnSync(process.execPath, [SCRIPT, ...args], { cwd: REPO, encoding: 'utf8' });
}

/** The rows of the first Markdown table between the settings markers, cells unescaped. */
function tableRows(doc: string): string[][] {
  const section = doc.slice(doc.indexOf('<!-- settings:start -->'), doc.indexOf('<!-- settings:end -->'));
  return section
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .slice(2)
    .map((l) =>
      l
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim().replace(/\\\|/g, '|')),
    );
}

describe('the settings table in DEPLOY.md', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir, cleanup } = await tempDir('fts-settings-')));
  afterAll(() => cleanup());

  it('is what the generator makes from SETTINGS in server/src/config.ts', () => {
    const result = generate('--check', '--config', writeConfig(dir, SETTINGS), '--doc', DEPLOY);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const names = tableRows(fs.readFileSync(DEPLOY, 'utf8')).map((r) => r[0]);
    expect(names).toEqual(Object.keys(SETTINGS).map((k) => `\`${k}\``));
  });

  it('is checked against the built server/dist/config.js by default', () => {
    expect(fs.existsSync(path.join(REPO, 'server/dist/config.js'))).toBe(true);
    const result = generate('--check');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('is regenerated for any entries, with pipes, backticks, line breaks and empty defaults', () => {
    const doc = path.join(dir, 'DOC.md');
    fs.writeFileSync(
      doc,
      '# Doc\n\nBefore.\n\n<!-- settings:start -->\nstale\n<!-- settings:end -->\n\nAfter.\n',
    );
    const settings = {
      RATE_LIMIT_PER_MINUTE: { default: '120', doc: 'Requests per minute per client | 0 turns it off.' },
      UPLOAD_TOKEN: { default: '', doc: 'Bearer token for uploads;\nunset: uploads are off.' },
      ODD: { default: 'a`b', doc: 'Default holds a `backtick`.' },
      NUMERIC: { default: 3, doc: 'A number as default.' },
    };
    const config = writeConfig(dir, settings);
    expect(generate('--check', '--config', config, '--doc', doc).status).toBe(1);
    const written = generate('--config', config, '--doc', doc);
    expect(written.status).toBe(0);
    const text = fs.readFileSync(doc, 'utf8');
    expect(text.startsWith('# Doc\n\nBefore.\n\n<!-- settings:start -->\n')).toBe(true);
    expect(text.endsWith('<!-- settings:end -->\n\nAfter.\n')).toBe(true);
    expect(text).not.toContain('stale');
    expect(tableRows(text)).toEqual([
      ['`RATE_LIMIT_PER_MINUTE`', '`120`', 'Requests per minute per client | 0 turns it off.'],
      ['`UPLOAD_TOKEN`', '_(empty)_', 'Bearer token for uploads; unset: uploads are off.'],
      ['`ODD`', '``a`b``', 'Default holds a `backtick`.'],
      ['`NUMERIC`', '`3`', 'A number as default.'],
    ]);
    expect(generate('--check', '--config', config, '--doc', doc).status).toBe(0);
    // A setting added later makes the check fail until the table is regenerated.
    const more = writeConfig(dir, {
      ...settings,
      ACCESS_CODE: { default: '', doc: 'Shared code for raters.' },
    });
    const stale = generate('--check', '--config', more, '--doc', doc);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toMatch(/out of date; run npm run docs:settings/);
  });

  it('refuses an undocumented setting and a document without markers', () => {
    const doc = path.join(dir, 'MARKED.md');
    fs.writeFileSync(doc, '<!-- settings:start -->\n<!-- settings:end -->\n');
    const undocumented = generate(
      '--config',
      writeConfig(dir, { SECRET_THING: { default: 'x' } }),
      '--doc',
      doc,
    );
    expect(undocumented.status).toBe(1);
    expect(undocumented.stderr).toMatch(/setting SECRET_THING has no doc/);
    const bare = path.join(dir, 'BARE.md');
    fs.writeFileSync(bare, '# nothing here\n');
    const unmarked = generate('--config', writeConfig(dir, SETTINGS), '--doc', bare);
    expect(unmarked.status).toBe(1);
    expect(unmarked.stderr).toMatch(/has no <!-- settings:start --> … <!-- settings:end --> section/);
    expect(fs.readFileSync(bare, 'utf8')).toBe('# nothing here\n');
  });
});

describe('DEPLOY.md', () => {
  const doc = fs.readFileSync(DEPLOY, 'utf8');

  it("declares the BigQuery table with scores.csv's columns, in order, skipping the header", () => {
    const ddl = /CREATE OR REPLACE EXTERNAL TABLE[^(]*\(([^)]*)\)\s*OPTIONS \(([^)]*)\)/.exec(doc);
    expect(ddl).not.toBeNull();
    const columns = ddl![1]!
      .split(',')
      .map((c) => c.trim().split(/\s+/)[0])
      .filter(Boolean);
    expect(columns).toEqual([...SCORE_COLUMNS]);
    expect(ddl![2]).toMatch(/skip_leading_rows = 1/);
    expect(ddl![2]).toMatch(/uris = \['gs:\/\/BUCKET\/scores\/scores\.csv'\]/);
  });

  it('deploys with the substitutions cloudbuild.yaml declares', () => {
    const build = fs.readFileSync(path.join(REPO, 'cloudbuild.yaml'), 'utf8');
    const submit = /gcloud builds submit --config=cloudbuild.yaml \\\n\s+--substitutions=(\S+)/.exec(doc);
    expect(submit).not.toBeNull();
    for (const pair of submit![1]!.split(',')) {
      expect(build).toMatch(new RegExp(`^  ${pair.split('=')[0]}:`, 'm'));
    }
  });
});

import * as fs from 'node:fs';
import * as path from 'node:path';
import dockerignore from '@balena/dockerignore';

/** One instruction of a Dockerfile, continuation lines joined. */
export interface Instruction {
  /** Upper-case keyword: `FROM`, `COPY`, `RUN`, … */
  keyword: string;
  /** Everything after the keyword, with `${ARG}` references expanded. */
  args: string;
  /** 1-based line where the instruction starts. */
  line: number;
}

/** One `FROM … AS name` stage and its instructions. */
export interface Stage {
  /** The `AS` name, or the stage's index as a string. */
  name: string;
  /** The base image, ARGs expanded. */
  image: string;
  instructions: Instruction[];
}

/** `COPY [--from=STAGE] [--chown=…] SRC… DEST`, shell form. */
export interface CopyStep {
  from?: string;
  chown?: string;
  sources: string[];
  dest: string;
}

/**
 * Parse a Dockerfile into stages (the subset of the syntax this repo's Dockerfile uses: ARG
 * before FROM, shell-form RUN/COPY, exec-form CMD). Anything else is an error, so the
 * reproduction never silently skips a step it does not understand.
 */
export function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let logical = lines[i]!;
    if (/^\s*(#|$)/.test(logical)) continue;
    while (logical.endsWith('\\') && i + 1 < lines.length) logical = logical.slice(0, -1) + ' ' + lines[++i]!;
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(logical);
    if (!m) throw new Error(`Dockerfile line ${start}: cannot parse "${logical}"`);
    const keyword = m[1]!.toUpperCase();
    const rest = m[2]!.trim().replace(/\$\{(\w+)\}/g, (_all, name: string) => args[name] ?? '');
    if (keyword === 'ARG') {
      const [name, value = ''] = rest.split('=', 2);
      args[name!] = value;
    } else if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (!from) throw new Error(`Dockerfile line ${start}: cannot parse FROM ${rest}`);
      stages.push({ name: from[2] ?? String(stages.length), image: from[1]!, instructions: [] });
    } else {
      const stage = stages[stages.length - 1];
      if (!stage) throw new Error(`Dockerfile line ${start}: ${keyword} before FROM`);
      stage.instructions.push({ keyword, args: rest, line: start });
    }
  }
  return { args, stages };
}

export function parseCopy(args: string): CopyStep {
  if (args.startsWith('[')) throw new Error(`exec-form COPY is not supported: COPY ${args}`);
  const words = args.split(/\s+/);
  const step: Partial<CopyStep> = {};
  while (words[0]?.startsWith('--')) {
    const [flag, value] = words.shift()!.slice(2).split('=', 2);
    if (flag === 'from') step.from = value;
    else if (flag === 'chown') step.chown = value;
    else throw new Error(`unsupported COPY flag --${flag}`);
  }
  if (words.length < 2) throw new Error(`COPY needs a source and a destination: COPY ${args}`);
  return { ...step, sources: words.slice(0, -1), dest: words[words.length - 1]! } as CopyStep;
}

/** `ENV A=1 B=2` or `ENV A 1`. */
export function parseEnv(args: string): Record<string, string> {
  if (!args.includes('=')) {
    const [name, ...value] = args.split(/\s+/);
    return { [name!]: value.join(' ') };
  }
  return Object.fromEntries(
    args.split(/\s+/).map((pair) => {
      const [k, v = ''] = pair.split('=', 2);
      return [k!, v.replace(/^"(.*)"$/, '$1')];
    }),
  );
}

/** The build context Docker would send: every file under `dir` that `.dockerignore` keeps. */
export function buildContext(dir: string): Set<string> {
  const ignoreFile = path.join(dir, '.dockerignore');
  const patterns = fs.existsSync(ignoreFile) ? fs.readFileSync(ignoreFile, 'utf8') : '';
  const ig = dockerignore().add(patterns);
  const reincluded = patterns
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('!'))
    .map((l) => l.slice(1).replace(/\/$/, ''));
  // Docker walks every folder, since a later `!` rule can bring back something inside an
  // ignored one; skip a folder only when no `!` rule can reach into it (keeps node_modules fast).
  const reachable = (rel: string): boolean =>
    reincluded.some((p) => p.startsWith(`${rel}/`) || /[*?[]/.test(p.split('/')[0]!));
  const files = new Set<string>();
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!ig.ignores(child) || reachable(child)) walk(child);
      } else if (!ig.ignores(child)) {
        files.add(child);
      }
    }
  };
  walk('');
  return files;
}

/** The files of `context` that a COPY source names (a file, or everything under a folder). */
export function contextFilesFor(context: Set<string>, source: string): string[] {
  const src = path.posix.normalize(source).replace(/\/$/, '');
  if (context.has(src)) return [src];
  return [...context].filter((f) => f.startsWith(`${src}/`));
}

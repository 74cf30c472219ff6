import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { buildContext, contextFilesFor, parseCopy, parseDockerfile, parseEnv } from './dockerfile';

const run = promisify(execFile);

/** A stage as built: its file system is the folder `root` (the container's `/`). */
export interface BuiltStage {
  name: string;
  image: string;
  root: string;
  /** The container's WORKDIR at the end of the stage. */
  workdir: string;
  env: Record<string, string>;
  user?: string;
  cmd?: string[];
  expose: string[];
  /** `chown OWNER PATH` steps (container paths), recorded rather than run. */
  chowns: { owner: string; path: string }[];
  /** Every command run, in order, for the test's log. */
  log: string[];
}

export interface ReproduceOptions {
  /** The build context (the repository). */
  context: string;
  /** An empty folder; each stage is built in `out/<stage name>`. */
  out: string;
  /** Extra arguments for every `npm ci` (e.g. `--prefer-offline`, to use npm's cache). */
  npmCiArgs?: string[];
}

/**
 * Build the Dockerfile's stages without Docker: each stage's `/` is a folder, COPY takes
 * files from the build context as `.dockerignore` filters it (or from an earlier stage), and
 * RUN runs its commands on this machine. The base image is not reproduced: the host's Node
 * and npm stand in for the image's. RUN understands `npm …`, `mkdir -p …` and `chown …`
 * (recorded); any other command fails, so the Dockerfile cannot grow a step this skips.
 * `npm cache clean` is skipped: here it would empty the host's cache, not the image's.
 */
export async function reproduceImage(options: ReproduceOptions): Promise<BuiltStage[]> {
  const { stages } = parseDockerfile(fs.readFileSync(path.join(options.context, 'Dockerfile'), 'utf8'));
  const context = buildContext(options.context);
  const built: BuiltStage[] = [];
  for (const stage of stages) {
    const b: BuiltStage = {
      name: stage.name,
      image: stage.image,
      root: path.join(options.out, stage.name),
      workdir: '/',
      env: {},
      expose: [],
      chowns: [],
      log: [],
    };
    fs.mkdirSync(b.root, { recursive: true });
    const inRoot = (p: string): string => path.join(b.root, path.posix.resolve(b.workdir, p));
    for (const ins of stage.instructions) {
      const where = `Dockerfile line ${ins.line} (${ins.keyword} ${ins.args})`;
      switch (ins.keyword) {
        case 'WORKDIR':
          b.workdir = path.posix.resolve(b.workdir, ins.args);
          fs.mkdirSync(inRoot('.'), { recursive: true });
          break;
        case 'ENV':
          Object.assign(b.env, parseEnv(ins.args));
          break;
        case 'USER':
          b.user = ins.args;
          break;
        case 'EXPOSE':
          b.expose.push(...ins.args.split(/\s+/));
          break;
        case 'CMD':
          b.cmd = JSON.parse(ins.args) as string[];
          break;
        case 'COPY':
          copy(b, parseCopy(ins.args), context, options.context, built, where);
          break;
        case 'RUN':
          for (const command of ins.args.split('&&').map((c) => c.trim())) {
            await runCommand(b, command, inRoot, options.npmCiArgs ?? [], where);
          }
          break;
        default:
          throw new Error(`${where}: not supported by the reproduction`);
      }
    }
    built.push(b);
  }
  return built;
}

function copy(
  b: BuiltStage,
  step: ReturnType<typeof parseCopy>,
  context: Set<string>,
  contextDir: string,
  built: BuiltStage[],
  where: string,
): void {
  const dest = path.posix.resolve(b.workdir, step.dest);
  const intoFolder = step.dest.endsWith('/') || step.sources.length > 1;
  for (const source of step.sources) {
    if (step.from !== undefined) {
      const from = built.find((s) => s.name === step.from);
      if (!from) throw new Error(`${where}: no earlier stage ${step.from}`);
      const src = path.join(from.root, path.posix.resolve('/', source));
      if (!fs.existsSync(src)) throw new Error(`${where}: ${source} does not exist in stage ${step.from}`);
      const target = intoFolder && !fs.statSync(src).isDirectory() ? `${dest}/${path.basename(src)}` : dest;
      fs.cpSync(src, path.join(b.root, target), { recursive: true, verbatimSymlinks: true });
      b.log.push(`COPY --from=${step.from} ${source} ${target}`);
      continue;
    }
    const files = contextFilesFor(context, source);
    if (files.length === 0) throw new Error(`${where}: ${source} is not in the build context`);
    const single = files.length === 1 && files[0] === path.posix.normalize(source).replace(/\/$/, '');
    for (const file of files) {
      const rel = single ? path.posix.basename(file) : path.posix.relative(source, file);
      const target = single && !intoFolder ? dest : path.posix.join(dest, rel);
      fs.mkdirSync(path.dirname(path.join(b.root, target)), { recursive: true });
      fs.copyFileSync(path.join(contextDir, file), path.join(b.root, target));
    }
    b.log.push(`COPY ${source} ${dest} (${files.length} file(s))`);
  }
}

async function runCommand(
  b: BuiltStage,
  command: string,
  inRoot: (p: string) => string,
  npmCiArgs: string[],
  where: string,
): Promise<void> {
  if (/["'`$|;<>]/.test(command)) throw new Error(`${where}: quoting and shell syntax are not supported`);
  const [program, ...args] = command.split(/\s+/);
  b.log.push(`RUN ${command}`);
  if (program === 'npm') {
    if (args[0] === 'cache' && args[1] === 'clean') return;
    const extra = args[0] === 'ci' ? npmCiArgs : [];
    // The host's NODE_ENV (jest sets it) must not leak into the stage: only the Dockerfile's ENV counts.
    const env = { ...process.env };
    delete env.NODE_ENV;
    await run('npm', [...args, ...extra], {
      cwd: inRoot('.'),
      env: { ...env, ...b.env },
      maxBuffer: 64 * 1024 * 1024,
    });
  } else if (program === 'mkdir' && args[0] === '-p') {
    for (const p of args.slice(1)) fs.mkdirSync(inRoot(p), { recursive: true });
  } else if (program === 'chown' && args.length === 2) {
    b.chowns.push({ owner: args[0]!, path: path.posix.resolve(b.workdir, args[1]!) });
  } else {
    throw new Error(`${where}: "${command}" is not supported by the reproduction`);
  }
}

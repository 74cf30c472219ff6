import { NotFound } from '../../errors';
import { RunIdSchema } from '../../ids';
import { DEFAULT_RUBRIC, type Rubric } from '../../rubric';
import { ManifestSchema, type Item, type Manifest } from '../../run';
import { describeRun, parseRunFile, type RunFile } from '../../runfiles';
import { videoUri } from '../../detect';
import type { ObjectStore } from '../storage/store';
import { manifestKey, RUNS_PREFIX, runFileKey } from './layout';
import { forEachLimit } from './pool';

/** A complete run, loaded from the bucket. */
export interface LoadedRun {
  manifest: Manifest;
  rubric: Rubric;
  items: Item[];
  itemsById: Map<string, Item>;
  metadata: Record<string, unknown>;
  model?: string;
  prompt?: string;
  /** Manifest generation it was loaded at; a replaced run has a new one. */
  generation: string;
}

/** `/videos/<bucket>/<key>`, each path segment percent-encoded. */
export function videoUrlFor(bucket: string, key: string): string {
  return `/videos/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Reads runs from the bucket. Runs are immutable once their manifest exists (a replacement
 * writes a new manifest), so a loaded run is cached until its manifest's generation changes;
 * the list of run IDs is cached for `listTtlMs`.
 */
export class RunCatalog {
  private runs = new Map<string, Promise<LoadedRun>>();
  private ids?: { at: number; value: Promise<string[]> };

  constructor(
    private readonly store: ObjectStore,
    private readonly options: { listTtlMs?: number; now?: () => number } = {},
  ) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** IDs of complete runs (those with a manifest), newest name first. */
  async runIds(): Promise<string[]> {
    const ttl = this.options.listTtlMs ?? 5000;
    if (!this.ids || this.now() - this.ids.at > ttl) {
      const value = this.listRunIds();
      this.ids = { at: this.now(), value };
      value.catch(() => (this.ids = undefined));
    }
    return this.ids.value;
  }

  /** Forget cached listings, e.g. after an upload through this instance. */
  invalidate(runId?: string): void {
    this.ids = undefined;
    if (runId) this.runs.delete(runId);
  }

  private async listRunIds(): Promise<string[]> {
    const candidates: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.store.list({
        prefix: RUNS_PREFIX,
        delimiter: '/',
        ...(pageToken ? { pageToken } : {}),
      });
      for (const p of page.prefixes) {
        const id = p.slice(RUNS_PREFIX.length, -1);
        if (RunIdSchema.safeParse(id).success) candidates.push(id);
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
    const complete: string[] = [];
    await forEachLimit(candidates, 16, async (id) => {
      if (await this.store.stat(manifestKey(id))) complete.push(id);
    });
    return complete.sort().reverse();
  }

  /** A complete run, or `NotFound`. */
  async get(runId: string): Promise<LoadedRun> {
    if (!RunIdSchema.safeParse(runId).success) throw new NotFound(`no run ${JSON.stringify(runId)}`);
    const info = await this.store.stat(manifestKey(runId));
    if (!info) {
      this.runs.delete(runId);
      throw new NotFound(`no run ${runId}`);
    }
    const cached = this.runs.get(runId);
    if (cached) {
      const run = await cached.catch(() => undefined);
      if (run && run.generation === info.generation) return run;
    }
    const loading = this.load(runId, info.generation);
    this.runs.set(runId, loading);
    loading.catch(() => this.runs.delete(runId));
    return loading;
  }

  private async load(runId: string, generation: string): Promise<LoadedRun> {
    const manifest = ManifestSchema.parse(
      JSON.parse((await this.store.read(manifestKey(runId))).toString('utf8')),
    );
    const files: RunFile[] = new Array(manifest.files.length);
    await forEachLimit(manifest.files, 16, async (f, i) => {
      const text = (await this.store.read(runFileKey(runId, f.path))).toString('utf8');
      const { file } = parseRunFile(f.path, text);
      if (file) files[i] = file;
    });
    let rubric: Rubric = DEFAULT_RUBRIC;
    const metadata: Record<string, unknown> = {};
    const items: Item[] = [];
    for (const f of files) {
      if (!f) continue;
      if (f.kind === 'rubric') rubric = f.rubric;
      else if (f.kind === 'metadata') metadata[f.path] = f.data;
      else {
        for (const p of f.items) {
          const bucket = p.ref.bucket ?? this.store.bucketName;
          items.push({
            id: p.id,
            runId,
            source: p.source,
            videoUri: videoUri(p.ref, this.store.bucketName),
            videoUrl: videoUrlFor(bucket, p.ref.key),
            output: p.model.output,
            segments: p.model.segments,
            ...(p.model.error ? { error: p.model.error } : {}),
            record: p.record,
          });
        }
      }
    }
    items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const described = describeRun(files.filter(Boolean));
    return {
      manifest,
      rubric,
      items,
      itemsById: new Map(items.map((i) => [i.id, i])),
      metadata,
      model: manifest.model ?? described.model,
      prompt: manifest.prompt ?? described.prompt,
      generation,
    } as LoadedRun;
  }
}

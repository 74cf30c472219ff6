import { Invalid } from '@fts/shared';
import { openStore, type ObjectStore } from '@fts/shared/node';
import { UsageError } from './errors';
import type { CliIo } from './io';
import { ScoreServer, type ServerOptions } from './server';

/** Where runs and scores are: a server's HTTP API or a store read directly. */
export type Source = { kind: 'server'; server: ScoreServer } | { kind: 'store'; store: ObjectStore };

/** The default store: the folder `npm start` serves. */
export const DEFAULT_STORE_URL = 'file://./data';

/** Open a `file://` or `gs://` store; a URL it cannot open is bad usage. */
export async function openStoreArg(url: string, io: CliIo, flag: string): Promise<ObjectStore> {
  if (!/^(file|gs):\/\//.test(url)) {
    throw new UsageError(`${flag} ${url}: give file://PATH or gs://BUCKET[/PREFIX]`);
  }
  try {
    // The CLI's environment, so STORAGE_EMULATOR_HOST reaches a gs:// store opened in tests too.
    return await openStore(url, io.cwd, io.env);
  } catch (e) {
    if (e instanceof Invalid) throw new UsageError(`${flag} ${url}: ${e.message}`);
    throw e;
  }
}

/** Token (`--token` or SCORE_UPLOAD_TOKEN) and access code (SCORE_ACCESS_CODE) for a server. */
export function serverOptions(io: CliIo, token?: string): ServerOptions {
  const t = token ?? io.env.SCORE_UPLOAD_TOKEN;
  const code = io.env.SCORE_ACCESS_CODE;
  return { ...(t ? { token: t } : {}), ...(code ? { accessCode: code } : {}) };
}

/** `--server URL` (with a token from `--token` or SCORE_UPLOAD_TOKEN) or a store URL. */
export async function openSource(
  opts: { server?: string; token?: string; store?: string },
  io: CliIo,
  storeFlag: string,
): Promise<Source> {
  if (opts.server) {
    return { kind: 'server', server: new ScoreServer(opts.server, serverOptions(io, opts.token)) };
  }
  return { kind: 'store', store: await openStoreArg(opts.store ?? DEFAULT_STORE_URL, io, storeFlag) };
}

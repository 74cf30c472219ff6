import type { LedgerOptions, ObjectStore } from '@fts/shared/node';
import { RunCatalog, ScoreLedger } from '@fts/shared/node';
import type { Submission } from '@fts/shared';
import type { Logger } from 'pino';
import type { Config } from './config';

/** What every route needs: the settings, the store and the domain objects built on it. */
export interface AppContext {
  config: Config;
  store: ObjectStore;
  catalog: RunCatalog;
  ledger: ScoreLedger;
  clock: () => Date;
  log: Logger;
  /** Every durable submission, shared by concurrent callers within one tick. */
  submissions(): Promise<Submission[]>;
}

export function createContext(
  config: Config,
  store: ObjectStore,
  log: Logger,
  clock: () => Date = () => new Date(),
  ledgerOptions: LedgerOptions = {},
): AppContext {
  const catalog = new RunCatalog(store);
  // Not `clock`: the ledger compares real time with the store's clock to pace rewrites.
  const ledger = new ScoreLedger(store, ledgerOptions);
  let inflight: Promise<Submission[]> | undefined;
  return {
    config,
    store,
    catalog,
    ledger,
    clock,
    log,
    submissions() {
      inflight ??= ledger.all().finally(() => (inflight = undefined));
      return inflight;
    },
  };
}

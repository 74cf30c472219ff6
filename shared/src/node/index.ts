// Node-only: storage backends, run upload and reading, the score ledger.
export * from './storage/store';
export * from './storage/file-store';
export * from './storage/open';
export * from './runs/layout';
export * from './runs/scan';
export * from './runs/publish';
export * from './runs/catalog';
export * from './runs/pool';
export * from './runs/retry';
export * from './scores/csv';
export * from './scores/ledger';
// Types only: the GCS backend (and its client) is loaded by `openStore` when a gs:// URL is used.
export type { GcsStore, GcsStoreOptions } from './storage/gcs-store';
export type { RetryPolicy } from './storage/retry';

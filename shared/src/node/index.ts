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

import { createApp } from '../../server/src/app';
import { loadConfig } from '../../server/src/config';
import type { ObjectStore } from '@fts/shared/node';

/** An app over `store` with the default configuration and an optional fixed clock. */
export function testApp(store: ObjectStore, clock?: () => Date) {
  return createApp({ config: loadConfig({}), store, ...(clock ? { clock } : {}) });
}

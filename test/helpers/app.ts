import { createApp, type AppOptions } from '../../server/src/app';
import { loadConfig } from '../../server/src/config';
import type { ObjectStore } from '@fts/shared/node';

/**
 * An app over `store` with the default configuration (request logs off unless `env` turns
 * them on), optional settings as environment variables, and an optional clock.
 */
export function testApp(
  store: ObjectStore,
  clock?: () => Date,
  env: Record<string, string> = {},
  extra: Partial<AppOptions> = {},
) {
  const config = loadConfig({ LOG_REQUESTS: 'false', ...env });
  return createApp({ config, store, ...(clock ? { clock } : {}), ...extra });
}

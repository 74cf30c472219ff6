// Increments a counter object by compare-and-swap, over and over, in its own process.
// Usage: node cas-worker.mjs ROOT BUCKET KEY INCREMENTS; prints {"successes":N,"conflicts":M}.
// Loads the compiled shared package, so `npm run build` must have run.
import { FileStore } from '../../shared/dist/node/storage/file-store.js';

async function main() {
  const [root, bucket, key, countArg] = process.argv.slice(2);
  const store = new FileStore(root, bucket);
  let successes = 0;
  let conflicts = 0;
  while (successes < Number(countArg)) {
    const info = await store.stat(key);
    const value = Number((await store.read(key)).toString());
    try {
      await store.write(key, String(value + 1), { ifGenerationMatch: info.generation });
      successes++;
    } catch (e) {
      if (e.name !== 'PreconditionFailed') throw e;
      conflicts++;
    }
  }
  process.stdout.write(JSON.stringify({ successes, conflicts }));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e));
  process.exit(1);
});

// Tries to create keys k0..kN-1 with create-only writes, in its own process, each holding this
// process's name; prints {"created":[...keys it won]}. Loads the compiled shared package.
// Usage: node create-worker.mjs ROOT BUCKET NAME COUNT
import { FileStore } from '../../shared/dist/node/storage/file-store.js';

async function main() {
  const [root, bucket, name, countArg] = process.argv.slice(2);
  const store = new FileStore(root, bucket);
  const created = [];
  await Promise.all(
    Array.from({ length: Number(countArg) }, async (_, i) => {
      try {
        await store.write(`race/k${i}`, `${name} ${'x'.repeat(4096)}`, { ifGenerationMatch: 0 });
        created.push(`race/k${i}`);
      } catch (e) {
        if (e.name !== 'PreconditionFailed') throw e;
      }
    }),
  );
  process.stdout.write(JSON.stringify({ created }));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e));
  process.exit(1);
});

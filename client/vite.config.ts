import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const shared = (file: string): string => fileURLToPath(new URL(`../shared/src/${file}`, import.meta.url));
const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export default defineConfig({
  resolve: {
    // The browser gets shared/'s sources (browser-safe by rule); never shared/node. The app
    // imports values only from `rules` (no zod); everything else from shared is `import type`.
    alias: [
      { find: /^@fts\/shared$/, replacement: shared('index.ts') },
      { find: /^@fts\/shared\/rules$/, replacement: shared('rules.ts') },
    ],
  },
  define: { __APP_VERSION__: JSON.stringify(version) },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  server: { proxy: { '^/(runs|scores|videos|compare|healthz)': 'http://localhost:8080' } },
});

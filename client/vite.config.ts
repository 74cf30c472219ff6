import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  resolve: {
    // The browser gets shared/'s sources (browser-safe by rule); never shared/node.
    alias: { '@fts/shared': fileURLToPath(new URL('../shared/src/index.ts', import.meta.url)) },
  },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  server: { proxy: { '^/(runs|scores|videos|compare|healthz)': 'http://localhost:8080' } },
});

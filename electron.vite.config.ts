// One build for every process: Electron main (plus the CLI, the trainer entry and its training threads, which also
// run under plain Node), the preload, and the renderer.
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(root, 'electron/main/index.ts'),
          trainer: resolve(root, 'electron/trainer/index.ts'),
          cli: resolve(root, 'core/cli/index.ts'),
          // A training thread (worker_threads) of the trainer: core/engine/threads/pool.ts starts N of them.
          'train-thread': resolve(root, 'core/engine/threads/worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can require only `electron`: bundle everything else (zod, shared/) into it.
      externalizeDeps: false,
      // A sandboxed preload cannot be an ES module: build it as CommonJS.
      rollupOptions: {
        input: { index: resolve(root, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [vue()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rollupOptions: { input: resolve(root, 'renderer/index.html') },
    },
  },
});

// The layering rule must be able to fail: lint real snippets placed in each layer and check which
// imports are refused. The same eslint.config.js runs in `npm test` over the whole tree.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  // no-restricted-syntax carries the same layering for dynamic import().
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

describe('layering is enforced by lint', () => {
  it.each([
    ['shared/spec/x.ts', "import { app } from 'electron';", 'must not import electron'],
    ['shared/spec/x.ts', "import { readFileSync } from 'node:fs';", 'no Node built-ins'],
    ['shared/spec/x.ts', "import { join } from 'path';", 'no Node built-ins'],
    ['shared/spec/x.ts', "import * as tf from '@tensorflow/tfjs-core';", 'tfjs, SQLite'],
    ['shared/spec/x.ts', "import { loadPresets } from '../../core/presets/load.js';", 'shared/ may import only shared/'],
    ['core/engine/x.ts', "import { app } from 'electron';", 'core/ is Node-only'],
    ['core/engine/x.ts', "import App from '../../renderer/src/App.vue';", 'core/ may import only core/ and shared/'],
    ['electron/main/x.ts', "import App from '../../renderer/src/App.vue';", 'must not import the renderer'],
    ['renderer/src/x.ts', "import { loadPresets } from '../../core/presets/load.js';", 'may import only shared/'],
    ['renderer/src/x.ts', "import { ipcRenderer } from 'electron';", 'never electron'],
    ['renderer/src/x.ts', "import fs from 'fs';", 'no Node built-ins'],
    ['renderer/src/x.ts', "import Database from 'better-sqlite3';", 'never trains or stores'],
    // Inside core/: store, engine, presets, datasets, export → runs → sweeps → services → host → cli.
    ['core/runs/x.ts', "import { toApiError } from '../services/errors.js';", 'core/runs/ may import only core/store/ and core/engine/'],
    ['core/runs/x.ts', "import { openAppHost } from '../host/app-host.js';", 'core/runs/ may import only'],
    ['core/store/x.ts', "import { RunQueue } from '../runs/queue.js';", 'core/store/ may import no other folder of core/'],
    ['core/store/x.ts', "import type { RunQueue } from '../runs/queue.js';", 'core/store/ may import no other folder'],
    ['core/store/x.ts', "export { RunQueue } from '../runs/queue.js';", 'core/store/ may import no other folder'],
    ['core/store/x.ts', "const queue = await import('../runs/queue.js');\nvoid queue;", 'core/store/ may import no other folder'],
    ['core/engine/parity/x.ts', "import { Store } from '../../store/index.js';", 'core/engine/ may import no other folder'],
    ['core/datasets/x.ts', "import { RunRecorder } from '../runs/recorder.js';", 'core/datasets/ may import only core/store/ and core/engine/'],
    ['core/export/x.ts', "import { createServices } from '../services/services.js';", 'core/export/ may import only'],
    ['core/presets/x.ts', "import { Store } from '../store/index.js';", 'core/presets/ may import no other folder'],
    ['core/services/x.ts', "import { openAppHost } from '../host/app-host.js';", 'core/services/ may import only'],
    // Sweeps drive runs through the queue: below the services, above the runs.
    ['core/sweeps/x.ts', "import { createServices } from '../services/services.js';", 'core/sweeps/ may import only'],
    ['core/runs/x.ts', "import { SweepManager } from '../sweeps/manager.js';", 'core/runs/ may import only'],
    ['core/store/x.ts', "import { SweepManager } from '../sweeps/manager.js';", 'core/store/ may import no other folder'],
    ['core/host/x.ts', "import { runCli } from '../cli/main.js';", 'core/host/ may import only'],
    ['core/data-dir.ts', "import { Store } from './store/index.js';", 'import no folder of core/'],
  ])('%s: %s is refused', async (file, code, reason) => {
    const messages = await restrictedImports(file, code);
    expect(messages.join('\n')).toContain(reason);
  });

  it.each([
    ['shared/tricks/x.ts', "import { z } from 'zod';\nimport { TRICKS } from '../tricks/registry.js';"],
    ['core/engine/x.ts', "import { readFileSync } from 'node:fs';\nimport { TRICKS } from '../../shared/index.js';"],
    ['electron/main/x.ts', "import { app } from 'electron';\nimport { loadPresets } from '../../core/presets/load.js';"],
    ['renderer/src/x.ts', "import { ref } from 'vue';\nimport { TRICKS } from '../../shared/index.js';"],
    // A package subpath that happens to be named like a layer folder is not a path into that layer.
    ['renderer/src/x.ts', "import { use } from 'echarts/core';"],
    // Down the core/ layers, and shared/ folders named like a core/ domain.
    ['core/runs/x.ts', "import { Store } from '../store/index.js';\nimport { forkTrainer } from '../engine/trainer-client.js';"],
    ['core/store/x.ts', "import { RUN_STATUSES } from '../../shared/runs/statuses.js';\nimport { invalid } from './errors.js';"],
    ['core/datasets/x.ts', "import { loadDataset } from '../engine/data/dataset.js';\nimport type { Store } from '../store/index.js';"],
    ['core/services/x.ts', "import { RunQueue } from '../runs/queue.js';\nconst m = await import('../export/export.js');\nvoid m;"],
    ['core/host/x.ts', "import { createServices } from '../services/services.js';\nimport { RunQueue } from '../runs/queue.js';"],
    ['core/sweeps/x.ts', "import { RunQueue } from '../runs/queue.js';\nimport { findPreset } from '../presets/load.js';\nimport type { Store } from '../store/index.js';"],
    ['core/services/x.ts', "import { SweepManager } from '../sweeps/manager.js';"],
    ['core/cli/commands/x.ts', "import { openAppHost } from '../../host/app-host.js';\nimport { resolveDataDir } from '../../data-dir.js';"],
  ])('%s: allowed imports pass', async (file, code) => {
    expect(await restrictedImports(file, code)).toEqual([]);
  });
});

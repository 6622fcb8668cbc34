// The layering rule must be able to fail: lint real snippets placed in each layer and check which
// imports are refused. The same eslint.config.js runs in `npm test` over the whole tree.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
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
  ])('%s: allowed imports pass', async (file, code) => {
    expect(await restrictedImports(file, code)).toEqual([]);
  });
});

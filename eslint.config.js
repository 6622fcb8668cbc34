// Lint, including the layering rule: where a file runs decides what it may import (VS Code's
// common/node/electron-main layering). A violating import fails `npm test`.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';
import globals from 'globals';

const nodeBuiltins = `^(node:.*|${builtinModules.map((m) => m.replace(/[/]/g, '\\/')).join('|')})(\\/.*)?$`;
const ui = '^(vue|pinia|echarts|vue-echarts|vue-i18n)(\\/.*)?$';
const engineLibs = '^(@tensorflow\\/.*|webgpu|mnist|better-sqlite3|onnxruntime-node|sharp)(\\/.*)?$';
// A relative import that walks into another layer's folder (package names like `echarts/core` are not paths).
const into = (...dirs) => `^\\.{1,2}\\/(.*\\/)?(${dirs.join('|')})(\\/|$)`;

const rule = (...patterns) => ['error', { patterns: patterns.map(([regex, message]) => ({ regex, message })) }];

// Inside core/, the domains are layers, low to high; a folder may import only the folders listed for it (and
// shared/, and the root helpers core/*.ts). The leaf domains know nothing of runs, services or hosts; the
// runs domain (queue, recorder, trainer requests) sits below the services and the hosts that drive it; sweeps
// drive runs through the queue and sit between the two; the CLI is on top (`serve` starts the browser host).
const CORE_LAYERS = {
  // Reading the files a user names, with counted caps: below everything.
  files: [],
  store: ['files'],
  engine: ['files'],
  presets: ['files'],
  datasets: ['files', 'store', 'engine'],
  export: ['files', 'store', 'engine'],
  runs: ['files', 'store', 'engine'],
  sweeps: ['files', 'store', 'engine', 'presets', 'datasets', 'export', 'runs'],
  services: ['files', 'store', 'engine', 'presets', 'datasets', 'export', 'runs', 'sweeps'],
  host: ['files', 'store', 'engine', 'presets', 'datasets', 'export', 'runs', 'sweeps', 'services'],
  cli: ['files', 'store', 'engine', 'presets', 'datasets', 'export', 'runs', 'sweeps', 'services', 'host'],
};
const CORE_DOMAINS = Object.keys(CORE_LAYERS);
// A relative path out of a core/ domain (only `../` steps, then the folder) into another domain.
const intoCore = (...dirs) => `^(\\.\\.\\/)+(${dirs.join('|')})(\\/|$)`;
const coreRules = [
  ['^electron(\\/.*)?$', 'core/ is Node-only and must run without Electron: wire Electron in electron/.'],
  [ui, 'core/ is Node-only: UI libraries belong in renderer/.'],
  [into('electron', 'renderer'), 'core/ may import only core/ and shared/.'],
];
const listed = (dirs) => dirs.map((d) => `core/${d}/`).join(', ').replace(/, ([^,]*)$/, ' and $1');
// core/files/ sits below every folder, so the message lists only the domains above it.
const layerMessage = (domain, allowed, domains = allowed.filter((d) => d !== 'files')) =>
  `core/${domain}/ may import ${domains.length ? `only ${listed(domains)} of core/` : 'no other folder of core/'} ` +
  '(layers, low to high: files → store, engine, presets, datasets, export → runs → sweeps → services → host → cli).';
// Dynamic import() is not seen by no-restricted-imports: the same table, as syntax.
const dynamicInto = (regex, message) => ({ selector: `ImportExpression[source.value=/${regex}/]`, message });
const coreLayering = (domain) => {
  const banned = CORE_DOMAINS.filter((d) => d !== domain && !CORE_LAYERS[domain].includes(d));
  const message = layerMessage(domain, CORE_LAYERS[domain]);
  if (banned.length === 0) return { files: [`core/${domain}/**`], rules: {} };
  return {
    files: [`core/${domain}/**`],
    rules: {
      'no-restricted-imports': rule(...coreRules, [intoCore(...banned), message]),
      'no-restricted-syntax': ['error', dynamicInto(intoCore(...banned), message)],
    },
  };
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'coverage/**', 'test-results/**', 'playwright-report/**', 'core/engine/kernels/simd/assembly/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
    },
  },
  {
    files: ['core/**', 'electron/**', 'tests/**', 'bench/**', 'bin/**', 'scripts/**', '*.config.*', '.ci/**'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: globals.browser },
  },
  // --- layering ---
  {
    files: ['shared/**'],
    rules: {
      'no-restricted-imports': rule(
        ['^electron(\\/.*)?$', 'shared/ is pure TypeScript: it must not import electron.'],
        [nodeBuiltins, 'shared/ is pure TypeScript: no Node built-ins (they belong in core/).'],
        [engineLibs, 'shared/ is pure TypeScript: tfjs, SQLite and other engine libraries belong in core/.'],
        [ui, 'shared/ is pure TypeScript: UI libraries belong in renderer/.'],
        [into('core', 'electron', 'renderer'), 'shared/ may import only shared/.'],
      ),
    },
  },
  {
    files: ['core/**'],
    rules: {
      'no-restricted-imports': rule(...coreRules),
    },
  },
  // The root helpers (data-dir.ts, resources.ts) are below every domain.
  {
    files: ['core/*.ts'],
    rules: {
      'no-restricted-imports': rule(...coreRules, [`^\\.\\/(${CORE_DOMAINS.join('|')})(\\/|$)`, 'core/*.ts are helpers below every domain: they import no folder of core/.']),
    },
  },
  ...CORE_DOMAINS.map(coreLayering),
  {
    files: ['electron/**'],
    rules: {
      'no-restricted-imports': rule(
        [ui, 'electron/ wires processes; UI code belongs in renderer/.'],
        [into('renderer'), 'electron/ must not import the renderer: it talks to it through the typed API.'],
      ),
    },
  },
  {
    files: ['renderer/**'],
    rules: {
      'no-restricted-imports': rule(
        ['^electron(\\/.*)?$', 'The renderer sees only the typed API (window.layerwise), never electron.'],
        [nodeBuiltins, 'The renderer runs in a sandboxed page: no Node built-ins.'],
        [engineLibs, 'The renderer never trains or stores: call the typed API instead.'],
        [into('core', 'electron'), 'The renderer may import only shared/ and its own files.'],
      ),
    },
  },
);

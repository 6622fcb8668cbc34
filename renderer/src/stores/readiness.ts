// Why Train is off, reason by reason, each with where to fix it: the tab and the field (by test id, which is
// also what the "Show me" link focuses). Everything comes from the checks the host runs too — the spec check,
// the fit of model, loss and data (shared/spec/fit.ts), the config's parse (descriptor ranges and the bounds
// the epochs set), the training limits — so nothing the host would refuse is allowed here, and nothing is
// refused without a line saying why.
import { defineStore } from 'pinia';
import { computed } from 'vue';
import type { SpecError } from '../../../shared/index.js';
import { useDraftStore } from './draft.js';
import { useEditorStore } from './editor.js';
import { errorTarget } from './layer-paths.js';
import type { Tab } from './nav.js';
import { useTricksStore } from './tricks.js';

export interface Blocker {
  /** Stable, for keys and tests: `model:layers[3].units`, `tricks:tricks.weightAveraging.lastEpochs`, `data`. */
  id: string;
  /** A message from the shared checks (English, naming the field and the value)… */
  text?: string;
  /** …or one of the studio's own, by i18n key. */
  message?: string;
  /** The tab the field is on; null: a field on every tab (the epochs in the project bar). */
  tab: Tab | null;
  /** The data-testid of the field to focus. */
  target: string;
}

/** The editor field (or card) a spec path belongs to. */
export function modelTarget(path: string): string {
  const { card, field } = errorTarget(path);
  if (!card) return 'layer-stack';
  return field ? `card-${card}-${field}` : `card-${card}`;
}

/** The trick panel field a config path belongs to: `epochs` → the settings field, `tricks.dropout.rate` → its input. */
export function configTarget(path: string): { tab: Tab | null; target: string } {
  if (path === 'epochs') return { tab: null, target: 'epochs' };
  if (path === 'batchSize' || path === 'seed') return { tab: 'tricks', target: `setting-${path}` };
  const m = /^tricks\.([A-Za-z0-9]+)(?:\.([A-Za-z0-9]+))?/.exec(path);
  if (m?.[2]) return { tab: 'tricks', target: `param-${m[1]}-${m[2]}` };
  if (m?.[1]) return { tab: 'tricks', target: `trick-${m[1]}` };
  return { tab: 'tricks', target: 'trick-panel' };
}

export const useReadinessStore = defineStore('readiness', () => {
  const editor = useEditorStore();
  const tricks = useTricksStore();
  const draft = useDraftStore();

  const blockers = computed<Blocker[]>(() => {
    const out: Blocker[] = [];
    if (!editor.spec) out.push({ id: 'model', message: 'blockers.noModel', tab: 'model', target: 'start-model' });
    for (const e of editor.problems) out.push({ id: `model:${e.path}`, text: e.message, tab: 'model', target: modelTarget(e.path) });
    if (!draft.dataset) out.push({ id: 'data', message: 'blockers.noData', tab: 'data', target: 'dataset-mnist' });
    const configErrors: SpecError[] = [...tricks.errors];
    // With the seed policy "new each run", the fixed seed field is not in play.
    for (const e of configErrors) {
      if (e.path === 'seed' && tricks.seedMode === 'fresh') continue;
      const where = configTarget(e.path);
      out.push({ id: `tricks:${e.path}`, text: e.message, ...where });
    }
    for (const e of editor.trainingErrors(tricks.config)) out.push({ id: `limits:${e.path}:${e.message}`, text: e.message, tab: 'tricks', target: 'setting-batchSize' });
    return out;
  });

  const ready = computed(() => blockers.value.length === 0);

  return { blockers, ready };
});

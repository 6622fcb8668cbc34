// The layer-stack editor: the spec being edited, every edit undoable, and live shapes, counts and errors
// from the shared inference (the same code the CLI's `check` and the engine's validation run).
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import {
  checkModelSpec,
  expandSpec,
  inferForTraining,
  inferModel,
  type LayerInfo,
  type LayerSpec,
  type LayerType,
  type ModelInfo,
  type ModelSpec,
  type SpecError,
  type TrainingConfig,
} from '../../../shared/index.js';
import { branchesField, defaultLayer } from './layer-defaults.js';
import { errorTarget, flattenPaths, layerAt, listAt, splitLayerPath } from './layer-paths.js';

const HISTORY_LIMIT = 200;

export interface FieldError {
  field: string | null;
  message: string;
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** LayerInfo of every card by path (nested blocks included). */
function indexInfos(infos: readonly LayerInfo[], into = new Map<string, LayerInfo>()): Map<string, LayerInfo> {
  for (const info of infos) {
    into.set(info.path, info);
    for (const stack of info.children ?? []) indexInfos(stack, into);
  }
  return into;
}

export const useEditorStore = defineStore('editor', () => {
  const spec = shallowRef<ModelSpec | null>(null);
  const past = ref<string[]>([]);
  const future = ref<string[]>([]);
  /** The card that has the keyboard focus. */
  const selected = ref<string | null>(null);
  /** Bumps on every edit (saved-state tracking by the caller). */
  const revision = ref(0);

  const check = computed(() => (spec.value ? checkModelSpec(spec.value) : null));
  /** Shapes and counts; computed even when a field fails the structural check, so cards keep their shapes. */
  const info = computed<ModelInfo | null>(() => {
    if (!spec.value) return null;
    if (check.value?.info) return check.value.info;
    try {
      return inferModel(spec.value);
    } catch {
      return null;
    }
  });
  const errors = computed<SpecError[]>(() => check.value?.errors ?? []);
  const hasErrors = computed(() => errors.value.length > 0);
  const infoByPath = computed(() => indexInfos(info.value?.layers ?? []));
  /** Errors by card path; those that belong to no card are under ''. */
  const errorsByCard = computed(() => {
    const map = new Map<string, FieldError[]>();
    for (const e of errors.value) {
      const t = errorTarget(e.path);
      const key = t.card ?? '';
      map.set(key, [...(map.get(key) ?? []), { field: t.field, message: e.message }]);
    }
    return map;
  });
  const globalErrors = computed(() => errorsByCard.value.get('') ?? []);
  const totalParams = computed(() => info.value?.totalParams ?? 0);
  const paths = computed(() => (spec.value ? flattenPaths(spec.value.layers) : []));
  const canUndo = computed(() => past.value.length > 0);
  const canRedo = computed(() => future.value.length > 0);

  /**
   * What refuses the model under a run's settings although the spec itself is fine: the training-memory
   * estimate at the batch size and the checkpoint size, for the model that trains (the engine checks the same).
   */
  function trainingErrors(config: TrainingConfig | null): SpecError[] {
    if (!spec.value || hasErrors.value || !config) return [];
    return inferForTraining(expandSpec(spec.value, config), config).errors;
  }

  function layerInfo(path: string): LayerInfo | undefined {
    return infoByPath.value.get(path);
  }
  function cardErrors(path: string): FieldError[] {
    return errorsByCard.value.get(path) ?? [];
  }
  function fieldError(path: string, field: string): string | null {
    return cardErrors(path).find((e) => e.field === field)?.message ?? null;
  }

  /** Starts editing a spec (clears the history). */
  function load(next: ModelSpec | null): void {
    spec.value = next ? clone(next) : null;
    past.value = [];
    future.value = [];
    selected.value = null;
    revision.value++;
  }

  /** Applies one edit to a copy of the spec and records the previous state for undo. */
  function edit(change: (draft: ModelSpec) => void): boolean {
    if (!spec.value) return false;
    const before = JSON.stringify(spec.value);
    const draft = clone(spec.value);
    change(draft);
    const after = JSON.stringify(draft);
    if (after === before) return false;
    past.value = [...past.value.slice(-(HISTORY_LIMIT - 1)), before];
    future.value = [];
    spec.value = draft;
    revision.value++;
    return true;
  }

  function undo(): void {
    const prev = past.value[past.value.length - 1];
    if (prev === undefined || !spec.value) return;
    future.value = [...future.value, JSON.stringify(spec.value)];
    past.value = past.value.slice(0, -1);
    spec.value = JSON.parse(prev) as ModelSpec;
    keepSelection();
    revision.value++;
  }

  function redo(): void {
    const next = future.value[future.value.length - 1];
    if (next === undefined || !spec.value) return;
    past.value = [...past.value, JSON.stringify(spec.value)];
    future.value = future.value.slice(0, -1);
    spec.value = JSON.parse(next) as ModelSpec;
    keepSelection();
    revision.value++;
  }

  function keepSelection(): void {
    if (selected.value && !paths.value.includes(selected.value)) selected.value = paths.value[paths.value.length - 1] ?? null;
  }

  /** Adds a layer of `type` to a stack (`layers` by default) at `index` (the end by default); returns its path. */
  function add(type: LayerType, list = 'layers', index?: number): string | null {
    let path: string | null = null;
    edit((draft) => {
      const stack = listAt(draft, list);
      if (!stack) return;
      const at = Math.max(list === 'layers' ? 1 : 0, Math.min(index ?? stack.length, stack.length));
      stack.splice(at, 0, defaultLayer(type));
      path = `${list}[${at}]`;
    });
    if (path) selected.value = path;
    return path;
  }

  /** Moves a layer within its stack by `delta` places; the input layer stays first. Returns the new path. */
  function move(path: string, delta: number): string {
    const { list, index } = splitLayerPath(path);
    let target = index;
    edit((draft) => {
      const stack = listAt(draft, list);
      if (!stack || !stack[index] || stack[index]!.type === 'input') return;
      const min = list === 'layers' ? 1 : 0;
      const to = Math.max(min, Math.min(stack.length - 1, index + delta));
      if (to === index) return;
      const [layer] = stack.splice(index, 1);
      stack.splice(to, 0, layer!);
      target = to;
    });
    const next = `${list}[${target}]`;
    if (selected.value === path) selected.value = next;
    return next;
  }

  /** Moves a layer to a position in the same stack (drag and drop). */
  function moveTo(path: string, to: number): string {
    return move(path, to - splitLayerPath(path).index);
  }

  function duplicate(path: string): string | null {
    const { list, index } = splitLayerPath(path);
    let ok = false;
    edit((draft) => {
      const stack = listAt(draft, list);
      const layer = stack?.[index];
      if (!stack || !layer || layer.type === 'input') return;
      stack.splice(index + 1, 0, clone(layer));
      ok = true;
    });
    if (!ok) return null;
    selected.value = `${list}[${index + 1}]`;
    return selected.value;
  }

  function remove(path: string): void {
    const { list, index } = splitLayerPath(path);
    edit((draft) => {
      const stack = listAt(draft, list);
      const layer = stack?.[index];
      if (!stack || !layer || layer.type === 'input') return;
      stack.splice(index, 1);
    });
    if (selected.value === path) {
      const stack = spec.value ? listAt(spec.value, list) : undefined;
      selected.value = stack && stack.length ? `${list}[${Math.min(index, stack.length - 1)}]` : null;
    }
  }

  /** Sets one field of a layer; `undefined` removes an optional field (the spec's default applies). */
  function update(path: string, field: string, value: unknown): void {
    edit((draft) => {
      const layer = layerAt(draft, path) as unknown as Record<string, unknown> | undefined;
      if (!layer || field === 'type') return;
      if (value === undefined) delete layer[field];
      else layer[field] = value;
    });
  }

  /** Replaces a layer with a fresh one of another type. */
  function changeType(path: string, type: LayerType): void {
    const { list, index } = splitLayerPath(path);
    edit((draft) => {
      const stack = listAt(draft, list);
      if (!stack?.[index] || stack[index]!.type === type) return;
      stack[index] = defaultLayer(type);
    });
  }

  /** Appends a branch to a block with parallel branches (its descriptor says what a new branch holds). */
  function addBranch(path: string): void {
    edit((draft) => {
      const layer = layerAt(draft, path);
      const branches = layer && branchesField(layer.type);
      if (!layer || !branches) return;
      (layer as unknown as Record<string, LayerSpec[][]>)[branches.key]!.push(branches.field.newBranch());
    });
  }

  function removeBranch(path: string, branch: number): void {
    edit((draft) => {
      const layer = layerAt(draft, path);
      const branches = layer && branchesField(layer.type);
      const list = branches && (layer as unknown as Record<string, LayerSpec[][]>)[branches.key];
      if (list && list.length > 1) list.splice(branch, 1);
    });
  }

  function rename(name: string): void {
    edit((draft) => {
      draft.name = name;
    });
  }

  function setLoss(loss: ModelSpec['loss']): void {
    edit((draft) => {
      draft.loss = loss;
    });
  }

  /** Moves the keyboard selection through the cards in visual order. */
  function selectNext(delta: number): void {
    const all = paths.value;
    if (!all.length) return;
    const at = selected.value ? all.indexOf(selected.value) : -1;
    const next = at < 0 ? (delta > 0 ? 0 : all.length - 1) : Math.max(0, Math.min(all.length - 1, at + delta));
    selected.value = all[next]!;
  }

  function layer(path: string): LayerSpec | undefined {
    return spec.value ? layerAt(spec.value, path) : undefined;
  }

  return {
    spec,
    selected,
    revision,
    info,
    errors,
    hasErrors,
    globalErrors,
    totalParams,
    paths,
    canUndo,
    canRedo,
    trainingErrors,
    layerInfo,
    cardErrors,
    fieldError,
    layer,
    load,
    undo,
    redo,
    add,
    move,
    moveTo,
    duplicate,
    remove,
    update,
    changeType,
    addBranch,
    removeBranch,
    rename,
    setLoss,
    selectNext,
  };
});

// The checkpoint codec. Format 2 (written now): each member's weights as `m<i>/w<j>`, and each trick's state
// under its id — JSON in manifest.state.members[i].tricks[id], tensors as `m<i>/<id>/<name>` (the optimizer's
// in the optimizer blob). Format 1 (before trick hooks, in users' stores and bundles) kept early stopping and
// weight averaging in fixed places; it is read into the same trick states.
import type * as tf from '@tensorflow/tfjs-core';
import { CHECKPOINT_FORMAT, CHECKPOINT_FORMATS, type CheckpointManifest, type CheckpointPayload } from '../../../shared/index.js';
import { packTensors, unpackTensors } from '../tensor-codec.js';
import type { HookState } from '../tricks/hook.js';
import { TrainError } from './errors.js';
import type { Member } from './members.js';

/** What the loop itself carries from epoch to epoch. */
export interface RunState {
  bestEpoch: number | null;
  samplesPerSecond: number;
  /** Without a trick that judges epochs, "best" is the lowest validation loss so far. */
  lowestValLoss: number | null;
  /**
   * The input scaling fitted on the training split (x' = (x − shift) · scale, per feature or one for all), kept
   * so that a checkpoint's model can be given raw inputs later (`runs.predict`) exactly as training gave them.
   * Absent in checkpoints written before it was recorded: the scaling is then fitted again from the data.
   */
  inputScaling?: RecordedScaling;
}

export interface RecordedScaling {
  kind: string;
  shift: number[];
  scale: number[];
}

interface StateV2 {
  run: RunState;
  members: Array<{ tricks: Record<string, unknown> }>;
}

interface StateV1 extends RunState {
  members: Array<Record<string, unknown>>;
}

type Named = Array<{ name: string; tensor: tf.Tensor }>;

export async function makeCheckpoint(members: readonly Member[], epoch: number, kind: CheckpointManifest['kind'], run: RunState): Promise<CheckpointPayload> {
  const weights: Named = [];
  const optimizer: Named = [];
  const releases: Array<() => void> = [];
  const state: StateV2 = { run, members: [] };
  for (const m of members) {
    m.model.getWeights().forEach((tensor, i) => weights.push({ name: `m${m.index}/w${i}`, tensor }));
    const tricks: Record<string, unknown> = {};
    for (const { id, trick, hook } of m.hooks) {
      if (!hook.saveState) continue;
      const saved = await hook.saveState();
      if (saved.release) releases.push(saved.release);
      tricks[id] = saved.data ?? null;
      const into = trick.stateIn === 'optimizer' ? optimizer : weights;
      for (const [name, tensor] of Object.entries(saved.tensors ?? {})) into.push({ name: `m${m.index}/${id}/${name}`, tensor });
    }
    state.members.push({ tricks });
  }
  let packedWeights, packedOptimizer;
  try {
    packedWeights = await packTensors(weights);
    packedOptimizer = await packTensors(optimizer);
  } finally {
    for (const release of releases) release();
  }
  return {
    manifest: { format: CHECKPOINT_FORMAT, epoch, kind, state, tensors: packedWeights.entries, optimizerTensors: packedOptimizer.entries },
    weights: packedWeights.bytes,
    optimizer: packedOptimizer.bytes,
  };
}

/**
 * Puts a checkpoint's weights and trick states into the members and returns the run's state.
 * `learningRate` is that of the checkpoint's last step (a format-1 RMSProp state needs it).
 */
export async function restoreCheckpoint(checkpoint: CheckpointPayload, members: readonly Member[], learningRate: number): Promise<RunState> {
  const { manifest } = checkpoint;
  const format = manifest.format as number;
  if (!(CHECKPOINT_FORMATS as readonly number[]).includes(format)) {
    throw new TrainError('bad_checkpoint', `the checkpoint's manifest format is ${JSON.stringify(format)}; this Layerwise reads ${CHECKPOINT_FORMATS.join(' and ')}`);
  }
  const state = manifest.state as Partial<StateV1 & StateV2> | null;
  if (!state || state.members?.length !== members.length) {
    throw new TrainError('bad_checkpoint', `the checkpoint holds ${state?.members?.length ?? 0} members but this run has ${members.length}`);
  }
  const weights = new Map(unpackTensors({ entries: manifest.tensors, bytes: checkpoint.weights }).map((t) => [t.name, t.tensor]));
  const optimizer = new Map(unpackTensors({ entries: manifest.optimizerTensors, bytes: checkpoint.optimizer }).map((t) => [t.name, t.tensor]));
  // Tensors handed to a hook become the hook's; the rest are freed here.
  const handed = new Set<tf.Tensor>();
  const take = (map: Map<string, tf.Tensor>, prefix: string): Record<string, tf.Tensor> => {
    const out: Record<string, tf.Tensor> = {};
    for (const [name, tensor] of map) {
      if (!name.startsWith(prefix)) continue;
      out[name.slice(prefix.length)] = tensor;
      handed.add(tensor);
    }
    return out;
  };
  const series = (map: Map<string, tf.Tensor>, prefix: string): tf.Tensor[] => {
    const out: tf.Tensor[] = [];
    for (let i = 0; map.has(`${prefix}${i}`); i++) out.push(map.get(`${prefix}${i}`)!);
    return out;
  };
  try {
    for (const m of members) {
      const w = series(weights, `m${m.index}/w`);
      if (w.length !== m.model.weights.length) {
        throw new TrainError('bad_checkpoint', `the checkpoint has ${w.length} weight tensors but the model has ${m.model.weights.length}`);
      }
      m.model.setWeights(w);
      for (const { id, trick, hook } of m.hooks) {
        if (!hook.loadState) continue;
        let saved: HookState | undefined;
        if (format === 1) {
          const v1 = state.members[m.index] as Record<string, unknown>;
          if (trick.stateIn === 'optimizer') {
            // Format 1 kept the optimizer's state as `m<i>/o<j>` and `m<i>/x/<name>`: the layout of the
            // tfjs optimizers' own hook state (a trick with another layout reads it as tfjs's).
            const renamed = (prefix: string, as: string) => Object.entries(take(optimizer, prefix)).map(([k, t]) => [`${as}${k}`, t] as const);
            saved = { tensors: Object.fromEntries([...renamed(`m${m.index}/o`, 'o'), ...renamed(`m${m.index}/x/`, 'x/')]) };
          } else {
            saved = trick.fromFormat1?.({ state: v1, series: (prefix) => series(weights, `m${m.index}/${prefix}`) });
            for (const t of Object.values(saved?.tensors ?? {})) handed.add(t);
          }
        } else {
          const tricks = (state.members[m.index] as StateV2['members'][number]).tricks ?? {};
          if (!(id in tricks)) throw new TrainError('bad_checkpoint', `the checkpoint holds no state for ${id} (member ${m.index})`);
          const map = trick.stateIn === 'optimizer' ? optimizer : weights;
          saved = { data: tricks[id] ?? undefined, tensors: take(map, `m${m.index}/${id}/`) };
        }
        if (saved) await hook.loadState(saved, { format, learningRate });
      }
    }
  } finally {
    // setWeights copies into the variables; what no hook took is ours to free.
    for (const t of [...weights.values(), ...optimizer.values()]) if (!handed.has(t)) t.dispose();
  }
  const run: RunState | undefined = format === 1 ? { bestEpoch: state.bestEpoch ?? null, samplesPerSecond: state.samplesPerSecond ?? 0, lowestValLoss: state.lowestValLoss ?? null } : state.run;
  if (!run) throw new TrainError('bad_checkpoint', 'the checkpoint holds no run state');
  return run;
}

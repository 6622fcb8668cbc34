// What every training trick declares once: its parameters with defaults and ranges, its group, how it acts
// on training and a short explanation. Validation, the engine, the CLI and the UI's tooltips all read these
// descriptors, and the parameter types the engine sees are derived from them (ParamsOf).

export const TRICK_GROUPS = [
  'data',
  'augmentation',
  'initialisation',
  'normalisation',
  'regularisation',
  'optimizer',
  'gradient',
  'schedule',
  'averaging',
] as const;
export type TrickGroup = (typeof TRICK_GROUPS)[number];

/**
 * Tricks in the same choice are alternatives: at most one may be on (exactly one for `optimizer`).
 * Tricks without a choice combine freely.
 */
export const TRICK_CHOICES = ['inputScaling', 'init', 'optimizer', 'lrSchedule'] as const;
export type TrickChoice = (typeof TRICK_CHOICES)[number];

/**
 * How a trick acts on training, which decides where its behaviour lives:
 * - `data`: transforms the inputs: scaled before training (core/engine/data/scaling.ts), or augmented on the
 *   fly, each training batch (group `augmentation`: core/engine/tricks/<id>.ts, listed in augmentations.ts);
 * - `network`: changes the network itself and is expanded into the spec (shared/tricks/expand.ts), so the
 *   editor's shapes and parameter counts describe exactly the model that trains;
 * - `loop`: a plug-in of the training loop, with hooks and resumable state in core/engine/tricks/<id>.ts.
 */
export const TRICK_KINDS = ['data', 'network', 'loop'] as const;
export type TrickKind = (typeof TRICK_KINDS)[number];

interface ParamBase {
  label: string;
  help: string;
}

export interface NumberParam extends ParamBase {
  kind: 'number';
  default: number;
  /** Inclusive unless `minExclusive`. */
  min?: number;
  minExclusive?: boolean;
  max?: number;
  maxExclusive?: boolean;
  /** How a slider should move: learning rates and penalties span decades. */
  scale?: 'linear' | 'log';
}

export interface IntegerParam extends ParamBase {
  kind: 'integer';
  default: number;
  min: number;
  max?: number;
}

export interface EnumParam<Option extends string = string> extends ParamBase {
  kind: 'enum';
  default: Option;
  options: readonly Option[];
  /**
   * For a parameter that older configs stored as a boolean: the option each boolean now reads as, so that
   * runs already stored keep the behaviour they trained with.
   */
  fromBoolean?: { readonly true: Option; readonly false: Option };
}

export interface BooleanParam extends ParamBase {
  kind: 'boolean';
  default: boolean;
}

export type ParamDescriptor = NumberParam | IntegerParam | EnumParam | BooleanParam;
export type ParamValue = number | string | boolean;

export type ParamDescriptors = Readonly<Record<string, ParamDescriptor>>;

export interface TrickDescriptor<Id extends string = string, Params extends ParamDescriptors = ParamDescriptors> {
  id: Id;
  group: TrickGroup;
  kind: TrickKind;
  choice?: TrickChoice;
  label: string;
  /** Two sentences in our own words: what it does, and when it helps. */
  summary: string;
  params: Params;
  /**
   * The data it has a meaning for: `images` ([height, width, channels] inputs). On other data (a table, a
   * 2-D synthetic set) a run is refused naming the trick and the dataset (shared/tricks/data-fit.ts).
   */
  inputs?: 'images';
}

/** The value type of one parameter: numbers, booleans, or the union of an enum's options. */
export type ParamValueOf<P extends ParamDescriptor> = P extends { kind: 'enum'; options: readonly (infer O)[] }
  ? O
  : P extends { kind: 'boolean' }
    ? boolean
    : number;

/** The parameters of a trick as the engine receives them: every one filled in, typed from its descriptor. */
export type ParamsOf<T extends TrickDescriptor> = { -readonly [K in keyof T['params']]: ParamValueOf<T['params'][K]> };

/** Keeps the literal id and parameter types while checking the descriptor's shape. */
export function defineTrick<const Id extends string, const Params extends ParamDescriptors>(
  descriptor: TrickDescriptor<Id, Params>,
): TrickDescriptor<Id, Params> {
  return descriptor;
}

/** A human-readable range for messages and tooltips, e.g. `> 0`, `in [0, 1)`. */
export function describeRange(param: ParamDescriptor): string {
  switch (param.kind) {
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${param.options.join(', ')}`;
    case 'integer':
      return param.max === undefined ? `an integer >= ${param.min}` : `an integer in [${param.min}, ${param.max}]`;
    case 'number': {
      const { min, max } = param;
      if (min !== undefined && max !== undefined) {
        return `in ${param.minExclusive ? '(' : '['}${min}, ${max}${param.maxExclusive ? ')' : ']'}`;
      }
      if (min !== undefined) return `${param.minExclusive ? '>' : '>='} ${min}`;
      if (max !== undefined) return `${param.maxExclusive ? '<' : '<='} ${max}`;
      return 'a finite number';
    }
  }
}

/** Returns the reason a value is refused, or null when it is allowed. */
export function checkParam(param: ParamDescriptor, value: unknown): string | null {
  const bad = `must be ${describeRange(param)}`;
  switch (param.kind) {
    case 'boolean':
      return typeof value === 'boolean' ? null : bad;
    case 'enum':
      return typeof value === 'string' && param.options.includes(value) ? null : bad;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return bad;
      return value < param.min || (param.max !== undefined && value > param.max) ? bad : null;
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return bad;
      const { min, max } = param;
      if (min !== undefined && (param.minExclusive ? value <= min : value < min)) return bad;
      if (max !== undefined && (param.maxExclusive ? value >= max : value > max)) return bad;
      return null;
    }
  }
}

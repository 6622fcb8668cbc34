// The receiving side's check of every call, whatever the transport: the method must exist, the input must
// be a plain object without prototype-polluting keys or absurd nesting, it must match the method's schema
// (unknown keys refused), and a spec or config inside it is checked in full. Every error names the field
// and the value, as the editor and the CLI do: `runs.start: config.epochs must be an integer in [1, 10000] (got 0)`.
import { formatIssues, formatValue, specError, type SpecError } from '../spec/errors.js';
import { checkModelSpec } from '../spec/inference.js';
import { parseTrainingConfig } from '../tricks/config.js';
import { escapeUnsafe } from '../text/safe-text.js';
import { ApiError } from './errors.js';
import { API_METHODS, API_SCHEMAS, FORBIDDEN_KEYS, isApiMethod, MAX_INPUT_DEPTH, type ApiInput, type ApiMethod } from './contract.js';

const forbidden: ReadonlySet<string> = new Set(FORBIDDEN_KEYS);

/** The first forbidden key or over-deep nesting in a value, as an error naming where it is. */
export function scanInput(input: unknown, maxDepth = MAX_INPUT_DEPTH): SpecError | null {
  // Iterative, so a hostile nesting cannot overflow the stack before the depth check stops it.
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: input, path: [] }];
  while (stack.length) {
    const { value, path } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= maxDepth) return specError(path, `nests deeper than ${maxDepth} levels`, undefined, false);
    if (Array.isArray(value)) {
      value.forEach((item, i) => stack.push({ value: item, path: [...path, i] }));
      continue;
    }
    // Own keys only: JSON.parse and structured clone make `__proto__` an own, enumerable key.
    for (const key of Object.keys(value)) {
      if (forbidden.has(key)) return specError([...path, key], 'is a forbidden key', undefined, false);
      stack.push({ value: (value as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
  return null;
}

function invalid(method: string, errors: SpecError[]): ApiError {
  // A refused value is quoted in the message: its control and bidi characters are shown escaped, never raw.
  const safe = errors.map((e) => ({ path: escapeUnsafe(e.path), message: escapeUnsafe(e.message) }));
  return new ApiError('invalid_input', `${method}: ${safe.map((e) => e.message).join('; ')}`, { method, errors: safe });
}

const prefixed = (root: string, errors: readonly SpecError[]): SpecError[] =>
  errors.map((e) => (e.path ? { path: `${root}.${e.path}`, message: `${root}.${e.message}` } : { path: root, message: `${root}: ${e.message}` }));

/**
 * Checks a call's input and returns it parsed: config with every default filled in. Throws ApiError
 * `unknown_method` or `invalid_input`.
 */
export function validateInput<M extends ApiMethod>(method: M, input: unknown): ApiInput<M>;
export function validateInput(method: string, input: unknown): unknown;
export function validateInput(method: string, input: unknown): unknown {
  if (!isApiMethod(method)) {
    throw new ApiError('unknown_method', `unknown method ${formatValue(method)}`, { method: typeof method === 'string' ? method.slice(0, 200) : null, known: API_METHODS });
  }
  const raw = input === undefined ? {} : input;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || Object.getPrototypeOf(raw) !== Object.prototype) {
    const got = Array.isArray(raw) ? 'a list' : raw === null ? 'null' : typeof raw === 'object' ? 'an object that is not plain JSON' : formatValue(raw);
    throw invalid(method, [{ path: '', message: `the input must be a JSON object (got ${got})` }]);
  }
  const scanned = scanInput(raw);
  if (scanned) throw invalid(method, [scanned]);

  const parsed = API_SCHEMAS[method].safeParse(raw, { reportInput: true });
  if (!parsed.success) throw invalid(method, formatIssues(parsed.error.issues, raw));
  const value = parsed.data as Record<string, unknown>;

  // A spec or config inside is checked down to every layer and trick (spec.check reports instead of throwing).
  if (method === 'spec.check') return value;
  const errors: SpecError[] = [];
  if (value.spec !== undefined) {
    const checked = checkModelSpec(value.spec);
    if (!checked.ok) errors.push(...prefixed('spec', checked.errors.length ? checked.errors : [specError([], 'is not a valid model spec', value.spec)]));
    else value.spec = checked.spec;
  }
  if (value.config !== undefined) {
    const config = parseTrainingConfig(value.config);
    if (!config.ok) errors.push(...prefixed('config', config.errors));
    else value.config = config.value;
  }
  if (errors.length) throw invalid(method, errors);
  return value;
}

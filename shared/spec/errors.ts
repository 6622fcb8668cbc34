// Errors about a spec or a config name the path and the value: `layers[3].filters must be a
// positive integer (got 0)`. The editor uses `path` to put the error on the right card and field.

export type PathSegment = string | number;

export interface SpecError {
  /** e.g. `layers[3].filters`; empty for the whole document. */
  path: string;
  /** The full sentence, path included. */
  message: string;
}

export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

export function formatValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function specError(path: readonly PathSegment[], text: string, value?: unknown, showValue = true): SpecError {
  const where = formatPath(path);
  const got = showValue ? ` (got ${formatValue(value)})` : '';
  return { path: where, message: `${where ? `${where} ` : ''}${text}${got}` };
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let node: unknown = root;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PathSegment, unknown>)[seg];
  }
  return node;
}

interface IssueLike {
  code: string;
  path: readonly PropertyKey[];
  message: string;
  keys?: readonly string[];
  errors?: readonly (readonly IssueLike[])[];
}

/** Turns zod issues into one sentence each, naming the path and the offending value. */
export function formatIssues(issues: readonly IssueLike[], root: unknown): SpecError[] {
  const out: SpecError[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is PathSegment => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys ?? []) out.push(specError([...path, key], 'is not a known field', undefined, false));
      continue;
    }
    if (issue.code === 'invalid_union' && issue.message.startsWith('type must be')) {
      // A layer whose `type` matches no layer kind: report it on the `type` field.
      const at = path[path.length - 1] === 'type' ? path : [...path, 'type'];
      out.push(specError(at, issue.message.slice('type '.length), valueAt(root, at)));
      continue;
    }
    out.push(specError(path, issue.message, valueAt(root, path)));
  }
  return dedupe(out);
}

function dedupe(errors: SpecError[]): SpecError[] {
  const seen = new Set<string>();
  return errors.filter((e) => (seen.has(e.message) ? false : (seen.add(e.message), true)));
}

// Project bundles: export → import gives identical rows and checkpoint bytes; every bad bundle in
// tests/corpus/bundles.json is refused with its reason — by the importer, `layerwise bundle import` and the
// API's bundles.import — and leaves the database byte-for-byte untouched; a zip bomb is refused while the
// event loop keeps turning (another API call is answered before the refusal).
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { strFromU8, strToU8, unzipSync, Zip, zipSync, type ZipInputFile, type Zippable } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../core/cli/main.js';
import { checkBundle, DEFAULT_BUNDLE_LIMITS } from '../../core/store/bundle.js';
import type { InflateStats } from '../../core/store/bundle-zip.js';
import { BUNDLE_FORMAT_VERSION, DB_FILE, exportBundle, importBundle, SCHEMA_VERSION, Store, StoreError } from '../../core/store/index.js';
import { ApiError } from '../../shared/api/contract.js';
import { openTestServices, type TestServices } from '../host/support.js';
import { bytes, root, rowCounts, seedProject, tempDir, widerSpec } from './support/helpers.js';

/** A project with everything a bundle holds: versions with a parent, two datasets, runs in several states,
 * per-epoch and per-step metrics with NaN and ±Infinity, all three checkpoint kinds, a comparison. */
function buildProject(store: Store) {
  const { project, version, newRun } = seedProject(store, 'Spiral studies');
  store.updateProject(project.id, { notes: 'tricks on spirals' });
  const wider = store.saveModelVersion(project.id, widerSpec(), { parentId: version.id });
  const mnist = store.saveDataset(project.id, { source: { kind: 'mnist' }, split: { validation: 1000 }, fingerprint: 'mnist-v1' });
  const completed = newRun({ name: 'baseline', status: 'running' });
  store.appendMetrics(completed.id, [
    ...Array.from({ length: 30 }, (_, e) => ({ name: 'loss', epoch: e, value: 1 / (e + 1) })),
    ...Array.from({ length: 300 }, (_, s) => ({ name: 'batch_loss', epoch: Math.floor(s / 10), step: s, value: ((s * 37) % 101) / 101 - 0.5 })),
  ]);
  store.saveCheckpoint(completed.id, { epoch: 20, kind: 'best', weights: bytes(3000, 1), optimizer: bytes(6000, 2), manifest: { weightSpecs: [{ name: 'dense/kernel', shape: [2, 64], dtype: 'float32' }] } });
  store.saveCheckpoint(completed.id, { epoch: 29, kind: 'last', weights: bytes(3000, 3), optimizer: bytes(6000, 4), manifest: { epoch: 29 } });
  store.saveCheckpoint(completed.id, { epoch: 10, kind: 'periodic', weights: bytes(3000, 5), optimizer: new Uint8Array(0), manifest: null });
  store.finishRun(completed.id, { status: 'completed', finalMetrics: { loss: 1 / 30, accuracy: 0.97 }, report: sampleReport() });
  const diverged = store.createRun({ projectId: project.id, modelVersionId: wider.id, datasetId: mnist.id, config: { epochs: 3, batchSize: 8, seed: 2, tricks: { sgd: { learningRate: 10 } } }, backend: 'cpu' });
  store.setRunStatus(diverged.id, 'running');
  store.appendMetrics(diverged.id, [
    { name: 'loss', epoch: 0, value: 3.5 },
    { name: 'loss', epoch: 1, value: Infinity },
    { name: 'loss', epoch: 2, value: Number.NaN },
    { name: 'grad_norm', epoch: 2, value: -Infinity },
  ]);
  store.finishRun(diverged.id, { status: 'diverged', finalMetrics: { loss: Number.NaN }, error: 'loss is NaN at epoch 2' });
  const queued = newRun();
  store.saveComparison({ projectId: project.id, name: 'baseline vs wide', runIds: [diverged.id, completed.id], notes: 'sgd lr 10 diverges' });
  store.saveComparison({ projectId: project.id, name: 'ablation of baseline', runIds: [completed.id, queued.id], kind: 'ablation', baseRunId: completed.id, lessonId: null });
  return { project, runs: [completed, diverged, queued] };
}

/** A test report as a finished run keeps it. */
function sampleReport() {
  return {
    classNames: ['a', 'b', 'c'],
    inputShape: [2],
    confusion: [
      [40, 1, 0],
      [2, 50, 3],
      [0, 0, 54],
    ],
    misclassified: [
      { index: 7, label: 0, predicted: 1, confidence: 0.61, features: [0.5, -1.25] },
      { index: 19, label: 1, predicted: 0, confidence: 0.5, features: [0, 3] },
    ],
    misclassifiedCount: 6,
    bestEpoch: 20,
    weights: 'best' as const,
    parameters: 4611,
  };
}

/** Everything about a project except its ids, which an import renumbers. */
function snapshot(store: Store, projectId: number) {
  const project = store.getProject(projectId);
  const versions = store.listModelVersions(projectId);
  const datasets = store.listDatasets(projectId);
  const runs = store.listRuns({ projectId });
  const vIndex = (id: number | null) => (id === null ? null : versions.findIndex((v) => v.id === id));
  const dIndex = (id: number) => datasets.findIndex((d) => d.id === id);
  const rIndex = (id: number) => runs.findIndex((r) => r.id === id);
  return {
    project: { ...project, id: undefined },
    versions: versions.map((v) => ({ ...v, id: undefined, projectId: undefined, parentId: vIndex(v.parentId) })),
    datasets: datasets.map((d) => ({ ...d, id: undefined, projectId: undefined })),
    runs: runs.map((r) => ({
      ...r,
      id: undefined,
      projectId: undefined,
      modelVersionId: vIndex(r.modelVersionId),
      datasetId: dIndex(r.datasetId),
      metrics: store.metricSeries(r.id),
      report: ((report) => report && { ...report, runId: report.runId === r.id ? 'this run' : report.runId })(store.getRunReport(r.id)),
      checkpoints: store.listCheckpoints(r.id).map((c) => {
        const data = store.loadCheckpoint(c.id);
        return { ...c, id: undefined, runId: undefined, weightBytes: Buffer.from(data.weights).toString('base64'), optimizerBytes: Buffer.from(data.optimizer).toString('base64') };
      }),
    })),
    comparisons: store
      .listComparisons(projectId)
      .map((c) => ({ ...c, id: undefined, projectId: undefined, runIds: c.runIds.map(rIndex), baseRunId: c.baseRunId === null ? null : rIndex(c.baseRunId) })),
  };
}

let good: Uint8Array;
let source: ReturnType<typeof snapshot>;
/** A database with a project in it, copied for each corpus row. */
let template: string;

beforeAll(() => {
  const store = Store.open(tempDir('bundle-src'));
  try {
    const { project } = buildProject(store);
    const file = join(tempDir('bundle-out'), 'spirals.layerwise');
    const result = exportBundle(store, project.id, file);
    expect(result).toMatchObject({ projectId: 1, projectName: 'Spiral studies', modelVersions: 2, datasets: 2, runs: 3, metricPoints: 334, checkpoints: 3, comparisons: 2 });
    good = readFileSync(file);
    expect(result.bytes).toBe(good.byteLength);
    source = snapshot(store, project.id);
  } finally {
    store.close();
  }
  template = tempDir('bundle-template');
  const other = Store.open(template);
  buildProject(other);
  other.close();
});

describe('bundles', () => {
  it('round-trips a project into another data folder: identical rows, metrics and checkpoint bytes', async () => {
    const dir = tempDir('bundle-dst');
    const file = join(dir, 'in.layerwise');
    writeFileSync(file, good);
    const store = Store.open(dir);
    try {
      // Something already there, so that every id changes.
      seedProject(store, 'Existing').newRun();
      const result = (await importBundle(store, file));
      expect(result).toMatchObject({ projectId: 2, projectName: 'Spiral studies', runs: 3, metricPoints: 334, checkpoints: 3, runIds: { 1: 2, 2: 3, 3: 4 } });
      expect(snapshot(store, result.projectId)).toEqual(source);
      expect(store.integrityCheck()).toEqual(['ok']);
      // A second import of the same bundle is a second project, not a merge.
      expect((await importBundle(store, file)).projectId).toBe(3);
      expect(snapshot(store, 3)).toEqual(source);
    } finally {
      store.close();
    }
  });

  it('keeps run reports and how comparisons were made (kind, base run, lesson) through a round trip', async () => {
    const dir = tempDir('bundle-v2');
    const file = join(dir, 'in.layerwise');
    writeFileSync(file, good);
    const store = Store.open(dir);
    try {
      seedProject(store, 'Existing').newRun();
      const { projectId, runIds } = (await importBundle(store, file));
      expect(store.getRunReport(runIds[1]!)).toEqual({ ...sampleReport(), runId: runIds[1] });
      expect(store.getRunReport(runIds[2]!)).toBeNull();
      const [manual, ablation] = store.listComparisons(projectId);
      expect(manual).toMatchObject({ kind: 'manual', baseRunId: null, lessonId: null });
      expect(ablation).toMatchObject({ kind: 'ablation', baseRunId: runIds[1], runIds: [runIds[1], runIds[3]] });
    } finally {
      store.close();
    }
  });

  it('a format 1 bundle (before reports and comparison kinds) still imports: manual comparisons, no reports', async () => {
    const entries = unzipSync(good) as Record<string, Uint8Array>;
    const old = withManifest(entries, (manifest) => {
      manifest.formatVersion = 1;
      for (const run of manifest.runs as Record<string, unknown>[]) delete run.report;
      for (const c of manifest.comparisons as Record<string, unknown>[]) {
        delete c.kind;
        delete c.baseRunId;
        delete c.lessonId;
      }
    });
    const dir = tempDir('bundle-v1');
    const file = join(dir, 'old.layerwise');
    writeFileSync(file, rezip(old));
    const store = Store.open(dir);
    try {
      const { projectId, runIds } = (await importBundle(store, file));
      expect(store.getRunReport(runIds[1]!)).toBeNull();
      expect(store.listComparisons(projectId).map((c) => [c.kind, c.baseRunId, c.lessonId])).toEqual([
        ['manual', null, null],
        ['manual', null, null],
      ]);
    } finally {
      store.close();
    }
  });

  it('the bundle is a zip with a manifest, per-run metrics and stored checkpoint bytes', () => {
    const entries = unzipSync(good);
    expect(Object.keys(entries).sort()).toEqual([
      'checkpoints/1/optimizer.bin',
      'checkpoints/1/weights.bin',
      'checkpoints/2/optimizer.bin',
      'checkpoints/2/weights.bin',
      'checkpoints/3/optimizer.bin',
      'checkpoints/3/weights.bin',
      'manifest.json',
      'metrics/run-1.json',
      'metrics/run-2.json',
      'metrics/run-3.json',
    ]);
    const manifest = JSON.parse(strFromU8(entries['manifest.json']!));
    expect(manifest).toMatchObject({ format: 'layerwise-bundle', formatVersion: BUNDLE_FORMAT_VERSION, schemaVersion: SCHEMA_VERSION });
    expect(BUNDLE_FORMAT_VERSION).toBe(3);
    expect(manifest.runs[0].report).toEqual(sampleReport());
    expect(manifest.runs[1].report).toBeNull();
    expect(manifest.comparisons.map((c: { kind: string; baseRunId: number | null; lessonId: string | null }) => [c.kind, c.baseRunId, c.lessonId])).toEqual([
      ['manual', null, null],
      ['ablation', 1, null],
    ]);
    // Checkpoints by run, then epoch.
    expect(manifest.checkpoints.map((c: { id: number; epoch: number; kind: string }) => [c.id, c.epoch, c.kind])).toEqual([
      [3, 10, 'periodic'],
      [1, 20, 'best'],
      [2, 29, 'last'],
    ]);
    expect(manifest.checkpoints[1].weights).toEqual({ path: 'checkpoints/1/weights.bin', size: 3000, sha256: createHash('sha256').update(bytes(3000, 1)).digest('hex') });
    expect(JSON.parse(strFromU8(entries['metrics/run-2.json']!)).series[1]).toEqual({ name: 'loss', epochs: [0, 1, 2], steps: [null, null, null], values: [3.5, 'Infinity', null] });
  });
});

// ---- the bad-bundle corpus ----

type Path = (string | number)[];
type Mutation =
  | { kind: 'truncate'; keepBytes: number }
  | { kind: 'replace-file'; text: string }
  | { kind: 'manifest-set'; path: Path; value: unknown }
  | { kind: 'manifest-delete'; path: Path }
  | { kind: 'remove-entry'; entry: string }
  | { kind: 'replace-entry'; entry: string; text: string; rehash?: boolean }
  | { kind: 'flip-byte'; entry: string; offset: number }
  | { kind: 'add-entry'; entry: string; text: string }
  | { kind: 'add-entries'; count: number }
  | { kind: 'declare-size'; entry: string; size: number; deflate?: boolean }
  | { kind: 'prepend'; text: string }
  | { kind: 'inflate-bomb'; entry: string; megabytes: number }
  | { kind: 'path'; path: 'device' | 'dir' };

interface CorpusRow {
  name: string;
  mutation: Mutation;
  error: string;
}

const corpus = JSON.parse(readFileSync(join(root, 'tests/corpus/bundles.json'), 'utf8')) as { rows: CorpusRow[] };

function rezip(files: Record<string, Uint8Array>, deflated: readonly string[] = []): Uint8Array {
  const zippable: Zippable = {};
  for (const [name, data] of Object.entries(files)) zippable[name] = [data, { level: deflated.includes(name) ? 6 : 0 }];
  return zipSync(zippable);
}

/**
 * The bundle's entries with one replaced by `megabytes` MiB of zeros, deflated (by zlib: ~1,000×), declared
 * with its true size in the zip, so every declared size is within the limits.
 */
function bombZip(files: Record<string, Uint8Array>, entry: string, megabytes: number): Uint8Array {
  const zeros = new Uint8Array(megabytes * 1024 * 1024);
  const raw = deflateRawSync(zeros, { level: 9 });
  const chunks: Uint8Array[] = [];
  const zip = new Zip((error, chunk) => {
    if (error) throw error;
    chunks.push(chunk);
  });
  for (const [name, data] of Object.entries(files)) {
    if (name === entry) continue;
    const file: ZipInputFile = { filename: name, size: data.byteLength, crc: crc32(data), compression: 0, terminate() {} };
    zip.add(file);
    file.ondata!(null, new Uint8Array(data), true);
  }
  const bomb: ZipInputFile = { filename: entry, size: zeros.byteLength, crc: crc32(zeros), compression: 8, terminate() {} };
  zip.add(bomb);
  bomb.ondata!(null, raw, true);
  zip.end();
  return Buffer.concat(chunks);
}

function withManifest(files: Record<string, Uint8Array>, edit: (manifest: Record<string, unknown>) => void): Record<string, Uint8Array> {
  const manifest = JSON.parse(strFromU8(files['manifest.json']!));
  edit(manifest);
  return { ...files, 'manifest.json': strToU8(JSON.stringify(manifest)) };
}

function at(node: unknown, path: Path): { parent: Record<string | number, unknown>; key: string | number } {
  let parent = node as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  return { parent, key: path[path.length - 1]! };
}

function mutate(bundle: Uint8Array, m: Mutation): Uint8Array {
  const files = () => unzipSync(bundle) as Record<string, Uint8Array>;
  switch (m.kind) {
    case 'truncate':
      return bundle.slice(0, m.keepBytes < 0 ? bundle.byteLength + m.keepBytes : m.keepBytes);
    case 'replace-file':
      return strToU8(m.text);
    case 'manifest-set':
      return rezip(withManifest(files(), (manifest) => {
        const { parent, key } = at(manifest, m.path);
        parent[key] = m.value;
      }));
    case 'manifest-delete':
      return rezip(withManifest(files(), (manifest) => {
        const { parent, key } = at(manifest, m.path);
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key];
      }));
    case 'remove-entry': {
      const f = files();
      delete f[m.entry];
      return rezip(f);
    }
    case 'replace-entry': {
      const data = strToU8(m.text);
      let f = { ...files(), [m.entry]: data };
      if (m.rehash) {
        f = withManifest(f, (manifest) => {
          const visit = (node: unknown): void => {
            if (Array.isArray(node)) node.forEach(visit);
            else if (node && typeof node === 'object') {
              const o = node as Record<string, unknown>;
              if (o.path === m.entry) {
                o.size = data.byteLength;
                o.sha256 = createHash('sha256').update(data).digest('hex');
              }
              Object.values(o).forEach(visit);
            }
          };
          visit(manifest);
        });
      }
      return rezip(f);
    }
    case 'flip-byte': {
      const f = files();
      const data = f[m.entry]!.slice();
      data[m.offset] = data[m.offset]! ^ 0xff;
      return rezip({ ...f, [m.entry]: data });
    }
    case 'add-entry':
      return rezip({ ...files(), [m.entry]: strToU8(m.text) });
    case 'add-entries': {
      const f = files();
      for (let i = 0; i < m.count; i++) f[`metrics/run-${1000 + i}.json`] = new Uint8Array(0);
      return rezip(f);
    }
    case 'prepend':
      return Buffer.concat([strToU8(m.text), bundle]);
    case 'inflate-bomb':
      return bombZip(files(), m.entry, m.megabytes);
    case 'path':
      return bundle;
    case 'declare-size': {
      // Rewrite the entry's uncompressed size in the zip's central directory (what readers trust).
      const out = rezip(files(), m.deflate ? [m.entry] : []);
      const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
      for (let i = 0; i + 46 <= out.byteLength; i++) {
        if (view.getUint32(i, true) !== 0x02014b50) continue;
        const nameLength = view.getUint16(i + 28, true);
        if (strFromU8(out.subarray(i + 46, i + 46 + nameLength)) === m.entry) {
          view.setUint32(i + 24, m.size, true);
          return out;
        }
      }
      throw new Error(`no central directory entry for ${m.entry}`);
    }
  }
}

function fileHash(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

describe('bad bundles (tests/corpus/bundles.json)', () => {
  it('the corpus covers the required cases', () => {
    const names = corpus.rows.map((r) => r.name);
    for (const required of ['truncated zip', 'wrong manifest version', 'missing checkpoint', 'checkpoint hash mismatch', 'absurd declared size']) {
      expect(names).toContain(required);
    }
  });

  it('a run exported while it was training comes in interrupted', async () => {
    const dir = tempDir('bundle-live');
    const file = join(dir, 'live.layerwise');
    writeFileSync(file, mutate(good, { kind: 'manifest-set', path: ['runs', 2, 'status'], value: 'running' }));
    const store = Store.open(dir);
    try {
      const { runIds } = (await importBundle(store, file));
      expect(store.getRun(runIds[3]!)).toMatchObject({ status: 'interrupted', error: 'it was still training when the bundle was exported' });
    } finally {
      store.close();
    }
  });

  it('a clean copy of the good bundle imports (the mutations are what break it)', async () => {
    const dir = tempDir('corpus-ok');
    const file = join(dir, 'ok.layerwise');
    writeFileSync(file, mutate(good, { kind: 'manifest-set', path: ['project', 'notes'], value: 'rezipped' }));
    const store = Store.open(dir);
    try {
      expect((await importBundle(store, file)).runs).toBe(3);
    } finally {
      store.close();
    }
  });

  // One API over a data folder of its own for every row (nothing may be stored by any of them).
  let api: TestServices;
  beforeAll(() => {
    api = openTestServices();
  });
  afterAll(() => api.close());

  for (const row of corpus.rows) {
    const m = row.mutation;
    it.skipIf(m.kind === 'path' && m.path === 'device' && process.platform !== 'linux')(`refuses: ${row.name}`, async () => {
      const dir = tempDir('corpus');
      let file = join(dir, 'bad.layerwise');
      const bytes = mutate(good, m);
      if (m.kind === 'path' && m.path === 'device') file = '/dev/zero';
      else if (m.kind === 'path') mkdirSync(file);
      else writeFileSync(file, bytes);
      // A store with data in it; its file's bytes and row counts must not change.
      copyFileSync(join(template, DB_FILE), join(dir, DB_FILE));
      const bytesBefore = fileHash(join(dir, DB_FILE));
      const store = Store.open(dir);
      const before = rowCounts(store);
      expect(before.runs).toBe(3);
      let error: unknown;
      try {
        await importBundle(store, file);
      } catch (e) {
        error = e;
      }
      try {
        expect(error).toBeInstanceOf(StoreError);
        expect((error as StoreError).code).toBe('BundleInvalid');
        expect((error as StoreError).message).toContain(row.error);
        expect(rowCounts(store)).toEqual(before);
      } finally {
        store.close();
      }
      expect(fileHash(join(dir, DB_FILE))).toBe(bytesBefore);
      const message = (error as StoreError).message;

      // `layerwise bundle import`: exit 1 and exactly that reason; the data folder is not touched.
      const err: string[] = [];
      const code = await runCli(['bundle', 'import', file, '--data', dir], { out: () => {}, err: (t) => void err.push(t), isTTY: false });
      expect([code, err]).toEqual([1, [`layerwise bundle import: BundleInvalid: ${message}`]]);
      expect(fileHash(join(dir, DB_FILE))).toBe(bytesBefore);

      // The API (bundles arrive as base64 there): invalid_input with the same reason, nothing stored. (An
      // empty file cannot be sent: the schema refuses empty data first.)
      if (m.kind === 'path' || bytes.byteLength === 0) return;
      const apiBefore = rowCounts(api.store);
      const refused = await api.services.dispatch('bundles.import', { data: Buffer.from(bytes).toString('base64') }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(ApiError);
      expect(refused).toMatchObject({ code: 'invalid_input', message: `bundles.import: ${message}` });
      expect(rowCounts(api.store)).toEqual(apiBefore);
    });
  }
});

describe('a zip bomb', () => {
  let bomb: Uint8Array;
  beforeAll(() => {
    // 96 MiB of zeros in ~100 KB: every declared size is within the limits; only counting catches it.
    bomb = mutate(good, { kind: 'inflate-bomb', entry: 'metrics/run-1.json', megabytes: 96 });
    expect(bomb.byteLength).toBeLessThan(200_000);
  });

  it('is refused once what it inflates passes the budget, over many event-loop turns of bounded work', async () => {
    const stats: InflateStats = { turns: 0, maxWorkPerTurn: 0, inflated: 0 };
    let turns = 0;
    let done = false;
    const tick = () => {
      if (done) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    const error = await checkBundle(bomb, DEFAULT_BUNDLE_LIMITS, stats).then(
      () => null,
      (e: unknown) => e,
    );
    done = true;
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toContain(`its entries inflate to more than ${DEFAULT_BUNDLE_LIMITS.inflateAllowance} bytes`);
    // Stopped at the budget, not at the 96 MiB the entry holds…
    expect(stats.inflated).toBeGreaterThan(DEFAULT_BUNDLE_LIMITS.inflateAllowance);
    expect(stats.inflated).toBeLessThan(DEFAULT_BUNDLE_LIMITS.inflateAllowance + 8 * 1024 * 1024);
    // …and the main thread only ever handled one bounded piece at a time (zlib inflates in the thread pool),
    // while the event loop kept turning: other callbacks ran all along the check.
    expect(stats.maxWorkPerTurn).toBeLessThanOrEqual(1024 * 1024);
    expect(stats.turns).toBeGreaterThanOrEqual(DEFAULT_BUNDLE_LIMITS.inflateAllowance / (1024 * 1024));
    expect(turns).toBeGreaterThanOrEqual(8);
  });

  it('does not block the API: a call made while the bomb is being checked is answered first', async () => {
    const api = openTestServices();
    try {
      let settled = false;
      const importing = api.services.dispatch('bundles.import', { data: Buffer.from(bomb).toString('base64') }).then(
        () => 'accepted',
        (e: unknown) => `refused: ${(e as ApiError).code}`,
      );
      void importing.finally(() => (settled = true));
      // Asked from the next turn of the event loop, as a second HTTP request or IPC message would arrive. Had
      // the bomb been inflated in one go, that turn would come only after the refusal.
      const answeredWhileChecking = await new Promise<boolean>((resolve, reject) => {
        setImmediate(() => {
          api.services.dispatch('app.info', {}).then(() => resolve(!settled), reject);
        });
      });
      expect(answeredWhileChecking).toBe(true);
      expect(await importing).toBe('refused: invalid_input');
      expect(api.store.listProjects()).toEqual([]);
    } finally {
      await api.close();
    }
  });
});

// The pure parts of the API in shared/: the method list and channels, receiving-side validation,
// the transport-agnostic client, the event hub, envelopes and base64.
import { describe, expect, it } from 'vitest';
import {
  API_METHODS,
  API_SCHEMAS,
  ApiError,
  channelOf,
  EVENT_NAMES,
  eventChannelOf,
  HTTP_STATUS,
  maxRequestBytesOf,
  MAX_REQUEST_BYTES,
  pathOf,
  unwrapEnvelope,
  type ApiMethod,
} from '../../shared/api/contract.js';
import { base64ToBytes, bytesToBase64 } from '../../shared/api/base64.js';
import { createApiClient, createBridge } from '../../shared/api/client.js';
import { EventHub } from '../../shared/api/events.js';
import { scanInput, validateInput } from '../../shared/api/validate.js';
import { tinyConfig, tinyData, tinySpec } from './support.js';

const invalid = (method: string, input: unknown): ApiError => {
  try {
    validateInput(method, input);
  } catch (error) {
    return error as ApiError;
  }
  throw new Error(`${method} accepted ${JSON.stringify(input)}`);
};

describe('the method list', () => {
  it('names every method namespace.verb, with an IPC channel and an HTTP path', () => {
    expect(API_METHODS.length).toBeGreaterThanOrEqual(30);
    expect(API_METHODS).toEqual(Object.keys(API_SCHEMAS));
    for (const m of API_METHODS) expect(m).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
    expect(channelOf('runs.start')).toBe('layerwise:runs.start');
    expect(pathOf('runs.start')).toBe('/api/runs.start');
    expect(EVENT_NAMES).toEqual(['onRunProgress', 'onRunEpoch', 'onRunStatus', 'onRunCheckpoint', 'onQueueChanged', 'onDatasetImportProgress', 'onSweepChanged']);
    expect(eventChannelOf('onRunProgress')).toBe('layerwise:event:onRunProgress');
    for (const required of ['projects.create', 'projects.update', 'projects.delete', 'models.save', 'spec.check', 'datasets.preview', 'datasets.import', 'runs.start', 'runs.pause', 'runs.resume', 'runs.stop', 'runs.delete', 'runs.resumeFromCheckpoint', 'queue.reorder', 'metrics.curves', 'checkpoints.list', 'checkpoints.export', 'runs.report', 'runs.fork', 'runs.ablate', 'runs.repeat', 'lessons.list', 'lessons.start', 'lessons.verdict', 'comparisons.update', 'bundles.export', 'bundles.import', 'sweeps.start', 'sweeps.get', 'sweeps.stop', 'sweeps.resume']) {
      expect(API_METHODS).toContain(required);
    }
    expect(HTTP_STATUS).toMatchObject({ invalid_input: 400, unauthorized: 401, forbidden: 403, not_found: 404, conflict: 409, payload_too_large: 413, internal: 500 });
    expect(maxRequestBytesOf('projects.create')).toBe(MAX_REQUEST_BYTES);
    expect(maxRequestBytesOf('bundles.import')).toBeGreaterThan(128 * 1024 * 1024);
  });
});

describe('validateInput', () => {
  it('fills in a config and checks a spec down to its layers', () => {
    const value = validateInput('runs.start', { projectId: 1, spec: tinySpec, dataset: tinyData, config: tinyConfig(3) });
    expect(value.config).toMatchObject({ epochs: 3, tricks: { adam: { learningRate: 0.01, beta1: expect.any(Number) } } });
    expect(validateInput('projects.list', undefined)).toEqual({});
    expect(invalid('models.save', { projectId: 1, spec: { ...tinySpec, layers: [{ type: 'input', shape: [2] }, { type: 'conv2d', filters: 0, kernelSize: 3 }] } }).message).toContain(
      'spec.layers[1].filters must be a positive integer (got 0)',
    );
  });

  it('names the field and the value; lists every error in details', () => {
    const error = invalid('comparisons.save', { projectId: 'one', name: '', runIds: [1, -2] });
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(/^comparisons\.save: /);
    const paths = (error.details as { errors: { path: string }[] }).errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['projectId', 'name', 'runIds[1]']));
    expect(error.message).toContain('projectId must be a positive integer (got "one")');
  });

  it('refuses prototype-polluting keys at any depth, and absurd nesting, before the schema', () => {
    expect(scanInput(JSON.parse('{"a":[{"b":{"__proto__":{"x":1}}}]}'))).toEqual({ path: 'a[0].b.__proto__', message: 'a[0].b.__proto__ is a forbidden key' });
    expect(scanInput({ spec: { layers: [{ constructor: 1 }] } })!.path).toBe('spec.layers[0].constructor');
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(scanInput({ spec: deep })!.message).toContain('nests deeper than 32 levels');
    expect(scanInput({ fine: [{ ok: { yes: true } }] })).toBeNull();
    expect(invalid('projects.create', JSON.parse('{"name":"x","__proto__":{"polluted":1}}')).message).toBe('projects.create: __proto__ is a forbidden key');
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('refuses unknown methods, including Object.prototype names', () => {
    for (const method of ['runs.explode', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '']) {
      expect(invalid(method, {}).code).toBe('unknown_method');
    }
  });

  it('refuses inputs that are not plain JSON objects', () => {
    expect(invalid('projects.list', []).message).toContain('(got a list)');
    expect(invalid('projects.list', null).message).toContain('(got null)');
    expect(invalid('projects.list', new Map()).message).toContain('not plain JSON');
    expect(invalid('projects.list', Object.create({ inherited: 1 })).message).toContain('not plain JSON');
  });
});

describe('createApiClient', () => {
  it('builds the nested API over one invoke function, sending {} for no input', async () => {
    const calls: [ApiMethod, unknown][] = [];
    const api = createApiClient(async (method, input) => {
      calls.push([method, input]);
      return method === 'projects.list' ? [] : { id: 1 };
    });
    expect(await api.projects.list()).toEqual([]);
    await api.runs.get({ id: 4 });
    expect(calls).toEqual([
      ['projects.list', {}],
      ['runs.get', { id: 4 }],
    ]);
    for (const method of API_METHODS) {
      const [ns, verb] = method.split('.') as [string, string];
      expect(typeof (api as unknown as Record<string, Record<string, unknown>>)[ns]![verb]).toBe('function');
    }
  });

  it('can check inputs before sending, and turns transport failures into ApiErrors', async () => {
    let sent = 0;
    const api = createApiClient(
      async () => {
        sent++;
        throw new Error('socket hang up');
      },
      { validateBeforeSend: true },
    );
    await expect(api.runs.get({ id: -1 })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(sent).toBe(0);
    await expect(api.runs.get({ id: 1 })).rejects.toMatchObject({ code: 'internal', message: 'runs.get: socket hang up' });
  });

  it('rebuilds errors from envelopes and shapes', () => {
    expect(unwrapEnvelope({ ok: true, result: 5 })).toBe(5);
    expect(() => unwrapEnvelope({ ok: false, error: { code: 'not_found', message: 'run 9 does not exist', details: { id: 9 } } })).toThrow(
      expect.objectContaining({ code: 'not_found', message: 'run 9 does not exist', details: { id: 9 } }),
    );
    expect(() => unwrapEnvelope('nonsense')).toThrow(expect.objectContaining({ code: 'internal' }));
    expect(ApiError.fromShape({ code: 'made_up', message: 'x' }).code).toBe('internal');
    expect(new ApiError('conflict', 'busy', { id: 1 }).toJSON()).toEqual({ code: 'conflict', message: 'busy', details: { id: 1 } });
  });
});

describe('EventHub', () => {
  it('delivers to subscribers until they unsubscribe; a throwing listener does not stop the others', () => {
    const hub = new EventHub();
    const bridge = createBridge(async () => null, hub.asEvents());
    const got: number[] = [];
    const errors: unknown[] = [];
    const off = bridge.onRunProgress((e) => got.push(e.progress.batch));
    hub.on('onRunProgress', () => {
      throw new Error('bad listener');
    });
    const all: string[] = [];
    const offAll = hub.onAny((name) => all.push(name));
    const progress = { epoch: 0, batch: 1, batchesPerEpoch: 2, epochs: 1, loss: 1, samplesPerSecond: 1, losses: [1] };
    hub.emit('onRunProgress', { runId: 1, progress }, (e) => errors.push(e));
    off();
    off();
    hub.emit('onRunProgress', { runId: 1, progress: { ...progress, batch: 2 } }, (e) => errors.push(e));
    hub.emit('onQueueChanged', { concurrency: 1, active: [], pending: [] });
    offAll();
    expect(got).toEqual([1]);
    expect(errors).toHaveLength(2);
    expect(all).toEqual(['onRunProgress', 'onRunProgress', 'onQueueChanged']);
    expect(hub.listenerCount()).toBe(1);
  });
});

describe('base64', () => {
  it('round-trips every length and agrees with Node', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
      const text = bytesToBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(base64ToBytes(text)).toEqual(bytes);
    }
    const big = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 7) & 255);
    expect(bytesToBase64(big)).toBe(Buffer.from(big).toString('base64'));
  });

  it('refuses what is not base64', () => {
    expect(() => base64ToBytes('abc')).toThrow('multiple of 4');
    expect(() => base64ToBytes('ab!d')).toThrow('invalid character at 2');
    expect(() => base64ToBytes('a=bc')).toThrow('invalid character at 1');
  });
});

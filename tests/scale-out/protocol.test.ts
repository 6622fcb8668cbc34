// The scale-out protocol without Redis: URLs are checked and never shown with their password, the wire keeps NaN and
// ±Infinity, and job payloads and worker reports are refused naming the field, at both ends.
import { describe, expect, it } from 'vitest';
import { parseRedisUrl, redactRedisUrl, RedisUrlError } from '../../core/redis/index.js';
import { decodeWire, encodeWire, parseJobPayload, parseWorkerEnvelope, parseWorkerProgress, SCALE_OUT_PROTOCOL, type JobPayload } from '../../shared/index.js';
import { tinyConfig, tinyData, tinySpec } from '../host/support.js';

describe('Redis URLs', () => {
  it('reads host, port, database, user, password and TLS', () => {
    const t = parseRedisUrl('rediss://alice:p%40ss@cache.example:6380/2');
    expect(t).toMatchObject({ tls: true, host: 'cache.example', port: 6380, db: 2, username: 'alice', password: 'p@ss' });
    expect(t.display).toBe('rediss://alice:***@cache.example:6380/2');
    expect(parseRedisUrl('redis://127.0.0.1')).toMatchObject({ tls: false, host: '127.0.0.1', port: 6379, db: 0, username: undefined, password: undefined });
    expect(parseRedisUrl('redis://:s3cret@[::1]:7000').display).toBe('redis://:***@[::1]:7000');
    expect(parseRedisUrl('redis://:s3cret@[::1]:7000').host).toBe('::1');
  });

  it.each([
    ['http://:s3cret@host:6379', 'must start with redis:// or rediss:// (TLS), not http://'],
    ['redis://:s3cret@host:6379/x', 'may end only in a database number'],
    ['redis://:s3cret@host:6379/0?password=x', 'must not have a query'],
    ['redis://:s3cret@host:notaport', 'is not a URL'],
    ['s3cret', 'is not a URL'],
    ['', 'is empty'],
  ])('refuses %s, naming why and hiding the password', (url, why) => {
    let error: unknown;
    try {
      parseRedisUrl(url);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RedisUrlError);
    expect((error as Error).message).toContain(why);
    expect((error as Error).message).not.toContain('s3cret');
  });

  it('redacts any user info, whether or not the rest parses', () => {
    expect(redactRedisUrl('redis://user:pw@host')).toBe('redis://user:***@host');
    expect(redactRedisUrl('redis://pw@host')).toBe('redis://***@host');
    expect(redactRedisUrl('redis://host:1')).toBe('redis://host:1');
    expect(redactRedisUrl('redis://:pw@host:bad port')).toBe('redis://:***@host:bad port');
  });
});

describe('the wire', () => {
  it('keeps NaN and ±Infinity, which JSON would turn into null', () => {
    const value = { loss: Number.NaN, grad: Number.POSITIVE_INFINITY, low: Number.NEGATIVE_INFINITY, list: [1, Number.NaN], nested: { $nonFinite: 'not a tag, has company', x: 1 } };
    expect(decodeWire(encodeWire(value))).toEqual(value);
  });
});

const payload = (): JobPayload => ({
  protocol: SCALE_OUT_PROTOCOL,
  studio: '0d4c1a3e-5d0b-4f57-9d1e-2b9a4f7c8e11',
  runId: 7,
  request: { spec: tinySpec, dataset: tinyData, config: tinyConfig(2) as never, backend: 'wasm' },
  resume: null,
  datasetKey: null,
});

describe('job payloads', () => {
  it('accept what the studio sends, after a trip through JSON', () => {
    const parsed = parseJobPayload(JSON.parse(JSON.stringify(payload())));
    expect(parsed.ok).toBe(true);
    // The config comes back complete, every default filled in, as the trainer reads it.
    if (parsed.ok) expect(parsed.value.request.config.epochs).toBe(2);
  });

  it.each([
    [(p: Record<string, unknown>) => ({ ...p, protocol: 2 }), 'protocol must be 1'],
    [(p: Record<string, unknown>) => ({ ...p, runId: 0 }), 'runId'],
    [(p: Record<string, unknown>) => ({ ...p, studio: 'A B' }), 'studio must be 8-64 lowercase letters'],
    [(p: Record<string, unknown>) => ({ ...p, extra: 1 }), 'extra is not a known field'],
    [(p: Record<string, unknown>) => ({ ...p, resume: { key: 'k', epoch: -1, kind: 'best' } }), 'resume.epoch'],
    [(p: Record<string, unknown>) => ({ ...p, request: { ...(p.request as object), backend: 'gpu' } }), 'request.backend must be one of auto'],
    [
      (p: Record<string, unknown>) => ({ ...p, request: { ...(p.request as object), spec: { ...tinySpec, layers: [tinySpec.layers[0], { type: 'dense', units: 0 }] } } }),
      'request.spec.layers[1].units',
    ],
    [(p: Record<string, unknown>) => ({ ...p, request: { ...(p.request as object), resumeFrom: {} } }), 'checkpoints travel by reference'],
  ])('refuses a bad payload, naming the field (%#)', (change, field) => {
    const parsed = parseJobPayload(change(JSON.parse(JSON.stringify(payload()))));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.map((e) => e.message).join('\n')).toContain(field);
  });
});

describe('worker reports', () => {
  const envelope = (message: unknown) => ({ job: 'j', runId: 1, token: 't:0', attempt: 1, message });

  it('accept every message a trainer can cause, NaN included', () => {
    const report = {
      epoch: 0,
      epochs: 1,
      metrics: { loss: Number.NaN, accuracy: 0.5, valLoss: 1, valAccuracy: 0.5, learningRate: 0.01, seconds: 1, samplesPerSecond: 100 },
      steps: [{ step: 0, epoch: 0, loss: Number.POSITIVE_INFINITY, gradNorm: 1 }],
      layers: [{ layer: 'dense_Dense1', path: 'layers[1]', weightNorm: 1, gradNorm: 1, activationMean: 0, activationStd: 1, deadFraction: 0 }],
      best: true,
    };
    for (const message of [
      { type: 'claim', worker: 'host:1', pid: 1, resumeEpoch: null },
      { type: 'started', backend: 'wasm', device: 'cpu' },
      { type: 'init', layers: report.layers },
      { type: 'epoch', report },
      // A 2-D classification set's decision boundary travels with its epoch.
      { type: 'epoch', report: { ...report, boundary: { size: 2, classes: 2, extent: [-1, 1, -1, 1], probs: [0.1, 0.9, 0.5, 0.5, 0.2, 0.8, 1, 0] } } },
      { type: 'checkpoint', epoch: 0, kind: 'best', key: 'layerwise:job:j:blob:1' },
      { type: 'paused' },
      { type: 'finished', summary: { status: 'diverged', epochs: 1, backend: 'wasm', device: 'cpu', samplesPerSecond: 1, final: null, confusion: null, classNames: [], bestEpoch: null, weights: 'last', reason: 'NaN' } },
      { type: 'failed', error: { code: 'trainer_died', message: 'killed' } },
    ]) {
      const parsed = parseWorkerEnvelope(decodeWire(encodeWire(envelope(message))));
      expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
    }
    const progress = parseWorkerProgress({ token: 't:0', progress: { epoch: 0, batch: 1, batchesPerEpoch: 2, epochs: 1, loss: 0.5, samplesPerSecond: 10, losses: [0.6, 0.4] } });
    expect(progress.ok).toBe(true);
    if (progress.ok) expect(progress.value.progress.losses).toEqual([0.6, 0.4]);
  });

  it.each([
    [{ type: 'shout' }, 'type'],
    [{ type: 'started', backend: 'quantum', device: 'x' }, 'message.backend'],
    [{ type: 'checkpoint', epoch: 1.5, kind: 'best', key: 'k' }, 'message.epoch'],
    [{ type: 'epoch', report: { epoch: 0 } }, 'message.report'],
  ])('refuse a malformed report (%#)', (message, field) => {
    const parsed = parseWorkerEnvelope(envelope(message));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.map((e) => e.path).join('\n')).toContain(field);
  });
});

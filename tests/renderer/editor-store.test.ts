// @vitest-environment happy-dom
// The editor store: edits, undo/redo, live shapes and counts from the shared inference, errors on the
// offending card and field.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { ModelSpec } from '../../shared/index.js';
import { useEditorStore } from '../../renderer/src/stores/editor.js';
import { errorTarget } from '../../renderer/src/stores/layer-paths.js';

const mnistCnn = (JSON.parse(readFileSync(resolve(import.meta.dirname, '../../resources/presets/mnist-cnn.json'), 'utf8')) as { model: ModelSpec }).model;

describe('editor store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('shows every card\'s output shape and the total from the shared inference', () => {
    const editor = useEditorStore();
    editor.load(mnistCnn);
    expect(editor.hasErrors).toBe(false);
    expect(editor.layerInfo('layers[1]')?.outputShape).toEqual([26, 26, 8]);
    expect(editor.layerInfo('layers[1]')?.params).toBe(3 * 3 * 1 * 8 + 8);
    expect(editor.totalParams).toBe(80 + 1168 + 400 * 64 + 64 + 650);
  });

  it('updates shapes and the total when a field changes, and undo/redo restore them', () => {
    const editor = useEditorStore();
    editor.load(mnistCnn);
    const before = editor.totalParams;
    editor.update('layers[1]', 'filters', 16);
    expect(editor.layerInfo('layers[1]')?.outputShape).toEqual([26, 26, 16]);
    expect(editor.layerInfo('layers[3]')?.params).toBe(3 * 3 * 16 * 16 + 16);
    expect(editor.totalParams).toBeGreaterThan(before);
    editor.undo();
    expect(editor.totalParams).toBe(before);
    expect(editor.canRedo).toBe(true);
    editor.redo();
    expect(editor.layerInfo('layers[1]')?.outputShape).toEqual([26, 26, 16]);
  });

  it('adds, moves, duplicates and deletes layers, each undoable', () => {
    const editor = useEditorStore();
    editor.load(mnistCnn);
    const n = editor.spec!.layers.length;
    const path = editor.add('dropout', 'layers', 6);
    expect(path).toBe('layers[6]');
    expect(editor.spec!.layers[6]!.type).toBe('dropout');
    expect(editor.selected).toBe('layers[6]');
    expect(editor.move('layers[6]', 1)).toBe('layers[7]');
    expect(editor.spec!.layers[7]!.type).toBe('dropout');
    expect(editor.duplicate('layers[7]')).toBe('layers[8]');
    expect(editor.spec!.layers.length).toBe(n + 2);
    editor.remove('layers[8]');
    editor.remove('layers[7]');
    expect(editor.spec!.layers.map((l) => l.type)).toEqual(mnistCnn.layers.map((l) => l.type));
    // The input layer can be neither moved, duplicated nor deleted, and nothing goes above it.
    editor.remove('layers[0]');
    expect(editor.move('layers[1]', -1)).toBe('layers[1]');
    expect(editor.spec!.layers[0]!.type).toBe('input');
    for (let i = 0; i < 5; i++) editor.undo();
    expect(editor.spec!.layers.length).toBe(n);
    expect(editor.canUndo).toBe(false);
  });

  it('flags the offending card and field, and clears the flag when fixed', () => {
    const editor = useEditorStore();
    editor.load(mnistCnn);
    editor.update('layers[3]', 'kernelSize', 40);
    expect(editor.hasErrors).toBe(true);
    expect(editor.fieldError('layers[3]', 'kernelSize')).toMatch(/layers\[3\]\.kernelSize/);
    expect(editor.cardErrors('layers[1]')).toEqual([]);
    // Later shapes are unknowable, earlier ones stay.
    expect(editor.layerInfo('layers[2]')?.outputShape).toEqual([13, 13, 8]);
    expect(editor.layerInfo('layers[5]')?.outputShape).toBeNull();
    editor.update('layers[1]', 'filters', 0);
    expect(editor.fieldError('layers[1]', 'filters')).toMatch(/positive integer/);
    editor.update('layers[1]', 'filters', 8);
    editor.update('layers[3]', 'kernelSize', 3);
    expect(editor.hasErrors).toBe(false);
  });

  it('edits nested residual and inception stacks', () => {
    const editor = useEditorStore();
    editor.load(mnistCnn);
    const res = editor.add('residual', 'layers', 2)!;
    expect(editor.layerInfo(res)?.outputShape).toEqual([26, 26, 8]);
    const inner = editor.add('conv2d', `${res}.layers`)!;
    expect(inner).toBe('layers[2].layers[1]');
    editor.update(inner, 'filters', 4);
    editor.update(inner, 'padding', 'same');
    // 8 → 4 channels: a 1×1 projection makes the sum possible.
    expect(editor.layerInfo(res)?.outputShape).toEqual([26, 26, 4]);
    editor.update(inner, 'kernelSize', 99);
    editor.update(inner, 'padding', 'valid');
    expect(editor.fieldError(inner, 'kernelSize')).not.toBeNull();
    editor.undo();
    editor.undo();
    const inc = editor.add('inception', 'layers', 2)!;
    editor.addBranch(inc);
    expect(editor.layerInfo(inc)?.outputShape).toEqual([26, 26, 12]);
    editor.update(`${inc}.branches[2][0]`, 'filters', 2);
    expect(editor.layerInfo(inc)?.outputShape).toEqual([26, 26, 10]);
  });

  it('maps error paths to cards and fields', () => {
    expect(errorTarget('layers[3].filters')).toEqual({ card: 'layers[3]', field: 'filters' });
    expect(errorTarget('layers[2].layers[0].kernelSize')).toEqual({ card: 'layers[2].layers[0]', field: 'kernelSize' });
    expect(errorTarget('layers[4].branches[1][0].filters')).toEqual({ card: 'layers[4].branches[1][0]', field: 'filters' });
    expect(errorTarget('layers[4].branches[1]')).toEqual({ card: 'layers[4]', field: 'branches' });
    expect(errorTarget('layers[7]')).toEqual({ card: 'layers[7]', field: null });
    expect(errorTarget('loss')).toEqual({ card: null, field: null });
  });

  it('moves the keyboard selection through nested cards in order', () => {
    const editor = useEditorStore();
    editor.load(mnistCnn);
    editor.add('residual', 'layers', 2);
    editor.selected = 'layers[1]';
    editor.selectNext(1);
    expect(editor.selected).toBe('layers[2]');
    editor.selectNext(1);
    expect(editor.selected).toBe('layers[2].layers[0]');
    editor.selectNext(1);
    expect(editor.selected).toBe('layers[3]');
  });
});

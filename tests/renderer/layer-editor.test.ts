// @vitest-environment happy-dom
// The layer-stack editor mounted: cards show live shapes and counts, a bad field flags its card and says
// why, the palette adds after the selection, undo restores.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import type { ModelSpec } from '../../shared/index.js';
import LayerEditor from '../../renderer/src/components/LayerEditor.vue';
import { makeI18n } from '../../renderer/src/i18n/index.js';
import { useEditorStore } from '../../renderer/src/stores/editor.js';
import { useTricksStore } from '../../renderer/src/stores/tricks.js';
import { PALETTE } from '../../renderer/src/stores/layer-defaults.js';

const mnistCnn = (JSON.parse(readFileSync(resolve(import.meta.dirname, '../../resources/presets/mnist-cnn.json'), 'utf8')) as { model: ModelSpec }).model;

function mountEditor() {
  const pinia = createPinia();
  setActivePinia(pinia);
  const editor = useEditorStore();
  editor.load(mnistCnn);
  const wrapper = mount(LayerEditor, { global: { plugins: [pinia, makeI18n('en')] }, attachTo: document.body });
  return { editor, wrapper };
}

const byTestId = (id: string) => `[data-testid="${id}"]`;

describe('LayerEditor', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });

  it('shows each card\'s output shape and parameters and the total', () => {
    const { wrapper } = mountEditor();
    expect(wrapper.find(byTestId('card-layers[1]-shape')).text()).toBe('→ [26, 26, 8]');
    expect(wrapper.find(byTestId('card-layers[6]-params')).text()).toBe('25,664');
    expect(wrapper.find(byTestId('total-params')).text()).toBe('27,562');
  });

  it('flags the card and field of an impossible kernel, and clears it when fixed', async () => {
    const { wrapper, editor } = mountEditor();
    await wrapper.find(byTestId('card-layers[3]-kernelSize')).setValue('40');
    const card = wrapper.find(byTestId('card-layers[3]'));
    expect(card.attributes('data-flagged')).toBe('true');
    expect(card.find('.field-error').text()).toMatch(/layers\[3\]\.kernelSize 40×40 is larger than its 13×13 input/);
    expect(wrapper.find(byTestId('card-layers[1]')).attributes('data-flagged')).toBe('false');
    expect(wrapper.find(byTestId('error-count')).exists()).toBe(true);
    await wrapper.find(byTestId('undo')).trigger('click');
    expect(editor.hasErrors).toBe(false);
    expect(wrapper.find(byTestId('card-layers[3]')).attributes('data-flagged')).toBe('false');
  });

  it('adds a palette layer after the selected card and moves the selection with the keyboard', async () => {
    const { wrapper, editor } = mountEditor();
    editor.selected = 'layers[5]';
    await wrapper.find(byTestId('palette-dropout')).trigger('click');
    expect(editor.spec!.layers[6]!.type).toBe('dropout');
    expect(wrapper.find(byTestId('card-layers[6]-rate')).exists()).toBe(true);
    await wrapper.find(byTestId('card-layers[6]')).trigger('keydown', { key: 'ArrowUp' });
    expect(editor.selected).toBe('layers[5]');
    await wrapper.find(byTestId('card-layers[5]')).trigger('keydown', { key: 'ArrowDown', altKey: true });
    expect(editor.spec!.layers[6]!.type).toBe('flatten');
  });

  it('offers every layer type of the registry in the palette, in sections, each with its one-line summary, in both languages', async () => {
    const { wrapper } = mountEditor();
    const sections = wrapper.findAll('.palette-group');
    expect(sections.map((g) => g.find('h4').text())).toEqual(['Core', 'Convolution', 'Pooling', 'Sequences', 'Normalisation', 'Regularisation', 'Activation', 'Blocks']);
    const items = wrapper.findAll('.palette-item');
    expect(items.map((b) => b.attributes('data-testid')!.replace('palette-', '')).sort()).toEqual(PALETTE.slice().sort());
    expect(sections[3]!.findAll('.palette-item').map((b) => b.attributes('data-testid'))).toEqual(
      ['embedding', 'positionEmbedding', 'lstm', 'gru', 'multiHeadAttention'].map((t) => `palette-${t}`),
    );
    const conv = wrapper.find(byTestId('palette-conv2d'));
    expect(conv.text()).toMatch(/^\+ Convolution 2D/);
    expect(conv.find('.palette-summary').text()).toMatch(/^Slides small learned filters/);
    expect(conv.attributes('title')).toBe(conv.find('.palette-summary').text());
    for (const item of items) expect(item.find('.palette-summary').text().length, item.attributes('data-testid')).toBeGreaterThan(20);
    const zh = mount(LayerEditor, { global: { plugins: [makeI18n('zh-CN')] }, attachTo: document.body });
    expect(zh.find(byTestId('palette-conv2d')).text()).toMatch(/^\+ 二维卷积/);
    expect(zh.find(byTestId('palette-group-sequence')).find('h4').text()).toBe('序列');
    expect(zh.find(byTestId('palette-lstm')).find('.palette-summary').text()).toMatch(/[\u4e00-\u9fff]/);
    expect(zh.find(byTestId('card-layers[1]')).text()).toContain('卷积核大小');
  });

  it('builds a sequence model from the palette: the LSTM card\'s returnSequences changes its shape, the transformer block holds its feed-forward stack', async () => {
    const { wrapper, editor } = mountEditor();
    editor.load({
      version: 1,
      name: 'text',
      loss: 'categoricalCrossentropy',
      layers: [{ type: 'input', shape: [20] }],
    });
    await wrapper.vm.$nextTick();
    for (const type of ['embedding', 'lstm', 'transformerEncoder', 'globalAvgPool1d']) {
      editor.selected = null;
      await wrapper.find(byTestId(`palette-${type}`)).trigger('click');
    }
    // embedding 32 → 16 vectors, lstm 32 (last step): the transformer needs a sequence, and says so.
    expect(wrapper.find(byTestId('card-layers[1]-shape')).text()).toBe('→ [20, 16]');
    expect(wrapper.find(byTestId('card-layers[1]-params')).text()).toBe('512');
    expect(wrapper.find(byTestId('card-layers[2]-shape')).text()).toBe('→ [32]');
    expect(wrapper.find(byTestId('card-layers[3]')).attributes('data-flagged')).toBe('true');
    expect(wrapper.find(byTestId('card-layers[3]')).text()).toMatch(/transformerEncoder needs a 2-D input \[steps, features\] but gets \[32\]/);
    // Return sequences: every step's output, and the transformer accepts it.
    const checkbox = wrapper.find(byTestId('card-layers[2]-returnSequences'));
    expect((checkbox.element as HTMLInputElement).checked).toBe(false);
    await checkbox.setValue(true);
    expect(editor.spec!.layers[2]).toMatchObject({ type: 'lstm', returnSequences: true });
    expect(wrapper.find(byTestId('card-layers[2]-shape')).text()).toBe('→ [20, 32]');
    expect(wrapper.find(byTestId('card-layers[3]')).attributes('data-flagged')).toBe('false');
    // A boolean's default is left out of the spec: useBias starts checked (true), its other value is written.
    const bias = wrapper.find(byTestId('card-layers[2]-useBias'));
    expect((bias.element as HTMLInputElement).checked).toBe(true);
    expect(editor.spec!.layers[2]).not.toHaveProperty('useBias');
    await bias.setValue(false);
    expect(editor.spec!.layers[2]).toMatchObject({ useBias: false });
    expect(wrapper.find(byTestId('card-layers[2]-params')).text()).toBe(String(4 * (16 * 32 + 32 * 32)).replace(/\B(?=(\d{3})+(?!\d))/g, ','));
    await bias.setValue(true);
    expect(editor.spec!.layers[2]).not.toHaveProperty('useBias');
    expect((wrapper.find(byTestId('card-layers[3]-normFirst')).element as HTMLInputElement).checked).toBe(false);
    // The block's fields and its feed-forward stack, with the projection back to 32 counted in the block.
    expect(wrapper.find(byTestId('card-layers[3]-numHeads')).exists()).toBe(true);
    expect(wrapper.find(byTestId('card-layers[3]-feedForward-head')).text()).toBe('Inner stack · Feed-forward');
    expect(wrapper.find(byTestId('card-layers[3].feedForward[0]-shape')).text()).toBe('→ [20, 32]');
    // attention 4·32·16 + 3·16 + 32, no projection (32 → 32), layer norms 4·32, feed-forward dense 32·32 + 32.
    expect(wrapper.find(byTestId('card-layers[3]-params')).text()).toBe(String(4 * 32 * 16 + 3 * 16 + 32 + 4 * 32 + 32 * 32 + 32).replace(/\B(?=(\d{3})+(?!\d))/g, ','));
    expect(wrapper.find(byTestId('card-layers[4]-shape')).text()).toBe('→ [32]');
  });

  it('says before Train is pressed when the run\'s batch size needs more memory than training may use', async () => {
    const { wrapper, editor } = mountEditor();
    const tricks = useTricksStore();
    editor.load({
      version: 1,
      name: 'images',
      loss: 'categoricalCrossentropy',
      layers: [
        { type: 'input', shape: [128, 128, 3] },
        { type: 'conv2d', filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' },
        { type: 'globalAvgPool2d' },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
    });
    tricks.batchSize = 64;
    await wrapper.vm.$nextTick();
    expect(wrapper.find(byTestId('training-errors')).exists()).toBe(false);
    tricks.batchSize = 1024;
    await wrapper.vm.$nextTick();
    expect(wrapper.find(byTestId('training-errors')).text()).toMatch(/the model needs ~11 GB of memory to train, more than the 3 GB allowed: 11 GB for the activations of batch size 1,024/);
    expect(editor.hasErrors).toBe(false);
  });
});

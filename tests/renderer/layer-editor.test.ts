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

  it('offers every layer type of the registry in the palette, each with its one-line summary, in both languages', async () => {
    const { wrapper } = mountEditor();
    const items = wrapper.findAll('.palette-item');
    expect(items.map((b) => b.attributes('data-testid'))).toEqual(
      ['dense', 'conv2d', 'maxPool2d', 'avgPool2d', 'globalAvgPool2d', 'flatten', 'dropout', 'batchNorm', 'activation', 'residual', 'inception'].map((t) => `palette-${t}`),
    );
    expect(items[1]!.text()).toBe('+ Convolution 2D');
    expect(items[1]!.attributes('title')).toMatch(/^Slides small learned filters/);
    const zh = mount(LayerEditor, { global: { plugins: [makeI18n('zh-CN')] }, attachTo: document.body });
    expect(zh.find(byTestId('palette-conv2d')).text()).toBe('+ 二维卷积');
    expect(zh.find(byTestId('card-layers[1]')).text()).toContain('卷积核大小');
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

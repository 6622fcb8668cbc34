// @vitest-environment happy-dom
// The trick panel mounted: every registry trick in its descriptor group, the explanation one click away,
// parameters from the descriptors, and the language switch.
import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { TRICK_GROUPS, TRICKS } from '../../shared/index.js';
import TrickPanel from '../../renderer/src/components/TrickPanel.vue';
import { makeI18n } from '../../renderer/src/i18n/index.js';
import { en, zh } from '../../renderer/src/i18n/messages.js';
import { useTricksStore } from '../../renderer/src/stores/tricks.js';
import { useEditorStore } from '../../renderer/src/stores/editor.js';

function mountPanel(locale: 'en' | 'zh-CN' = 'en') {
  const pinia = createPinia();
  setActivePinia(pinia);
  const i18n = makeI18n(locale);
  const wrapper = mount(TrickPanel, { global: { plugins: [pinia, i18n] } });
  return { wrapper, i18n, store: useTricksStore() };
}

/** Every key of one message tree, as dotted paths. */
function keys(tree: object, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === 'object' ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

describe('TrickPanel', () => {
  it('lists every trick under its group', () => {
    const { wrapper } = mountPanel();
    for (const group of TRICK_GROUPS) {
      const section = wrapper.find(`[data-testid="group-${group}"]`);
      for (const trick of TRICKS.filter((t) => t.group === group)) expect(section.find(`[data-testid="trick-${trick.id}"]`).exists()).toBe(true);
    }
  });

  it('shows a trick\'s explanation on one click, and its parameters with descriptor defaults when on', async () => {
    const { wrapper, store } = mountPanel();
    expect(wrapper.find('[data-testid="trick-summary-dropout"]').exists()).toBe(false);
    await wrapper.find('[data-testid="trick-info-dropout"]').trigger('click');
    expect(wrapper.find('[data-testid="trick-summary-dropout"]').text()).toBe(TRICKS.find((t) => t.id === 'dropout')!.summary);
    await wrapper.find('[data-testid="trick-dropout"]').setValue(true);
    expect(store.isOn('dropout')).toBe(true);
    const rate = wrapper.find('[data-testid="param-dropout-rate"]');
    expect((rate.element as HTMLInputElement).value).toBe('0.5');
    await rate.setValue('1.5');
    expect(wrapper.text()).toContain('must be in [0, 1)');
  });

  it('speaks Simplified Chinese, with every English message translated', async () => {
    expect(keys(zh).sort()).toEqual(keys(en).sort());
    const { wrapper, i18n } = mountPanel('zh-CN');
    expect(wrapper.find('[data-testid="group-regularisation"] h3').text()).toBe('正则化');
    i18n.global.locale.value = 'en';
    await wrapper.vm.$nextTick();
    expect(wrapper.find('[data-testid="group-regularisation"] h3').text()).toBe('Regularisation');
  });

  it('says which layers of the model a structural trick does not reach, from the layer descriptors', async () => {
    const { wrapper, store } = mountPanel();
    useEditorStore().load({
      version: 1,
      name: 'cnn',
      loss: 'categoricalCrossentropy',
      layers: [
        { type: 'input', shape: [8, 8, 1] },
        { type: 'conv2d', filters: 2, kernelSize: 3 },
        { type: 'flatten' },
        { type: 'dense', units: 3, activation: 'softmax' },
      ],
    });
    store.toggle('dropout', true);
    store.toggle('batchNorm', true);
    await wrapper.vm.$nextTick();
    expect(wrapper.find('[data-testid="trick-skips-dropout"]').text()).toBe('Does not reach these layers of the model: Convolution 2D.');
    expect(wrapper.find('[data-testid="trick-skips-batchNorm"]').exists()).toBe(false);
  });

  it('says why a trick skips a layer where its descriptor says: dropout inside a recurrent layer is another technique', async () => {
    const { wrapper, store } = mountPanel();
    useEditorStore().load({
      version: 1,
      name: 'rnn',
      loss: 'categoricalCrossentropy',
      layers: [
        { type: 'input', shape: [12] },
        { type: 'embedding', inputDim: 10, outputDim: 4 },
        { type: 'lstm', units: 6 },
        { type: 'dense', units: 3, activation: 'softmax' },
      ],
    });
    store.toggle('dropout', true);
    store.toggle('l2', true);
    await wrapper.vm.$nextTick();
    expect(wrapper.find('[data-testid="trick-skips-dropout"]').text()).toBe(
      'Does not reach these layers of the model: LSTM (dropout inside a recurrent layer (one mask for all steps) is a different technique from dropout between layers).',
    );
    expect(wrapper.find('[data-testid="trick-skips-l2"]').text()).toBe('Does not reach these layers of the model: Embedding (its table is not penalised).');
  });
});

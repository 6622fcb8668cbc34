// A fake of the typed API for component and store tests: the methods a test gives (`'runs.get': …`), the
// pushed events through a real EventHub, and a log of every call. A method the test did not give rejects.
import { defineComponent, h } from 'vue';
import { EventHub, EVENT_NAMES, type ApiMethod, type LayerwiseBridge } from '../../../shared/api/index.js';
import { setApi } from '../../../renderer/src/api/client.js';

export type Handlers = Partial<Record<ApiMethod, (input: never) => unknown>>;

export function installFakeApi(handlers: Handlers) {
  const hub = new EventHub();
  const calls: Array<{ method: string; input: unknown }> = [];
  const api: Record<string, unknown> = {};
  for (const method of Object.keys(handlers) as ApiMethod[]) {
    const [ns, verb] = method.split('.') as [string, string];
    const target = (api[ns] ??= {}) as Record<string, unknown>;
    target[verb] = async (input?: unknown) => {
      calls.push({ method, input });
      return (handlers[method] as (i: unknown) => unknown)(input ?? {});
    };
  }
  const proxied = new Proxy(api, {
    get(target, ns: string) {
      if (ns in target) {
        return new Proxy(target[ns] as Record<string, unknown>, {
          get: (fns, verb: string) => fns[verb] ?? (async () => Promise.reject(new Error(`fake API: ${ns}.${verb} not given`))),
        });
      }
      if ((EVENT_NAMES as readonly string[]).includes(ns)) return (fn: never) => hub.on(ns as never, fn);
      return new Proxy({}, { get: (_, verb: string) => async () => Promise.reject(new Error(`fake API: ${ns}.${verb} not given`)) });
    },
  });
  setApi(proxied as unknown as LayerwiseBridge);
  return { hub, calls, called: (method: string) => calls.filter((c) => c.method === method) };
}

/** Stands in for vue-echarts' chart (named `Echarts`): keeps the option for the test to read. */
export const ChartStub = defineComponent({
  name: 'Echarts',
  props: { option: { type: Object, required: true } },
  setup(props, { attrs }) {
    return () => h('div', { ...attrs, class: 'chart-stub', 'data-series-count': ((props.option as { series?: unknown[] }).series ?? []).length });
  },
});

/** Runs queued animation-frame work now. */
export async function nextFrame(): Promise<void> {
  await new Promise((r) => setTimeout(r, 40));
}

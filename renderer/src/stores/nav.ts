// Where the studio is: a face over the router (router/index.ts), so that views read and change the place as
// state (`nav.tab`, `nav.runId`, `nav.openRun(7)`) while the URL stays the one truth (reload, back and forward
// keep it). It also remembers, per project, the last run and comparison opened, so their tabs stay in reach.
import { defineStore } from 'pinia';
import { computed, reactive, shallowRef } from 'vue';
import { BASE_TABS, createTestRouter, idParam, ROUTES, runsQuery, tabOf, type Router, type Tab } from '../router/index.js';

export { BASE_TABS, type Tab };

let installed: Router | null = null;

/** The router the nav store drives (main.ts installs the page's; a test may install a memory one). */
export function installRouter(router: Router | null): void {
  installed = router;
}

function router(): Router {
  // Without one installed (a component test that does not care), a private memory router keeps state.
  return (installed ??= createTestRouter());
}

/** A comparison as the address holds it: saved (by id), or runs picked by hand. */
export type ComparisonPlace = { comparisonId: number } | { runIds: number[] };

export const useNavStore = defineStore('nav', () => {
  const r = router();
  // The router's current route is a shallow ref of its own; mirrored so the store's computeds track it.
  const route = shallowRef(r.currentRoute.value);
  r.afterEach(() => (route.value = r.currentRoute.value));
  /** Per project: the run and the comparison last shown, so their tabs stay while other tabs are open. */
  const lastRun = reactive<Record<number, number>>({});
  const lastComparison = reactive<Record<number, ComparisonPlace>>({});

  const projectId = computed(() => idParam(route.value, 'projectId'));
  const tabNow = computed<Tab>(() => tabOf(route.value) ?? 'model');
  const runId = computed<number | null>(() => {
    const here = idParam(route.value, 'runId');
    if (here !== null) return here;
    return projectId.value !== null ? (lastRun[projectId.value] ?? null) : null;
  });
  /** The open comparison: from the address on a compare view, else the project's last one. */
  const comparisonPlace = computed<ComparisonPlace | null>(() => {
    const id = idParam(route.value, 'comparisonId');
    if (id !== null) return { comparisonId: id };
    if (route.value.name === ROUTES.compare) return { runIds: runsQuery(route.value) };
    return projectId.value !== null ? (lastComparison[projectId.value] ?? null) : null;
  });
  const lessons = computed(() => route.value.name === ROUTES.lessons || route.value.name === ROUTES.lesson);
  const lessonId = computed(() => (route.value.name === ROUTES.lesson ? String(route.value.params.lessonId) : null));

  // Remember what the address shows.
  r.afterEach((to) => {
    const project = idParam(to, 'projectId');
    if (project === null) return;
    const run = idParam(to, 'runId');
    if (run !== null) lastRun[project] = run;
    const comparison = idParam(to, 'comparisonId');
    if (comparison !== null) lastComparison[project] = { comparisonId: comparison };
    else if (to.name === ROUTES.compare) lastComparison[project] = { runIds: runsQuery(to) };
  });

  function go(to: Parameters<Router['push']>[0], replace = false): Promise<unknown> {
    return replace ? r.replace(to) : r.push(to);
  }

  function projectOr(id?: number | null): number | null {
    return id ?? projectId.value;
  }

  /** Shows a tab of the open project (the run and compare tabs show the last run or comparison). */
  function openTab(tab: Tab, project?: number): Promise<unknown> {
    const p = projectOr(project);
    if (p === null) return Promise.resolve();
    if (tab === 'run') return runId.value !== null ? openRun(runId.value, p) : Promise.resolve();
    if (tab === 'compare') return comparisonPlace.value ? openComparison(comparisonPlace.value, p) : Promise.resolve();
    return go({ name: ROUTES.tab, params: { projectId: p, tab } });
  }

  function openRun(id: number, project?: number): Promise<unknown> {
    const p = projectOr(project);
    if (p === null) return Promise.resolve();
    return go({ name: ROUTES.run, params: { projectId: p, runId: id } });
  }

  function openComparison(place: ComparisonPlace, project?: number, replace = false): Promise<unknown> {
    const p = projectOr(project);
    if (p === null) return Promise.resolve();
    if ('comparisonId' in place) return go({ name: ROUTES.comparison, params: { projectId: p, comparisonId: place.comparisonId } }, replace);
    return go({ name: ROUTES.compare, params: { projectId: p }, query: { runs: place.runIds.join(',') } }, replace);
  }

  function openProject(id: number, tab: Tab = 'model'): Promise<unknown> {
    return tab === 'model' || BASE_TABS.includes(tab) ? go({ name: ROUTES.tab, params: { projectId: id, tab } }) : go({ name: ROUTES.tab, params: { projectId: id, tab: 'model' } });
  }

  function openProjects(): Promise<unknown> {
    return go({ name: ROUTES.projects });
  }

  function openLessons(lesson?: string): Promise<unknown> {
    return lesson ? go({ name: ROUTES.lesson, params: { lessonId: lesson } }) : go({ name: ROUTES.lessons });
  }

  /** The tab, readable and settable (`nav.tab = 'training'` opens it). */
  const tab = computed<Tab>({
    get: () => tabNow.value,
    set: (value) => void openTab(value),
  });

  /** Resolves once the address's navigation has settled (tests, and code that reads the place right after a change). */
  function settled(): Promise<void> {
    return r.isReady();
  }

  return {
    tab,
    runId,
    projectId,
    comparisonPlace,
    lessons,
    lessonId,
    route,
    openTab,
    openRun,
    openComparison,
    openProject,
    openProjects,
    openLessons,
    settled,
  };
});

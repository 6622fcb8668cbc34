// Where the studio is, as a URL (vue-router 4): the project list, the lessons (and one lesson), a project's tab,
// one run, one comparison. Reload, back and forward keep the place.
//
// Hash history (`…/#/projects/3/runs/12`): the document is always the one page at `/`, so neither host needs to
// know the routes. The browser host serves `/` (its `?token=` is read once and kept per tab, then removed from
// the address bar: api/client.ts), and Electron's `layerwise://app/` scheme maps only real files (a reload asks
// for `layerwise://app/` again, the hash never reaches it). History mode would need every host to answer
// every route path with index.html and the page's assets at absolute paths.
import type { Component } from 'vue';
import {
  createMemoryHistory,
  createRouter,
  createWebHashHistory,
  type RouteLocationNormalizedLoaded,
  type RouteLocationRaw,
  type Router,
  type RouterHistory,
  type RouteRecordRaw,
} from 'vue-router';

/** A project's tabs: its four sections and the run list, then the open run and the open comparison. */
export type Tab = 'model' | 'tricks' | 'data' | 'training' | 'runs' | 'sweeps' | 'run' | 'compare';
export const BASE_TABS: Tab[] = ['model', 'tricks', 'data', 'training', 'runs', 'sweeps'];

/** Route names, one per view. */
export const ROUTES = {
  projects: 'projects',
  lessons: 'lessons',
  lesson: 'lesson',
  /** `/projects/:projectId/:tab` for the base tabs. */
  tab: 'project-tab',
  run: 'project-run',
  /** A saved comparison: `/projects/:projectId/compare/:comparisonId`. */
  comparison: 'project-comparison',
  /** Runs picked by hand, not saved yet: `/projects/:projectId/compare?runs=1,2,3`. */
  compare: 'project-compare',
} as const;

/** The components the routes show; main.ts gives the real views, tests give stand-ins. */
export interface RouteViews {
  ProjectList: Component;
  LessonList: Component;
  ProjectView: Component;
}

const BASE_TAB_PATTERN = BASE_TABS.join('|');

export function buildRoutes(views: RouteViews): RouteRecordRaw[] {
  const { ProjectList, LessonList, ProjectView } = views;
  return [
    { path: '/', name: ROUTES.projects, component: ProjectList },
    { path: '/lessons', name: ROUTES.lessons, component: LessonList },
    { path: '/lessons/:lessonId', name: ROUTES.lesson, component: LessonList },
    // One component for every view of a project: moving between its tabs keeps the open project (and its editor).
    { path: '/projects/:projectId(\\d+)', redirect: (to) => ({ name: ROUTES.tab, params: { projectId: to.params.projectId, tab: 'model' } }) },
    { path: `/projects/:projectId(\\d+)/:tab(${BASE_TAB_PATTERN})`, name: ROUTES.tab, component: ProjectView },
    { path: '/projects/:projectId(\\d+)/runs/:runId(\\d+)', name: ROUTES.run, component: ProjectView },
    { path: '/projects/:projectId(\\d+)/compare/:comparisonId(\\d+)', name: ROUTES.comparison, component: ProjectView },
    { path: '/projects/:projectId(\\d+)/compare', name: ROUTES.compare, component: ProjectView },
    // Sweeps (another view of a project) go here: `/projects/:projectId/sweeps/:sweepId`, with a tab in ProjectView.
    // An unknown address (an old bookmark): the project list.
    { path: '/:unknown(.*)*', redirect: { name: ROUTES.projects } },
  ];
}

/**
 * The studio's router: hash history in the page. The views are passed in (main.ts imports them statically: one
 * bundle, so main.ts's first import — zod's jitless switch — runs before any shared module validates anything).
 */
export function createStudioRouter(views: RouteViews, history: RouterHistory = createWebHashHistory()): Router {
  return createRouter({ history, routes: buildRoutes(views) });
}

/**
 * For tests and tools that have no window: memory history, and the views left out (a test mounts the view it
 * checks), so a navigation settles within the test's microtasks.
 */
export function createTestRouter(): Router {
  const blank = { render: () => null };
  return createRouter({ history: createMemoryHistory(), routes: buildRoutes({ ProjectList: blank, LessonList: blank, ProjectView: blank }) });
}

/** A route param as a positive integer, or null. */
export function idParam(route: RouteLocationNormalizedLoaded, name: string): number | null {
  const raw = route.params[name];
  const text = Array.isArray(raw) ? raw[0] : raw;
  const n = Number(text);
  return text !== undefined && Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** `?runs=1,2,3` → [1, 2, 3] (positive integers, each once, in order). */
export function runsQuery(route: RouteLocationNormalizedLoaded): number[] {
  const raw = route.query.runs;
  const text = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  const out: number[] = [];
  for (const part of String(text).split(',')) {
    const n = Number(part);
    if (Number.isSafeInteger(n) && n > 0 && !out.includes(n)) out.push(n);
  }
  return out;
}

/** The tab a route shows (null outside a project). */
export function tabOf(route: RouteLocationNormalizedLoaded): Tab | null {
  switch (route.name) {
    case ROUTES.tab:
      return (BASE_TABS as string[]).includes(String(route.params.tab)) ? (route.params.tab as Tab) : 'model';
    case ROUTES.run:
      return 'run';
    case ROUTES.comparison:
    case ROUTES.compare:
      return 'compare';
    default:
      return null;
  }
}

export type { RouteLocationRaw, Router };

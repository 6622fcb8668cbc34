// What the File menu does, over narrow interfaces (the services' handlers, Electron's dialogs, the file
// system), so tests drive it with real services and scripted dialog answers. Bundles cross the API as
// base64 (shared/api/contract.ts); here they are read from and written to the file the user picks.
import { basename } from 'node:path';
import { MAX_BUNDLE_BYTES, type ApiHandlers, type Project } from '../../shared/api/contract.js';
import type { MenuActions } from './menu.js';

export const BUNDLE_FILTERS = [{ name: 'Layerwise project', extensions: ['layerwise'] }];

/** Electron's dialog module, without the parent-window argument (main binds it). */
export interface DialogsLike {
  showOpenDialog(options: {
    title: string;
    filters: typeof BUNDLE_FILTERS;
    properties: ('openFile' | 'multiSelections')[];
  }): Promise<{ canceled: boolean; filePaths: string[] }>;
  showSaveDialog(options: { title: string; defaultPath: string; filters: typeof BUNDLE_FILTERS }): Promise<{ canceled: boolean; filePath?: string }>;
  showMessageBox(options: {
    type: 'none' | 'info' | 'error' | 'question' | 'warning';
    message: string;
    detail?: string;
    buttons?: string[];
    defaultId?: number;
    cancelId?: number;
  }): Promise<{ response: number }>;
}

export interface FilesLike {
  size(path: string): Promise<number>;
  read(path: string): Promise<Uint8Array>;
  write(path: string, bytes: Uint8Array): Promise<void>;
}

export interface AppActionsOptions {
  handlers: ApiHandlers;
  dialogs: DialogsLike;
  files: FilesLike;
  /** Opens the data folder in the system's file manager. */
  openFolder(): void;
  /** After something main did changed the project list, tell the page (see the report: no event exists yet). */
  projectsChanged?(projectId: number): void;
  log?(message: string): void;
}

/** "Untitled project", or "Untitled project N" with the first N not taken. */
export function untitledName(existing: readonly string[]): string {
  const taken = new Set(existing);
  if (!taken.has('Untitled project')) return 'Untitled project';
  for (let n = 2; ; n++) if (!taken.has(`Untitled project ${n}`)) return `Untitled project ${n}`;
}

/** At most this many projects are offered as buttons when exporting. */
export const MAX_EXPORT_CHOICES = 8;

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

export interface AppActions extends MenuActions {
  /** Each action as a promise, for tests (the menu ignores the result). */
  run: {
    newProject(): Promise<Project | null>;
    importProject(): Promise<number[]>;
    exportProject(): Promise<string | null>;
  };
}

export function createAppActions(options: AppActionsOptions): AppActions {
  const { handlers, dialogs, files } = options;
  const log = options.log ?? (() => {});

  const fail = async (what: string, error: unknown) => {
    log(`${what}: ${errorText(error)}`);
    await dialogs.showMessageBox({ type: 'error', message: what, detail: errorText(error) });
  };

  const run = {
    async newProject(): Promise<Project | null> {
      try {
        const existing = await handlers['projects.list']({});
        const project = await handlers['projects.create']({ name: untitledName(existing.map((p) => p.name)) });
        options.projectsChanged?.(project.id);
        return project;
      } catch (error) {
        await fail('Could not create a project', error);
        return null;
      }
    },

    async importProject(): Promise<number[]> {
      const picked = await dialogs.showOpenDialog({ title: 'Import Project', filters: BUNDLE_FILTERS, properties: ['openFile', 'multiSelections'] });
      if (picked.canceled) return [];
      const imported: number[] = [];
      for (const path of picked.filePaths) {
        try {
          const size = await files.size(path);
          if (size > MAX_BUNDLE_BYTES) throw new Error(`${basename(path)} is ${size} bytes; a project file may be at most ${MAX_BUNDLE_BYTES}`);
          const bytes = await files.read(path);
          const result = await handlers['bundles.import']({ data: Buffer.from(bytes).toString('base64') });
          imported.push(result.projectId);
          options.projectsChanged?.(result.projectId);
          await dialogs.showMessageBox({
            type: 'info',
            message: `Imported “${result.projectName}”`,
            detail: `${result.modelVersions} model versions, ${result.runs} runs, ${result.checkpoints} checkpoints, ${result.metricPoints} metric points.`,
          });
        } catch (error) {
          await fail(`Could not import ${basename(path)}`, error);
        }
      }
      return imported;
    },

    async exportProject(): Promise<string | null> {
      try {
        const projects = (await handlers['projects.list']({})).sort((a, b) => b.id - a.id);
        if (projects.length === 0) {
          await dialogs.showMessageBox({ type: 'info', message: 'There is no project to export yet.' });
          return null;
        }
        let project = projects[0]!;
        if (projects.length > 1) {
          const offered = projects.slice(0, MAX_EXPORT_CHOICES);
          const { response } = await dialogs.showMessageBox({
            type: 'question',
            message: 'Which project do you want to export?',
            buttons: [...offered.map((p) => p.name), 'Cancel'],
            defaultId: 0,
            cancelId: offered.length,
          });
          if (response < 0 || response >= offered.length) return null;
          project = offered[response]!;
        }
        const bundle = await handlers['bundles.export']({ projectId: project.id });
        const target = await dialogs.showSaveDialog({ title: 'Export Project', defaultPath: bundle.fileName, filters: BUNDLE_FILTERS });
        if (target.canceled || !target.filePath) return null;
        const path = target.filePath.endsWith('.layerwise') ? target.filePath : `${target.filePath}.layerwise`;
        await files.write(path, Buffer.from(bundle.data, 'base64'));
        return path;
      } catch (error) {
        await fail('Could not export the project', error);
        return null;
      }
    },
  };

  return {
    run,
    newProject: () => void run.newProject(),
    importProject: () => void run.importProject(),
    exportProject: () => void run.exportProject(),
    openDataFolder: () => options.openFolder(),
  };
}

/** The question asked before quitting while runs train, or null when nothing is training. */
export function quitQuestion(activeRuns: number): { message: string; detail: string; buttons: string[]; defaultId: number; cancelId: number } | null {
  if (activeRuns <= 0) return null;
  return {
    message: activeRuns === 1 ? 'A run is training.' : `${activeRuns} runs are training.`,
    detail: 'Quitting stops them after the current batch; each can be resumed later from its last checkpoint.',
    buttons: ['Quit', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
  };
}

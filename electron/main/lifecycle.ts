// Quitting gracefully: Electron's `before-quit` is held until the host has stopped every trainer (after its
// current batch; each run becomes `interrupted`, resumable from its last checkpoint) and closed the store.
// While runs train the user is asked first, unless the quit comes from a signal (Ctrl-C in a terminal).
import { quitQuestion } from './actions.js';

export interface QuitGuardOptions {
  activeRuns(): number;
  /** Asks the user; true: quit. */
  confirm(question: NonNullable<ReturnType<typeof quitQuestion>>): Promise<boolean>;
  /** Stops trainers and closes the store (AppHost.close). */
  shutdown(): Promise<void>;
  /** Quits for real (app.quit; by then the guard lets it through). */
  quit(): void;
  log?(message: string): void;
}

export interface QuitGuard {
  /** The `before-quit` listener. */
  beforeQuit(event: { preventDefault(): void }): void;
  /** Quit without asking (signals). */
  quitNow(): void;
  readonly state: 'running' | 'asking' | 'closing' | 'closed';
}

export function createQuitGuard(options: QuitGuardOptions): QuitGuard {
  let state: QuitGuard['state'] = 'running';

  const close = async () => {
    state = 'closing';
    try {
      await options.shutdown();
    } catch (error) {
      options.log?.(`shutting down: ${error instanceof Error ? error.message : String(error)}`);
    }
    state = 'closed';
    options.quit();
  };

  return {
    get state() {
      return state;
    },
    beforeQuit(event) {
      if (state === 'closed') return;
      event.preventDefault();
      if (state !== 'running') return;
      state = 'asking';
      void (async () => {
        const question = quitQuestion(options.activeRuns());
        const go = !question || (await options.confirm(question).catch(() => false));
        if (state !== 'asking') return; // quitNow() took over meanwhile
        if (!go) {
          state = 'running';
          return;
        }
        await close();
      })();
    },
    quitNow() {
      if (state === 'running' || state === 'asking') void close();
    },
  };
}

// What runs inside a trainer process: takes a validated start request, trains, and reports over a port.
// The same session serves Electron's utilityProcess and child_process.fork (the entry adapts the port).
import { parseParentMessage, PROGRESS_INTERVAL_MS, PROGRESS_PORT_MESSAGE, type BatchProgress, type PostablePort, type ParentToTrainer, type TrainerToParent, type TrainRequest } from '../../shared/index.js';
import { initBackend } from './backends/index.js';
import { Coalescer, mergeProgress } from './coalesce.js';
import { train, TrainError } from './train.js';

export interface TrainerPort {
  post(message: TrainerToParent): void;
  /** Sends the last message and resolves once it is handed to the OS. */
  postFinal(message: TrainerToParent): Promise<void>;
}

/** Where batch progress goes instead of the parent, when the host opened a direct line to the page. */
export interface ProgressSink {
  post(message: Extract<TrainerToParent, { type: 'progress' }>): void;
}

export class TrainerSession {
  private started = false;
  private progressSink: ProgressSink | undefined;
  private stopRequested = false;
  private pauseRequested = false;
  private releasePause: (() => void) | undefined;

  constructor(
    private readonly port: TrainerPort,
    private readonly onDone: (exitCode: number) => void,
  ) {}

  /**
   * Sends batch progress straight to `sink` (Electron: a MessagePort whose other end is in the page), so the
   * busiest stream skips main; durable records (epochs, checkpoints, the outcome) still go to the parent.
   */
  useProgressSink(sink: ProgressSink): void {
    this.progressSink = sink;
  }

  /** Everything the parent sends: a progress port (with the port in `ports`), or a protocol message. */
  receive(raw: unknown, ports?: readonly PostablePort[]): void {
    const port = ports?.[0];
    if (port && typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === PROGRESS_PORT_MESSAGE) {
      this.useProgressSink({ post: (m) => port.postMessage(m) });
      return;
    }
    this.handle(raw);
  }

  handle(raw: unknown): void {
    const parsed = parseParentMessage(raw);
    if (!parsed.ok) {
      this.fail('invalid_message', parsed.errors.map((e) => e.message).join('\n'), parsed.errors);
      return;
    }
    this.control(parsed.value);
  }

  private control(message: ParentToTrainer): void {
    switch (message.type) {
      case 'start':
        if (this.started) return this.port.post({ type: 'failed', error: { code: 'already_started', message: 'this trainer is already running a job' } });
        this.started = true;
        void this.run(message.request);
        return;
      case 'pause':
        this.pauseRequested = true;
        return;
      case 'resume':
        this.pauseRequested = false;
        this.releasePause?.();
        return;
      case 'stop':
        this.stopRequested = true;
        this.releasePause?.();
        return;
    }
  }

  private async waitIfPaused(): Promise<void> {
    if (!this.pauseRequested || this.stopRequested) return;
    this.port.post({ type: 'paused' });
    await new Promise<void>((resolve) => {
      this.releasePause = resolve;
    });
    this.releasePause = undefined;
    if (!this.stopRequested) this.port.post({ type: 'resumed' });
  }

  private async run(request: TrainRequest): Promise<void> {
    try {
      const backend = await initBackend(request.backend);
      this.port.post({ type: 'started', backend: backend.name, device: backend.device, fallbackReason: backend.fallbackReason });
      const progress = new Coalescer<BatchProgress>(
        (p) => (this.progressSink ?? this.port).post({ type: 'progress', progress: p }),
        PROGRESS_INTERVAL_MS,
        undefined,
        mergeProgress,
      );
      const summary = await train({
        spec: request.spec,
        dataset: request.dataset,
        config: request.config,
        backend,
        resumeFrom: request.resumeFrom,
        control: { shouldStop: () => this.stopRequested, waitIfPaused: () => this.waitIfPaused() },
        events: {
          onBatch: (p) => progress.push(p),
          onEpoch: (report) => {
            progress.flush();
            this.port.post({ type: 'epoch', report });
          },
          onInit: (layers) => this.port.post({ type: 'init', layers }),
          onCheckpoint: (checkpoint) => this.port.post({ type: 'checkpoint', checkpoint }),
        },
      });
      progress.flush();
      await this.port.postFinal({ type: 'finished', summary });
      this.onDone(0);
    } catch (error) {
      const code = error instanceof TrainError ? error.code : 'internal';
      await this.fail(code, error instanceof Error ? error.message : String(error));
    }
  }

  private async fail(code: string, message: string, details?: unknown): Promise<void> {
    await this.port.postFinal({ type: 'failed', error: { code, message, ...(details ? { details } : {}) } });
    this.onDone(1);
  }
}

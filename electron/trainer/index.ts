// The trainer entry: runs as Electron's utilityProcess in the app and under child_process.fork in the CLI
// and the browser host. It only adapts the process port; the session (core/engine) does the work.
import type { PostablePort, TrainerToParent } from '../../shared/index.js';
import { TrainerSession, type TrainerPort } from '../../core/engine/trainer-session.js';

interface UtilityParentPort {
  on(event: 'message', listener: (event: { data: unknown; ports?: PostablePort[] }) => void): void;
  postMessage(message: unknown): void;
}

type Handler = (message: unknown, ports?: readonly PostablePort[]) => void;

function connect(): { port: TrainerPort; listen(handler: Handler): void } {
  // A terminal's Ctrl-C reaches every process of the foreground group, this trainer included (forked by the CLI or
  // started by Electron's main): the parent stops it after its current batch (the run stays resumable), so the
  // signal must not kill it first. A second Ctrl-C makes the parent kill it.
  process.on('SIGINT', () => {});
  const utility = (process as unknown as { parentPort?: UtilityParentPort }).parentPort;
  if (utility) {
    return {
      port: {
        post: (m) => utility.postMessage(m),
        postFinal: async (m) => utility.postMessage(m),
      },
      listen: (handler) => utility.on('message', (event) => handler(event.data, event.ports)),
    };
  }
  if (process.send) {
    const send = process.send.bind(process);
    return {
      port: {
        post: (m: TrainerToParent) => void send(m),
        postFinal: (m: TrainerToParent) => new Promise<void>((resolve) => void send(m, undefined, {}, () => resolve())),
      },
      listen: (handler) => {
        process.on('message', (message) => handler(message));
        // A parent that dies (or closes the channel) must not leave an orphan trainer burning the CPU.
        process.on('disconnect', () => process.exit(process.exitCode ?? 1));
      },
    };
  }
  throw new Error('the trainer must be started by Layerwise (utilityProcess or child_process.fork with an IPC channel)');
}

const { port, listen } = connect();
const session = new TrainerSession(port, (code) => {
  process.exitCode = code;
  // Let the parent's channel close naturally; exit soon after in case something keeps the loop alive.
  process.disconnect?.();
  setTimeout(() => process.exit(code), 200).unref();
});
listen((message, ports) => session.receive(message, ports));

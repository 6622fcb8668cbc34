// The trainer entry: runs as Electron's utilityProcess in the app and under child_process.fork in the CLI
// and the browser host. The training protocol arrives with the engine issue; until then it only answers
// a ping so the process wiring can be tested.
interface ParentPort {
  on(event: 'message', listener: (message: unknown) => void): void;
  postMessage(message: unknown): void;
}

function parentPort(): ParentPort | undefined {
  // utilityProcess gives process.parentPort; child_process.fork gives process.send.
  const utility = (process as unknown as { parentPort?: { on(e: 'message', l: (e: { data: unknown }) => void): void; postMessage(m: unknown): void } }).parentPort;
  if (utility) return { on: (_e, l) => utility.on('message', (e) => l(e.data)), postMessage: (m) => utility.postMessage(m) };
  if (process.send) return { on: (_e, l) => process.on('message', l), postMessage: (m) => process.send!(m) };
  return undefined;
}

const port = parentPort();
port?.on('message', (message) => {
  if (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'ping') {
    port.postMessage({ type: 'pong' });
  }
});

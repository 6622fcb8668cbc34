// Loaded with `node --import` before the built trainer entry: gives the process the `process.parentPort`
// an Electron utilityProcess has (messages arrive as `{data, ports}` events and are held until the first
// 'message' listener, as Electron starts the port then; `postMessage` answers), carried over Node's IPC
// channel, and hides Node's own `process.send`/`disconnect`, which a utility process does not have.
const send = process.send.bind(process);
const listeners = [];
const held = [];
process.on('message', (data) => {
  if (listeners.length === 0) held.push(data);
  for (const listener of listeners) listener({ data, ports: [] });
});
process.parentPort = {
  on(event, listener) {
    if (event !== 'message') return this;
    listeners.push(listener);
    if (listeners.length === 1) for (const data of held.splice(0)) listener({ data, ports: [] });
    return this;
  },
  postMessage(message) {
    send(message);
  },
};
process.send = undefined;
process.disconnect = undefined;

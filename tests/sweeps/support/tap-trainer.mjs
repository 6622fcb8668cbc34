// The built trainer with a tap: every epoch it reports is also appended to $LAYERWISE_TAP_FILE as `<pid> <epoch>`
// (before the host gets it), so a test can kill the host while a trainer is inside a trial. The host locks its
// database, so this is how a test sees where a sweep is without reading it.
import { appendFileSync } from 'node:fs';

const send = process.send.bind(process);
process.send = (message, ...rest) => {
  if (message?.type === 'epoch') appendFileSync(process.env.LAYERWISE_TAP_FILE, `${process.pid} ${message.report.epoch}\n`);
  return send(message, ...rest);
};
await import(process.env.LAYERWISE_TAP_ENTRY);

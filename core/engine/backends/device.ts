import { cpus } from 'node:os';

/** The CPU's model name, tidied ("Intel(R) Xeon(R) CPU @ 2.20GHz" → "Intel Xeon CPU @ 2.20GHz"). */
export function cpuModel(): string {
  const model = cpus()[0]?.model?.replace(/\((R|TM)\)/gi, '').replace(/\s+/g, ' ').trim();
  return model || 'CPU';
}

/** The first line of an error's message, for reasons shown to the user. */
export function firstLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n')[0]!.trim();
}

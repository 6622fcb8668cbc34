// The CLI's bad command lines (tests/corpus/cli-args.json), run in-process through its main as the built
// `layerwise` runs them: the exit code and the whole of stderr, exactly; nothing stored. And whatever the
// CLI prints that came from the store or a file is escaped: names holding ANSI escapes, BEL, NUL or RLO
// (stored by an older version, or written straight into the database) cannot drive the terminal.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../core/cli/io.js';
import { runCli } from '../../core/cli/main.js';
import { DB_FILE, Store } from '../../core/store/index.js';
import { repoRoot } from '../support/build.js';
import { bytes, seedProject, tempDir } from '../store/support/helpers.js';

interface Row {
  name: string;
  args: string[];
  exit: number;
  stderr: string;
  linuxOnly?: boolean;
}

const corpus = JSON.parse(readFileSync(join(repoRoot, 'tests/corpus/cli-args.json'), 'utf8')) as { rows: Row[] };

async function cli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { out: (t) => void out.push(t), err: (t) => void err.push(t), isTTY: false };
  const code = await runCli(args, io);
  return { code, out, err };
}

/** Control, DEL, C1, line separators and bidi embeddings/overrides/isolates: none may reach the terminal raw. */
// eslint-disable-next-line no-control-regex
const RAW_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('bad command lines (tests/corpus/cli-args.json)', () => {
  for (const row of corpus.rows) {
    it.skipIf(row.linuxOnly && process.platform !== 'linux')(row.name, async () => {
      const dir = tempDir('cli-args');
      const places: Record<string, string> = {
        '{dir}': join(dir, 'folder'),
        '{fifo}': join(dir, 'pipe.json'),
        '{csv}': join(dir, 'data.csv'),
        '{data}': join(dir, 'data'),
      };
      mkdirSync(places['{dir}']!);
      if (row.args.includes('{fifo}')) execFileSync('mkfifo', [places['{fifo}']!]);
      writeFileSync(places['{csv}']!, `x,label\n${Array.from({ length: 20 }, (_, i) => `${i},${i % 2 ? 'a' : 'b'}`).join('\n')}\n`);
      const fill = (text: string) => text.replace(/\{(dir|fifo|csv|data)\}/g, (m) => places[m]!);
      // Store commands get their own data folder; nothing may be created in it.
      const args = row.args.map(fill);
      if (!args.includes('--data') && ['train', 'dataset', 'bundle'].includes(args[0]!)) args.push('--data', places['{data}']!);
      const { code, out, err } = await cli(args);
      expect({ code, stderr: err.join('\n') }).toEqual({ code: row.exit, stderr: fill(row.stderr) });
      expect(out).toEqual([]);
      expect(existsSync(join(places['{data}']!, DB_FILE))).toBe(false);
    });
  }
});

describe('what the CLI prints from the store is escaped', () => {
  const hostile = {
    project: '\u001b[2J\u001b[31mowned',
    run: 'report\u202etxt.exe',
    error: 'failed\u0007\u0000 here\r overwritten',
    version: 'net\u001b]0;title\u0007',
  };

  function seeded(): string {
    const dir = tempDir('cli-escape');
    const store = Store.open(dir);
    const { project, newRun } = seedProject(store);
    const run = newRun({ status: 'running' });
    store.saveCheckpoint(run.id, { epoch: 1, kind: 'last', weights: bytes(100, 1), optimizer: bytes(100, 2), manifest: {} });
    store.finishRun(run.id, { status: 'failed', finalMetrics: { loss: 1 }, error: hostile.error });
    // Written straight into the database, as an older version (or another tool) could have.
    store.sqlite.prepare('UPDATE projects SET name = ? WHERE id = ?').run(hostile.project, project.id);
    store.sqlite.prepare('UPDATE runs SET name = ?, preset_id = NULL WHERE id = ?').run(hostile.run, run.id);
    store.sqlite.prepare('UPDATE model_versions SET name = ?').run(hostile.version);
    store.close();
    return dir;
  }

  it('runs, runs --json, show, dataset list: no raw control or bidi character, and JSON keeps the values', async () => {
    const dir = seeded();
    const outputs: string[] = [];
    for (const args of [['runs'], ['show', '1'], ['dataset', 'list'], ['runs', '--json'], ['show', '1', '--json']]) {
      const { code, out, err } = await cli([...args, '--data', dir]);
      expect(code, `${args.join(' ')}: ${err.join('\n')}`).toBe(0);
      const text = [...out, ...err].join('\n');
      expect(text, args.join(' ')).not.toMatch(RAW_UNSAFE);
      outputs.push(text);
      if (args.includes('--json')) {
        // Escaped as JSON escapes them: still valid JSON, the same values.
        const parsed = JSON.parse(out.join('\n')) as unknown;
        expect(JSON.stringify(parsed)).toContain(JSON.stringify(hostile.error).slice(1, -1));
      }
    }
    const all = outputs.join('\n');
    expect(all).toContain('failed\\u0007\\u0000 here\\u000d overwritten');
    expect(all).toContain('report\\u202etxt.exe');
  });
});

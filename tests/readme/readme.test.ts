// README's commands, read from README.md itself and run as written: every fenced `sh` block, in order, through a
// real shell and `npx` with the project's own .npmrc (npm 11's strict-allow-scripts included), in a fresh home folder
// (so the data folder is fresh and `~/…` outputs land there). A README edit that breaks a command breaks this test.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, repoRoot } from '../support/build.js';
import { HANG_MS } from '../support/patience.js';

interface ReadmeCommand {
  line: string;
  /** How the test runs it; `skip` says why not. */
  mode: { kind: 'run' } | { kind: 'until-url' } | { kind: 'ctrl-c' } | { kind: 'skip'; why: string };
}

/** Commands a test run cannot or must not run, with the reason printed in the test's title. */
const SKIPPED: Array<[RegExp, string]> = [
  [/^npm ci\b/, 'reinstalls node_modules (minutes) and `npm start` launches Electron or a server that runs until stopped: tests/electron/start.test.ts covers the launch'],
  [/^npm test\b/, 'the test suite itself'],
];

export function readmeCommands(markdown: string): ReadmeCommand[] {
  const commands: ReadmeCommand[] = [];
  for (const block of markdown.matchAll(/^```sh\n([\s\S]*?)^```/gm)) {
    const joined = block[1]!.replace(/\\\n\s*/g, ' ');
    for (const raw of joined.split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const skip = SKIPPED.find(([pattern]) => pattern.test(line));
      if (skip) commands.push({ line, mode: { kind: 'skip', why: skip[1] } });
      else if (/\blayerwise serve\b/.test(line)) commands.push({ line, mode: { kind: 'until-url' } });
      else if (/#.*Ctrl-C/.test(line)) commands.push({ line, mode: { kind: 'ctrl-c' } });
      else commands.push({ line, mode: { kind: 'run' } });
    }
  }
  return commands;
}

const home = mkdtempSync(join(tmpdir(), 'lw-readme-home-'));

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs one README line in bash from the checkout (where `npx layerwise` resolves to this project), in its own process
 * group so that a "Ctrl-C" reaches every process of it, as a terminal's does. `until` ends it once stdout matches.
 */
function sh(line: string, options: { until?: RegExp; signal?: NodeJS.Signals } = {}): Promise<Result> {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, npm_config_update_notifier: 'false' };
  // The data folder comes from HOME alone, as for a new user.
  delete env.LAYERWISE_DATA;
  delete env.XDG_CONFIG_HOME;
  const child = spawn('bash', ['-c', line], { cwd: repoRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (options.until && !sent && options.until.test(stdout)) {
      sent = true;
      process.kill(-child.pid!, options.signal ?? 'SIGTERM');
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => {
      process.kill(-child.pid!, 'SIGKILL');
      reject(new Error(`\`${line}\` did not finish within ${HANG_MS / 1000} s\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, HANG_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const commands = readmeCommands(readFileSync(join(repoRoot, 'README.md'), 'utf8'));

beforeAll(() => ensureBuilt());

describe("README's commands, as written, in a fresh data folder", () => {
  it('README has the command list this test runs', () => {
    const runnable = commands.filter((c) => c.mode.kind !== 'skip');
    expect(runnable.length).toBeGreaterThanOrEqual(15);
    for (const needed of ['npx layerwise --help', 'npx layerwise check --preset mnist-cnn', 'npx layerwise train --preset spiral-mlp --epochs 1', 'npx layerwise serve', 'npx layerwise sweep examples/sweep-spiral.json --concurrency 2']) {
      expect(runnable.map((c) => c.line.replace(/\s+#.*$/, ''))).toContain(needed);
    }
  });

  // One test per command, in README's order: later commands use what earlier ones recorded (run and dataset ids).
  for (const { line, mode } of commands) {
    if (mode.kind === 'skip') {
      it.skip(`${line} — skipped: ${mode.why}`, () => {});
      continue;
    }
    it(line, async () => {
      if (mode.kind === 'until-url') {
        const r = await sh(line, { until: /serving at http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/ });
        expect(r.stdout).toMatch(/Layerwise is serving at http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/);
        expect(r.stderr).not.toMatch(/ESTRICTALLOWSCRIPTS|npm error|Error:/);
        return;
      }
      if (mode.kind === 'ctrl-c') {
        // The user presses Ctrl-C once, during the second epoch: the run stops after its current batch and is
        // recorded `stopped`, so the README's next line can resume it.
        const r = await sh(line, { until: /^epoch 1\//m, signal: 'SIGINT' });
        expect(r.stdout, r.stderr).toMatch(/^stopped: .* — run \d+$/m);
        return;
      }
      const r = await sh(line);
      expect(r.code, `exit code of \`${line}\`\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);
      expect(r.stdout.trim().length, 'it printed nothing').toBeGreaterThan(0);
      expect(r.stderr).not.toMatch(/ESTRICTALLOWSCRIPTS|npm error/);
      for (const out of line.match(/~\/[\w.-]+/g) ?? []) expect(existsSync(join(home, out.slice(2))), `${out} was written`).toBe(true);
    });
  }
});

// Prints a bench report's tables as Markdown, for docs/PERFORMANCE.md:
//   node --import ./tests/store/support/register.mjs bench/markdown.ts bench-results.json
import { readFileSync } from 'node:fs';
import { formatMarkdown, type BenchReport } from './report.js';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: bench/markdown.ts REPORT.json\n');
  process.exit(64);
}
process.stdout.write(`${formatMarkdown(JSON.parse(readFileSync(file, 'utf8')) as BenchReport)}\n`);

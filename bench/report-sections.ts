// The bench report's trick-cost table and real-size workload, as text (formatSections) and Markdown
// (markdownSections). Pure, like report.ts.
import type { BenchReport } from './report.js';

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const ratio = (x: number) => `${x.toFixed(2)}×`;
const cpuOf = (x: number | undefined) => (x ? fmt(x) : '—');

function table(head: string[], rows: Array<Array<string | number>>, markdown: boolean): string {
  if (markdown) {
    return [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i < 1 ? '---' : '---:')).join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
  }
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i < 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

function sections(r: BenchReport, markdown: boolean): string[] {
  const out: string[] = [];
  const refused = r.machine.ratiosRefused === true;
  if (r.tricks) {
    const t = r.tricks;
    const threads = [...new Set(t.rows.flatMap((x) => x.torch.map((q) => q.threads)))].sort();
    out.push('');
    out.push(
      `trick cost: the ${t.preset} preset on ${t.backend}, batch ${t.batchSize}, ${fmt(t.samples)} digits per epoch, ${t.evalRows} validation rows; ` +
        'epoch time with the trick ÷ without it (median of runs; ours and PyTorch alternating)',
    );
    out.push(
      table(
        [
          'trick', 'ours ms/epoch', 'ours ×', 'ours × (CPU time)',
          ...threads.flatMap((n) => (n === 1 ? ['PyTorch 1 thr. ms', 'PyTorch 1 thr. ×', 'PyTorch 1 thr. × (CPU time)'] : [`PyTorch ${n} thr. ms`, `PyTorch ${n} thr. ×`])),
          'ours runs (ms)',
        ],
        t.rows.map((x) => [
          x.label,
          fmt(x.oursMs),
          ratio(x.oursRatio),
          x.oursCpuRatio !== undefined ? ratio(x.oursCpuRatio) : '—',
          ...threads.flatMap((n) => {
            const q = x.torch.find((v) => v.threads === n);
            const cells = q ? [fmt(q.ms), refused ? 'refused' : ratio(q.ratio)] : ['—', '—'];
            if (n === 1) cells.push(q?.cpuRatio !== undefined && !refused ? ratio(q.cpuRatio) : refused ? 'refused' : '—');
            return cells;
          }),
          x.oursRuns.map(fmt).join(', '),
        ]),
        markdown,
      ),
    );
    out.push(t.note);
  }
  if (r.realSize) {
    const s = r.realSize;
    out.push('');
    out.push(`real-size workload: one epoch of ${fmt(s.samples)} images of ${s.data}, ${s.model}, batch ${s.batchSize}, ${s.backend} (${s.device})`);
    out.push(
      table(
        ['who', 'samples/s', 'CPU-time samples/s', 'ours ÷ theirs', 'same, CPU time', 'peak RSS MB', 'RSS ours ÷ theirs', 'runs (samples/s)'],
        [
          ['ours', fmt(s.ours.samplesPerSecond), cpuOf(s.ours.cpuSamplesPerSecond), '—', '—', fmt(s.ours.peakRssMb), '—', s.ours.runs.map(fmt).join(', ')],
          ...s.torch.map((q) => [
            `PyTorch, ${q.threads} thread${q.threads > 1 ? 's' : ''}`,
            fmt(q.samplesPerSecond),
            cpuOf(q.cpuSamplesPerSecond),
            refused ? 'refused' : ratio(s.ours.samplesPerSecond / q.samplesPerSecond),
            refused ? 'refused' : q.threads === 1 && q.cpuSamplesPerSecond && s.ours.cpuSamplesPerSecond ? ratio(s.ours.cpuSamplesPerSecond / q.cpuSamplesPerSecond) : '—',
            fmt(q.peakRssMb),
            ratio(s.ours.peakRssMb / q.peakRssMb),
            q.runs.map(fmt).join(', '),
          ]),
        ],
        markdown,
      ),
    );
    out.push(s.note);
  }
  return out;
}

export function formatSections(r: BenchReport): string[] {
  return sections(r, false);
}

export function markdownSections(r: BenchReport): string[] {
  return sections(r, true);
}

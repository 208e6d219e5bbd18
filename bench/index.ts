// npm run bench: every part of the performance issue, measured on this machine, written to
// docs/PERFORMANCE.md with the machine it ran on.
//   (a), (b) overhead.ts    instrumentation overhead per step, probed-call cost, read-back strategies
//   (c)      backends.ts    one CNN training step per backend, GFLOP/s against a matmul peak
//   (d)      memory.ts      runner and host memory, report size over 10,000 gradient calls
//   (e)      webview.ts     the panel's first paint and update frames with 500 layers, 10,000 calls
//   (f)      activation.ts  extension activation time, and no tfjs in the host at activation
//   (g)      hostile.ts     hostile saved models: refusal time and peak memory, locating 20,000 layer names
//
//   node --import tsx bench/index.ts [--quick] [--only overhead|backends|memory|webview|activation|hostile]
// Run it on a quiet machine: the ratios are medians of interleaved rounds, but two cores shared with other
// work still move them.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchSection } from './section.ts';

type Part = (opts: { quick: boolean }) => Promise<BenchSection>;

const PARTS: Record<string, () => Promise<Part>> = {
  overhead: async () => (await import('./overhead.ts')).run,
  backends: async () => (await import('./backends.ts')).run,
  memory: async () => (await import('./memory.ts')).run,
  webview: async () => (await import('./webview.ts')).run,
  activation: async () => (await import('./activation.ts')).run,
  hostile: async () => (await import('./hostile.ts')).run,
};

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
  const started = Date.now();
  const sections: BenchSection[] = [];
  for (const [name, load] of Object.entries(PARTS)) {
    if (only && name !== only) continue;
    const t = Date.now();
    console.error(`bench: ${name} …`);
    const section = await (await load())({ quick });
    console.error(`bench: ${name}: ${section.summary} (${((Date.now() - t) / 1000).toFixed(0)} s)`);
    sections.push(section);
  }
  const tfjs = createRequire(__filename)('@tensorflow/tfjs-core/package.json').version;
  const lines = [
    '# Performance',
    '',
    `Measured by \`npm run bench\` (bench/index.ts) on ${new Date().toISOString().slice(0, 10)}${quick ? ' (--quick)' : ''}: ` +
      `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
      `Node ${process.version}, tfjs ${tfjs}, in ${((Date.now() - started) / 60_000).toFixed(1)} min.`,
    '',
    ...sections.flatMap((s) => [`## ${s.title}`, '', s.markdown, '']),
  ];
  if (only) {
    console.log(lines.join('\n'));
    return;
  }
  writeFileSync(path.join(__dirname, '..', 'docs', 'PERFORMANCE.md'), lines.join('\n'));
  console.error('bench: wrote docs/PERFORMANCE.md');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

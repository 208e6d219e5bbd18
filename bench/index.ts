// npm run bench: every part of the performance issue, measured on this machine, written to
// docs/PERFORMANCE.md with the machine it ran on.
//   (a), (b) overhead.ts    instrumentation overhead per step, probed-call cost, read-back strategies
//   (c)      backends.ts    one CNN training step per backend, GFLOP/s against a matmul peak
//   (d)      memory.ts      runner and host memory, report size over 10,000 gradient calls
//   (e)      webview.ts     the panel's first paint and update frames with 500 layers, 10,000 calls
//   (f)      activation.ts  extension activation time, and no tfjs in the host at activation
//   (g)      layers.ts      one training step per tf.layers layer on wasm and on cpu; the cpu fallback kernels
//
//   node --import tsx bench/index.ts [--quick] [--only overhead|backends|memory|webview|activation|layers]
// With --only, the part's section replaces the section of the same title in docs/PERFORMANCE.md (or is added).
// Run it on a quiet machine: the ratios are medians of interleaved rounds, but two cores shared with other
// work still move them.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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
  layers: async () => (await import('./layers.ts')).run,
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
  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
    `Node ${process.version}, tfjs ${tfjs}`;
  const lines = [
    '# Performance',
    '',
    `Measured by \`npm run bench\` (bench/index.ts) on ${new Date().toISOString().slice(0, 10)}${quick ? ' (--quick)' : ''}: ` +
      `${machine}, in ${((Date.now() - started) / 60_000).toFixed(1)} min.`,
    '',
    ...sections.flatMap((s) => [`## ${s.title}`, '', s.markdown, '']),
  ];
  const file = path.join(__dirname, '..', 'docs', 'PERFORMANCE.md');
  if (only) {
    console.log(lines.join('\n'));
    if (existsSync(file)) {
      writeFileSync(file, replaceSections(readFileSync(file, 'utf8'), sections, `${machine}, ${new Date().toISOString().slice(0, 10)}`));
      console.error(`bench: updated the ${only} section of docs/PERFORMANCE.md`);
    }
    return;
  }
  writeFileSync(file, lines.join('\n'));
  console.error('bench: wrote docs/PERFORMANCE.md');
}

/** `doc` with each section's "## title" block replaced (or appended), noting when and where it was measured. */
function replaceSections(doc: string, sections: BenchSection[], measured: string): string {
  for (const s of sections) {
    const block = `## ${s.title}\n\n_Measured alone (\`--only\`) on ${measured}._\n\n${s.markdown}\n`;
    const start = doc.indexOf(`## ${s.title}\n`);
    if (start < 0) {
      doc = `${doc.trimEnd()}\n\n${block}`;
      continue;
    }
    const next = doc.indexOf('\n## ', start + 1);
    doc = doc.slice(0, start) + block + (next < 0 ? '' : doc.slice(next));
  }
  return doc;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

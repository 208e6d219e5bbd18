// npm run bench: every part of the performance issue, measured on this machine, written to
// docs/PERFORMANCE.md with the machine it ran on.
//   (a), (b) overhead.ts    instrumentation overhead per step, probed-call cost, read-back strategies
//   (c)      backends.ts    one CNN training step per backend, GFLOP/s against a matmul peak
//   (d)      memory.ts      runner and host memory, report size over 10,000 gradient calls
//   (e)      webview.ts     the panel's first paint and update frames with 500 layers, 10,000 calls
//   (f)      activation.ts  extension activation time, and no tfjs in the host at activation
//   (g)      hostile.ts     hostile saved models: refusal time and peak memory, locating 20,000 layer names
//   (h)      wholeProcess.ts  whole-process ratios on short real-style scripts (bench/scripts)
//   (i)      page.ts        training in a web page with and without the page agent, webgl and cpu
//   (j)      layers.ts      one training step per tf.layers layer on wasm and on cpu; the cpu fallback kernels
//   (k)      liveFeed.ts    the live view: events/s the panel keeps up with, bytes posted per second, Stop to shown
//
//   node --import tsx bench/index.ts [--quick] [--only overhead|backends|memory|webview|activation|hostile|whole|page|layers|live]
// With --only, that part's section of docs/PERFORMANCE.md is replaced and the others are kept.
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
  hostile: async () => (await import('./hostile.ts')).run,
  whole: async () => (await import('./wholeProcess.ts')).run,
  page: async () => (await import('./page.ts')).run,
  layers: async () => (await import('./layers.ts')).run,
  live: async () => (await import('./liveFeed.ts')).run,
};

const DOC = path.join(__dirname, '..', 'docs', 'PERFORMANCE.md');

/** The document's sections by title (`## title` up to the next one), in order. */
function sectionsOf(text: string): Map<string, string> {
  const sections = new Map<string, string>();
  for (const part of text.split(/^## /m).slice(1)) {
    const title = part.slice(0, part.indexOf('\n')).trim();
    sections.set(title, `## ${part.trimEnd()}\n`);
  }
  return sections;
}

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
  const date = new Date().toISOString().slice(0, 10);
  const rendered = sections.map((s) => `## ${s.title}\n\n${s.markdown}\n`);
  if (only) {
    // One part: its section replaced (or added), the others as they were, each with the date it was measured.
    const kept = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '# Performance\n\n';
    const head = kept.split(/^## /m)[0];
    const all = sectionsOf(kept);
    for (const s of sections) all.set(s.title, `## ${s.title}\n\n_Measured on ${date}${quick ? ' (--quick)' : ''}: ${machine}._\n\n${s.markdown}\n`);
    writeFileSync(DOC, head + [...all.values()].join('\n'));
    console.error(`bench: updated ${sections.map((s) => s.title).join(', ')} in docs/PERFORMANCE.md`);
    return;
  }
  const lines = [
    '# Performance',
    '',
    `Measured by \`npm run bench\` (bench/index.ts) on ${date}${quick ? ' (--quick)' : ''}: ${machine}, ` +
      `in ${((Date.now() - started) / 60_000).toFixed(1)} min. \`npm run bench -- --only PART\` measures one part again and`,
    'replaces its section, which then says when it was measured.',
    '',
    ...rendered,
  ];
  writeFileSync(DOC, lines.join('\n'));
  console.error('bench: wrote docs/PERFORMANCE.md');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

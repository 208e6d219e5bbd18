/** The median of `xs` (the mean of the two middle values when their number is even). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** What each part of npm run bench returns: a section of docs/PERFORMANCE.md and a line for the console. */
export interface BenchSection {
  title: string;
  markdown: string;
  summary: string;
}

/** `node --import tsx bench/<part>.ts [--quick]`: runs one part alone and prints its section. */
export function runAlone(part: (opts: { quick: boolean }) => Promise<BenchSection>): void {
  part({ quick: process.argv.includes('--quick') }).then((s) => {
    console.log(`## ${s.title}\n\n${s.markdown}\n`);
    console.error(s.summary);
  }, (e) => {
    console.error(e);
    process.exit(1);
  });
}

/** What each part of npm run bench returns: a section of docs/PERFORMANCE.md and a line for the console. */
export interface BenchSection {
  title: string;
  markdown: string;
  summary: string;
}

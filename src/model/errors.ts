// The one error a bad input raises, wherever it is found (a bad CLI option, a file that is not a script, a broken
// model.json or shard, a tfjs the debugger cannot use): one sentence for the user, naming the file and line where
// there is one. It ends a run with exit code 2 and an error of kind 'usage' in the report.
export class UsageError extends Error {
  constructor(message: string, readonly file: string | null = null, readonly line: number | null = null) {
    super(message);
  }
}

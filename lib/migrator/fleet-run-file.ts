/**
 * Writing and reading run files (the lines are lib/fleet/run-file.ts's):
 * each line is appended with one write(2) as its target finishes, so a run
 * killed at any moment leaves every finished target on disk.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors';
import { endLine, failedNames, headerLine, parseRunFile, targetLine, type RunHeader } from '../fleet/run-file';
import type { FleetCommandName, FleetReport, TargetResult } from '../fleet/types';

export const DEFAULT_RUN_DIR = path.join('.tidemark', 'runs');

export class RunFileWriter {
  private readonly fd: number;
  readonly file: string;

  /** Creates `<dir>/<runId>.json` and writes its header. @throws ConfigError when the folder cannot be written. */
  constructor(dir: string, header: Omit<RunHeader, 'kind'>) {
    this.file = path.join(dir, `${header.runId}.json`);
    try {
      mkdirSync(dir, { recursive: true });
      this.fd = openSync(this.file, 'a', 0o600);
    } catch (err) {
      throw new ConfigError(
        `Cannot write the run file in ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}. Choose another folder for run files.`,
      );
    }
    writeSync(this.fd, headerLine(header));
  }

  target(result: TargetResult): void {
    writeSync(this.fd, targetLine(result));
  }

  end(report: FleetReport): void {
    writeSync(this.fd, endLine(report));
    closeSync(this.fd);
  }

  /** Closes without an end line (the run threw). */
  abandon(): void {
    closeSync(this.fd);
  }
}

/**
 * `--only failed`: the names that failed in the newest run file of `dir` of
 * the same command (a `fleet status` in between does not hide the last
 * apply's failures), and of the same shard when sharded.
 * @throws ConfigError when there is no run file to read.
 */
export function failedInLastRun(
  dir: string,
  shard: { readonly index: number; readonly count: number } | undefined,
  command: FleetCommandName,
): { readonly file: string; readonly names: ReadonlySet<string> } {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    files = [];
  }
  for (const name of files.sort().reverse()) {
    const file = path.join(dir, name);
    let run: ReturnType<typeof parseRunFile>;
    try {
      run = parseRunFile(readFileSync(file, 'utf8'), file);
    } catch {
      continue; // not a run file, or one killed before its header: the next older one counts
    }
    const same =
      shard === undefined
        ? run.header.shard === undefined
        : run.header.shard?.index === shard.index && run.header.shard?.count === shard.count;
    if (same && run.header.command === command) return { file, names: failedNames(run) };
  }
  throw new ConfigError(
    `--only failed reads the last run file of fleet ${command}, and ${dir} holds none${shard === undefined ? '' : ` for shard ${shard.index} of ${shard.count}`}: run the fleet once without it first.`,
  );
}

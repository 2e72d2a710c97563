/**
 * The targets of a fleet run, from where `--targets`, `--targets-query` or
 * `--targets-cmd` says, checked by lib/fleet/targets.ts.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { whyUnreadable } from '../config';
import { queryTargetRows } from '../db/fleet-targets';
import { ConfigError } from '../errors';
import { redact } from '../fleet/hosts';
import { checkTargets, parseTargetLines, parseTargetsFile, targetsOfRows } from '../fleet/targets';
import type { FleetTarget, TargetSource } from '../fleet/types';
import { connectionOf, type RunContext } from './context';

/**
 * Reads the targets.
 * @throws ConfigError (exit 2) for a missing or bad file, a failing command,
 *   a bad row or entry; ConnectionError (5) for an unreachable control database.
 */
export async function loadTargets(ctx: RunContext, source: TargetSource): Promise<readonly FleetTarget[]> {
  switch (source.kind) {
    case 'file':
      return parseTargetsFile(readTargetsFile(source.path), source.path);
    case 'query':
      return targetsOfRows(await queryTargetRows(connectionOf(ctx.config), source.sql, ctx.logger), '--targets-query');
    case 'command':
      return parseTargetLines(await runTargetsCommand(source.command, ctx.signal), '--targets-cmd');
    case 'list':
      return checkTargets(source.targets, 'the targets given');
  }
}

/** Where the targets came from, for the run file (never a command's text, which may hold a secret). */
export const describeSource = (source: TargetSource): string =>
  source.kind === 'file' ? `file ${source.path}` : source.kind;

function readTargetsFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`The targets file ${file} (--targets) ${whyUnreadable(err)}.`, { file });
  }
}

/** The tail of what a failed command wrote to stderr, passwords masked. */
const tail = (text: string) => redact(text.trim().split('\n').slice(-5).join(' / '), []).slice(-500);

/**
 * Runs `command` with the shell and returns its standard output.
 * @throws ConfigError when it cannot start or exits non-zero (with the end of its stderr).
 */
export function runTargetsCommand(command: string, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'], signal });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new ConfigError(`--targets-cmd could not run: ${e.message}.`)));
    child.on('close', (code, sig) => {
      if (code === 0) return resolve(Buffer.concat(out).toString('utf8'));
      const stderr = tail(Buffer.concat(err).toString('utf8'));
      const how = sig === null ? `exited with ${code}` : `was stopped by ${sig}`;
      reject(
        new ConfigError(
          `--targets-cmd ${how}${stderr === '' ? '' : `: ${stderr}`}. Fix the command; no target was run.`,
        ),
      );
    });
  });
}

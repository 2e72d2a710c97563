/** Migration directories made inside a test: temp folders and real files. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A fresh empty temp directory. */
export function tempDir(prefix = 'tidemark-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Writes `{relative path: content}` into `dir` (string content as UTF-8, Buffers as-is). */
export function writeMigrations(dir: string, files: Record<string, string | Buffer>): string {
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(dir, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return dir;
}

/** A temp directory holding `files`. */
export function migrationsDir(files: Record<string, string | Buffer>): string {
  return writeMigrations(tempDir(), files);
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

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

/** Makes migration directories for the running test; all are removed after it. */
export interface MigrationsDirs {
  /** A fresh temp directory holding `files` (empty by default). */
  (files?: Record<string, string | Buffer>): string;
  /** Removes these directories (made some other way: a fixture copy, a temp dir) after the test too; returns the first. */
  track(dir: string, ...more: string[]): string;
}

/** Registers an afterEach that removes every directory made (or tracked) through the returned function. */
export function useMigrationsDir(): MigrationsDirs {
  const made: string[] = [];
  afterEach(() => made.splice(0).forEach(removeDir));
  const track = (dir: string, ...more: string[]) => {
    made.push(dir, ...more);
    return dir;
  };
  return Object.assign((files: Record<string, string | Buffer> = {}) => track(migrationsDir(files)), { track });
}

/** Per-scenario fixture folders (`__tests__/fixtures/<scenario>/`), copied so a test may edit them. */
import { cpSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './files';

export const FIXTURES = path.resolve(__dirname, '..', 'fixtures');

/** Absolute path of a fixture folder, to use as is (read-only). */
export function fixture(scenario: string): string {
  return path.join(FIXTURES, scenario);
}

/** A fresh temp copy of a fixture folder. */
export function copyFixture(scenario: string): string {
  const dir = tempDir(`tidemark-${scenario}-`);
  cpSync(fixture(scenario), dir, { recursive: true });
  return dir;
}

/** A migrator context for a throwaway database and a migrations directory. */
import { resolveConfig, type Config } from '../../lib/config';
import type { RunContext } from '../../lib/migrator';
import { captureLogger } from './logger';

export function contextFor(
  url: string,
  dir: string,
  overrides: Partial<Config> = {},
): RunContext & { lines: Record<string, unknown>[] } {
  const { config } = resolveConfig({}, {});
  const { logger, lines } = captureLogger();
  return { config: { ...config, url, dir, ...overrides }, logger, lines };
}

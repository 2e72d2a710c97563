/**
 * `embedded` and `embedded:PATH` as a connection string: the embedded
 * PostgreSQL (lib/embedded/), started by the command that connects and
 * stopped after it. Never a fallback for a configured real server.
 */
import { ConfigError } from '../../errors';

export interface EmbeddedSpec {
  /** The folder of a persistent server (`embedded:PATH`), relative to the working directory; none for a throwaway one. */
  readonly persistent?: string;
}

/** The embedded server `text` asks for, or undefined when it is a real connection string. */
export function embeddedSpec(text: string | undefined): EmbeddedSpec | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (trimmed === 'embedded') return {};
  if (!trimmed.startsWith('embedded:')) return undefined;
  const folder = trimmed.slice('embedded:'.length);
  if (folder === '')
    throw new ConfigError(
      'embedded: needs a folder after the colon (embedded:.tidemark/pg), or use --url embedded for a throwaway server.',
    );
  if (folder.startsWith('~'))
    throw new ConfigError(
      `${trimmed}: a ~ is not expanded here (it would be a folder named ~): write embedded:$HOME/${folder.slice(1).replace(/^\//, '')} in the shell, or a relative path such as embedded:.tidemark/pg.`,
    );
  return { persistent: folder };
}

/**
 * No database is configured at all: no URL (flag, TIDEMARK_URL, DATABASE_URL,
 * config file) and no PG* variable. Only then may `tidemark test` use an
 * embedded server unasked.
 */
export function noDatabaseConfigured(url: string | undefined, env: NodeJS.ProcessEnv): boolean {
  if (url !== undefined) return false;
  return !Object.keys(env).some((name) => /^PG[A-Z]+$/.test(name) && env[name] !== undefined && env[name] !== '');
}

/**
 * `--url embedded` / `embedded:PATH`: the command runs against an embedded
 * PostgreSQL started for it and stopped after it (on success, failure or a
 * signal). `tidemark test` also uses a throwaway one when no database is
 * configured at all, and says so on its first line. A configured real
 * server is never replaced by an embedded one.
 */
import { embeddedSpec, noDatabaseConfigured, type Config, type EmbeddedSpec } from '../config';
import type { CommandContext } from './commands';

/** Commands that never connect: `embedded` stays a setting for them. */
const OFFLINE = new Set(['config', 'create', 'import']);

/** The embedded server the command needs, with whether it was asked for (`--url`) or chosen (nothing configured). */
export function embeddedFor(
  command: string,
  config: Config,
  env: NodeJS.ProcessEnv,
  offline = false,
): { spec: EmbeddedSpec; chosen: boolean } | undefined {
  if (offline || OFFLINE.has(command)) return undefined;
  const spec = embeddedSpec(config.url);
  if (spec !== undefined) return { spec, chosen: false };
  return command === 'test' && noDatabaseConfigured(config.url, env) ? { spec: {}, chosen: true } : undefined;
}

export const CHOSEN_NOTE =
  'No database configured (no --url, TIDEMARK_URL, DATABASE_URL, PG* variable or config file url): testing on a throwaway';

/** Runs `body` with the context's url pointing at the embedded server, stopping the server after. */
export async function withEmbedded(
  command: string,
  args: Record<string, unknown>,
  ctx: CommandContext,
  env: NodeJS.ProcessEnv,
  body: (ctx: CommandContext) => Promise<number>,
): Promise<number> {
  const wanted = embeddedFor(command, ctx.config, env, args.offline === true);
  if (wanted === undefined) return body(ctx);
  const { startThrowaway, startPersistent } = await import('../embedded');
  const options = { pgVersion: ctx.config.pgVersion, env };
  const { persistent } = wanted.spec;
  const server = persistent === undefined ? await startThrowaway(options) : await startPersistent(persistent, options);
  try {
    const what = `embedded PostgreSQL ${server.binaries.version.split('-')[0]} (${server.binaries.packageName})`;
    const where = `127.0.0.1:${server.port}${server.runAs ? `, running as ${server.runAs.name}` : ''}${persistent === undefined ? ', throwaway' : `, data in ${persistent}${server.joined ? ', joined the running server' : ''}`}`;
    // The first line of stdout, unless stdout is one JSON document (then it goes to the log, on stderr).
    const documentOut = ctx.format === 'json' || args.json === true || args.format === 'json';
    if (wanted.chosen && !documentOut)
      ctx.out.result(`${CHOSEN_NOTE} ${what} on ${where}. Give --url to test on a real server.`);
    else if (wanted.chosen) ctx.logger.warn({ embedded: true, port: server.port }, `${CHOSEN_NOTE} ${what}`);
    else ctx.logger.info({ embedded: true, port: server.port }, `${what} on ${where}`);
    return await body({ ...ctx, config: { ...ctx.config, url: server.url } });
  } finally {
    await server.stop();
  }
}

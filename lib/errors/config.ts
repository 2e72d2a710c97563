/**
 * Bad flags or configuration values (exit 2).
 */
import { TidemarkError } from './base';

/** Where a configuration problem is, when it is in a config file. */
export interface ConfigErrorFacts {
  /** The config file, as it was named (`tidemark.config.json`, `--config` value). */
  readonly file?: string;
  /** The key path in the file: `environments.production.lockWait`. */
  readonly key?: string;
  /** 1-based position of a JSON syntax error. */
  readonly line?: number;
  readonly column?: number;
  /** The environment variable a `{"env": …}` value names. */
  readonly variable?: string;
}

/** Bad flags or configuration values. Exit 2. */
export class ConfigError extends TidemarkError<'config'> {
  constructor(
    message: string,
    readonly facts: ConfigErrorFacts = {},
  ) {
    super('config', message);
  }
}

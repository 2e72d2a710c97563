/**
 * Configuration's public surface: the settings table, their resolution
 * (flags > environment > config file > defaults, pure), the config file's
 * reader (the I/O), and where a connection string leads.
 */
export {
  CONFIG_FILE,
  DEFAULT_PG_VERSION,
  SETTINGS,
  type Config,
  type ConfigKey,
  type FlagHelp,
  type Setting,
} from './settings';
export { NO_LINT_SETTINGS, RULE_SETTINGS, type LintSettings, type RuleSetting } from './lint-section';
export { resolveConfig, type ConfigFlags, type ConfigSource, type ResolvedConfig, type SettingSource } from './resolve';
export type { ConfigFile } from './file-schema';
export { findConfigFile, loadConfigFile, whyUnreadable } from './file-reader';
export { embeddedSpec, noDatabaseConfigured, type EmbeddedSpec } from './connection/embedded';
export {
  describeOrigins,
  describeServer,
  resolveTarget,
  type ConnectionTarget,
  type HostEntry,
} from './connection/target';

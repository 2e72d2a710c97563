import { adoptCommand } from './adopt';
import { applyCommand } from './apply';
import { baselineCommand } from './baseline';
import { configCommand } from './config';
import { createCommand } from './create';
import { importCommand } from './import';
import { fleetCommand } from './fleet';
import { lintCommand } from './lint';
import { repairCommand } from './repair';
import { rollbackCommand } from './rollback';
import { statusCommand } from './status';
import { testCommand } from './test';
import { verifyCommand } from './verify';
import type { Command } from './types';

export type { Command, CommandContext } from './types';

/** Every command, by name. */
export const COMMANDS: Record<string, Command> = {
  status: statusCommand,
  apply: applyCommand,
  rollback: rollbackCommand,
  create: createCommand,
  verify: verifyCommand,
  lint: lintCommand,
  repair: repairCommand,
  baseline: baselineCommand,
  config: configCommand,
  test: testCommand,
  import: importCommand,
  adopt: adoptCommand,
  fleet: fleetCommand,
};

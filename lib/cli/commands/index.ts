import { applyCommand } from './apply';
import { createCommand } from './create';
import { rollbackCommand } from './rollback';
import { statusCommand } from './status';
import type { Command } from './types';

export type { Command, CommandContext } from './types';

/** Every command, by name. */
export const COMMANDS: Record<string, Command> = {
  status: statusCommand,
  apply: applyCommand,
  rollback: rollbackCommand,
  create: createCommand,
};

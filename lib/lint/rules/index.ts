/** Every lint rule, in the order the README lists them. One rule (or one small family) per file. */
import type { Rule } from '../types';
import { createIndexRule } from './create-index';
import { detachPartitionRule } from './detach-partition';
import { dropIndexRule } from './drop-index';
import { foreignKeyIndexRule } from './foreign-key-index';
import { needsNoTransactionRule } from './needs-no-transaction';
import { notValidRule } from './not-valid';
import { reindexRule } from './reindex';
import { clusterRule, vacuumFullRule } from './table-rewrite';
import { uniqueUsingIndexRule } from './unique-using-index';
import { validateConstraintRule } from './validate-constraint';
import { COLUMN_AND_DROP_RULES } from './columns-and-drops';

export const RULES: readonly Rule[] = [
  createIndexRule,
  dropIndexRule,
  reindexRule,
  needsNoTransactionRule,
  notValidRule,
  validateConstraintRule,
  uniqueUsingIndexRule,
  foreignKeyIndexRule,
  vacuumFullRule,
  clusterRule,
  detachPartitionRule,
  // NOT NULL, columns, renames/drops, lock_timeout, enums, hygiene
  ...COLUMN_AND_DROP_RULES,
];

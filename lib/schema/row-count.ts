/** The row count of one table, as the catalog reader measures it around a migration. */
import type { TableName } from './types';

export interface RowCount extends TableName {
  /** Exact (`count(*)`), so it reads every row: meant for test databases. */
  readonly rows: number;
}

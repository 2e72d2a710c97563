/**
 * `VACUUM FULL` and `CLUSTER` write a new copy of the table (and its
 * indexes) while ACCESS EXCLUSIVE blocks every read and write: minutes to
 * hours on a big table. Online alternatives live outside migrations.
 */
import { relationOf } from '../history';
import type { Hit, LintStatement, RelationName, Rule } from '../types';
import { OWN_MIGRATION, at, optionNamed, optionOn, qualified, quoteIdent, tokensOf } from './sql-text';

const ONLINE =
  '-- to give the space back (or re-order the rows) without blocking, run pg_repack (an extension and its client) outside migrations:\n';

function rewriteHit(
  statement: LintStatement,
  what: string,
  table: RelationName | undefined,
  location: number | undefined,
  rewrite: string,
): Hit {
  const relation = table ? qualified(table) : 'every table it processes';
  return {
    location: location ?? at(statement, tokensOf(statement)[0]),
    message: `${what} rewrites ${relation} while ACCESS EXCLUSIVE blocks its reads and writes`,
    lock: { mode: 'ACCESS EXCLUSIVE', relation },
    ...(table ? { table } : {}),
    rewrite,
  };
}

interface VacuumStmt {
  readonly options?: readonly unknown[];
  readonly rels?: readonly unknown[];
  readonly is_vacuumcmd?: boolean;
}

export const vacuumFullRule: Rule = {
  id: 'no-vacuum-full',
  family: 'table-rewrites',
  severity: 'error',
  summary: 'VACUUM FULL',
  why:
    'VACUUM FULL copies the whole table and rebuilds its indexes under ACCESS EXCLUSIVE: no reads, no writes until it ends, and it needs room for a second copy. ' +
    'Plain VACUUM makes dead space reusable under SHARE UPDATE EXCLUSIVE (reads and writes go on); to give the space back to the operating system online, use pg_repack outside migrations.',
  kinds: ['VacuumStmt'],
  check(statement) {
    const vacuum = (statement.node as { VacuumStmt: VacuumStmt }).VacuumStmt;
    const full = optionNamed(vacuum.options, 'full');
    if (!vacuum.is_vacuumcmd || !full || !optionOn(full)) return [];
    const relations = (vacuum.rels ?? []).map(
      (r) => (r as { VacuumRelation?: { relation?: { location?: number } } }).VacuumRelation?.relation,
    );
    const targets = relations.length > 0 ? relations : [undefined];
    return targets.map((relation) => {
      const table = relationOf(relation);
      const plain = `VACUUM (ANALYZE)${table ? ` ${qualified(table)}` : ''};`;
      const repack = `-- pg_repack --no-order${table ? ` --table=${qualified(table)}` : ''}\n`;
      return rewriteHit(
        statement,
        'VACUUM FULL',
        table,
        relation?.location,
        `${OWN_MIGRATION}${plain}\n${ONLINE}${repack}`,
      );
    });
  },
};

interface ClusterStmt {
  readonly relation?: { readonly location?: number };
  readonly indexname?: string;
}

export const clusterRule: Rule = {
  id: 'no-cluster',
  family: 'table-rewrites',
  severity: 'error',
  summary: 'CLUSTER',
  why:
    'CLUSTER copies the whole table in index order and rebuilds its indexes under ACCESS EXCLUSIVE: no reads, no writes until it ends. ' +
    'pg_repack re-orders a table online (--order-by, or its clustering index), outside migrations; PostgreSQL does not keep the order as rows change anyway.',
  kinds: ['ClusterStmt'],
  check(statement) {
    const cluster = (statement.node as { ClusterStmt: ClusterStmt }).ClusterStmt;
    const table = relationOf(cluster.relation);
    const using = cluster.indexname ? ` USING ${quoteIdent(cluster.indexname)}` : '';
    const repack = table ? `-- pg_repack --table=${qualified(table)}\n` : '-- pg_repack --all\n';
    const keep =
      table && cluster.indexname
        ? `-- to keep the clustering index for pg_repack:\nALTER TABLE ${qualified(table)} CLUSTER ON ${quoteIdent(cluster.indexname)};\n`
        : '';
    return [rewriteHit(statement, `CLUSTER${using}`, table, cluster.relation?.location, `${keep}${ONLINE}${repack}`)];
  },
};

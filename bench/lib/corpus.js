'use strict';
/**
 * Corpora: the same migrations written in each tool's file layout, and the
 * psql scripts that are the baselines. Migration i creates table bench_t<v>
 * with an index and three rows, and records i in bench_log (created by
 * migration 1), so a check can count what really ran.
 */
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const width = (n) => Math.max(4, String(n).length);
const pad = (i, n) => String(i).padStart(width(n), '0');

function upSql(i, v) {
  const t = `bench_t${v}`;
  return (
    (i === 1 ? 'CREATE TABLE bench_log (version integer PRIMARY KEY);\n\n' : '') +
    `CREATE TABLE ${t} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  name text NOT NULL,\n  created_at timestamptz NOT NULL DEFAULT now()\n);\n` +
    `CREATE INDEX ${t}_name_idx ON ${t} (name);\n` +
    `INSERT INTO ${t} (name) VALUES ('alpha'), ('beta'), ('gamma');\n` +
    `INSERT INTO bench_log (version) VALUES (${i});\n`
  );
}

function downSql(i, v) {
  return (
    `DROP TABLE bench_t${v};\n` +
    (i === 1 ? 'DROP TABLE bench_log;\n' : `DELETE FROM bench_log WHERE version = ${i};\n`)
  );
}

const sha256 = (text) => createHash('sha256').update(text).digest('hex');
const sqlString = (s) => `'${s.replace(/'/g, "''")}'`;

function mkdir(dir) {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** tidemark's layout only (the scale series). */
function writeTidemark(dir, n) {
  mkdir(dir);
  for (let i = 1; i <= n; i++) {
    const v = pad(i, n);
    fs.writeFileSync(path.join(dir, `${v}_create_t${v}.up.sql`), upSql(i, v));
    fs.writeFileSync(path.join(dir, `${v}_create_t${v}.down.sql`), downSql(i, v));
  }
  return dir;
}

const PSQL_LEDGER = `CREATE TABLE IF NOT EXISTS psql_migrations (
  version bigint PRIMARY KEY,
  name text NOT NULL,
  up_checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);\n`;

/**
 * psql scripts over tidemark's files (\i each one): one session, and
 *  - tracked: a transaction per file with a ledger-row insert (the W1 baseline);
 *  - plain: a transaction per file, no ledger;
 *  - single: everything in one transaction (with the ledger rows);
 *  - rollback: a transaction per down file, deleting its ledger row (the W4 baseline);
 *  - rollback-single: every down file in one transaction.
 */
function writePsqlScripts(dir, tidemarkDir, n) {
  mkdir(dir);
  const tracked = [PSQL_LEDGER];
  const plain = [];
  const single = ['BEGIN;\n', PSQL_LEDGER];
  const rollback = [];
  const rollbackSingle = ['BEGIN;\n'];
  for (let i = 1; i <= n; i++) {
    const v = pad(i, n);
    const name = `create_t${v}`;
    const up = path.join(tidemarkDir, `${v}_${name}.up.sql`);
    const insert = `INSERT INTO psql_migrations (version, name, up_checksum) VALUES (${i}, ${sqlString(name)}, '${sha256(upSql(i, v))}');\n`;
    tracked.push('BEGIN;\n', `\\i ${sqlString(up)}\n`, insert, 'COMMIT;\n');
    plain.push('BEGIN;\n', `\\i ${sqlString(up)}\n`, 'COMMIT;\n');
    single.push(`\\i ${sqlString(up)}\n`, insert);
  }
  for (let i = n; i >= 1; i--) {
    const v = pad(i, n);
    const down = path.join(tidemarkDir, `${v}_create_t${v}.down.sql`);
    rollback.push(
      'BEGIN;\n',
      `\\i ${sqlString(down)}\n`,
      `DELETE FROM psql_migrations WHERE version = ${i};\n`,
      'COMMIT;\n',
    );
    rollbackSingle.push(`\\i ${sqlString(down)}\n`, `DELETE FROM psql_migrations WHERE version = ${i};\n`);
  }
  single.push('COMMIT;\n');
  rollbackSingle.push('COMMIT;\n');
  const files = { tracked, plain, single, rollback, 'rollback-single': rollbackSingle };
  const paths = {};
  for (const [key, parts] of Object.entries(files)) {
    paths[key] = path.join(dir, `${key}.sql`);
    fs.writeFileSync(paths[key], parts.join(''));
  }
  return paths;
}

/** Each peer's layout for the same n migrations. `graphile` is the graphile-migrate module, or null. */
function writePeers(root, n, graphile) {
  const dirs = {
    dbmate: mkdir(path.join(root, 'dbmate')),
    'node-pg-migrate': mkdir(path.join(root, 'node-pg-migrate')),
    postgrator: mkdir(path.join(root, 'postgrator')),
    'postgres-migrations': mkdir(path.join(root, 'postgres-migrations')),
    graphile: mkdir(path.join(root, 'graphile', 'migrations', 'committed')),
  };
  let previousHash = null;
  for (let i = 1; i <= n; i++) {
    const v = pad(i, n);
    const up = upSql(i, v);
    const down = downSql(i, v);
    fs.writeFileSync(path.join(dirs.dbmate, `${v}_create_t${v}.sql`), `-- migrate:up\n${up}\n-- migrate:down\n${down}`);
    fs.writeFileSync(
      path.join(dirs['node-pg-migrate'], `${v}_create-t${v}.sql`),
      `-- Up Migration\n${up}\n-- Down Migration\n${down}`,
    );
    fs.writeFileSync(path.join(dirs.postgrator, `${v}.do.create_t${v}.sql`), up);
    fs.writeFileSync(path.join(dirs.postgrator, `${v}.undo.create_t${v}.sql`), down);
    fs.writeFileSync(path.join(dirs['postgres-migrations'], `${i}_create_t${v}.sql`), up);
    if (graphile) previousHash = writeGraphile(dirs.graphile, i, up, previousHash, graphile);
  }
  dirs.graphile = path.join(root, 'graphile');
  fs.writeFileSync(path.join(dirs.graphile, '.gmrc'), '{}\n');
  return dirs;
}

/** A committed graphile-migrate migration, hashed with graphile's own functions. */
function writeGraphile(dir, i, body, previousHash, graphile) {
  const hash = graphile.calculateHash(body, previousHash);
  const text = graphile.serializeMigration(body, { Previous: previousHash ?? '-', Hash: hash });
  fs.writeFileSync(path.join(dir, `${String(i).padStart(6, '0')}.sql`), text);
  return hash;
}

/**
 * W5's data migration: CREATE TABLE bench_big, then INSERTs of 1000 rows each
 * until the file reaches `bytes`. ASCII only. Returns the row count.
 */
/**
 * Labels for the `mentions` variant of W5: data rows whose strings hold the
 * words that can start a statement PostgreSQL refuses in a transaction
 * (`database`, `system`, `vacuum`, `concurrently`, …), as real data often does.
 */
const MENTIONS = [
  'database admin: vacuum the system tablespace concurrently',
  'cluster reindex of the prepared subscription, then discard',
  "system status: 'database' ok",
  'lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod',
];

/** W5's file: one CREATE TABLE and INSERTs of 1000 rows until `bytes`; `mentions` puts HINT words in the labels. */
function writeBig(file, bytes, mentions = false) {
  const fd = fs.openSync(file, 'w');
  let size = 0;
  let id = 0;
  const write = (s) => {
    fs.writeSync(fd, s);
    size += Buffer.byteLength(s);
  };
  write(
    'CREATE TABLE bench_big (\n  id bigint PRIMARY KEY,\n  label text NOT NULL,\n  amount numeric(12,2) NOT NULL\n);\n\n',
  );
  while (size < bytes) {
    const rows = [];
    for (let k = 0; k < 1000; k++) {
      id++;
      const label = mentions
        ? `row ${id}: ${MENTIONS[id % MENTIONS.length]}`
        : `row ${id}: lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod`;
      rows.push(`(${id}, ${sqlString(label)}, ${((id * 37) % 100000) / 100})`);
    }
    write(`INSERT INTO bench_big (id, label, amount) VALUES\n${rows.join(',\n')};\n\n`);
  }
  fs.closeSync(fd);
  return { rows: id, bytes: size };
}

/** W5's single migration in every layout; big files are hard-linked where the layout allows. */
function writeBigLayouts(root, bytes, graphile) {
  const body = path.join(mkdir(path.join(root, 'body')), 'big.sql');
  const { rows, bytes: size } = writeBig(body, bytes);
  const down = 'DROP TABLE bench_big;\n';
  const link = (to) => fs.linkSync(body, to);
  const wrap = (to, head, tail) => {
    fs.writeFileSync(to, head);
    fs.appendFileSync(to, fs.readFileSync(body));
    fs.appendFileSync(to, tail);
  };
  const dirs = {
    tidemark: mkdir(path.join(root, 'tidemark')),
    dbmate: mkdir(path.join(root, 'dbmate')),
    'node-pg-migrate': mkdir(path.join(root, 'node-pg-migrate')),
    postgrator: mkdir(path.join(root, 'postgrator')),
    'postgres-migrations': mkdir(path.join(root, 'postgres-migrations')),
    graphile: path.join(root, 'graphile'),
  };
  link(path.join(dirs.tidemark, '0001_load_big.up.sql'));
  fs.writeFileSync(path.join(dirs.tidemark, '0001_load_big.down.sql'), down);
  wrap(path.join(dirs.dbmate, '0001_load_big.sql'), '-- migrate:up\n', `\n-- migrate:down\n${down}`);
  wrap(path.join(dirs['node-pg-migrate'], '0001_load-big.sql'), '-- Up Migration\n', `\n-- Down Migration\n${down}`);
  link(path.join(dirs.postgrator, '0001.do.load_big.sql'));
  fs.writeFileSync(path.join(dirs.postgrator, '0001.undo.load_big.sql'), down);
  link(path.join(dirs['postgres-migrations'], '1_load_big.sql'));
  if (graphile) {
    const committed = mkdir(path.join(dirs.graphile, 'migrations', 'committed'));
    fs.writeFileSync(path.join(dirs.graphile, '.gmrc'), '{}\n');
    const text = fs.readFileSync(body, 'utf8');
    fs.writeFileSync(
      path.join(committed, '000001.sql'),
      graphile.serializeMigration(text, { Previous: '-', Hash: graphile.calculateHash(text, null) }),
    );
  }
  return { body, rows, bytes: size, dirs };
}

/**
 * W5's variant whose data rows mention vacuum, database, system, … in their
 * strings: tidemark's layout and the psql body only (the peers do not look
 * for such statements).
 */
function writeBigMentions(root, bytes) {
  const body = path.join(mkdir(path.join(root, 'body')), 'big.sql');
  const { rows, bytes: size } = writeBig(body, bytes, true);
  const tidemark = mkdir(path.join(root, 'tidemark'));
  fs.linkSync(body, path.join(tidemark, '0001_load_big.up.sql'));
  fs.writeFileSync(path.join(tidemark, '0001_load_big.down.sql'), 'DROP TABLE bench_big;\n');
  return { body, rows, bytes: size, dirs: { tidemark } };
}

module.exports = { writeTidemark, writePsqlScripts, writePeers, writeBigLayouts, writeBigMentions, pad };

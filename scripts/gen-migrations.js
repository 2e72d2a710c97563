#!/usr/bin/env node
// Writes N migration pairs into DIR for timing `tidemark test`:
//   node scripts/gen-migrations.js DIR N
// A repeating cycle of five realistic changes per table — create the table
// (identity key, foreign key to the previous table, defaults, a check),
// add a column with an index, attach a trigger function, add an enum-typed
// column with a view, seed rows — each with a down that undoes it exactly.
// DIR is created if missing; existing .sql files in it are left alone.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const [dir, countArg] = process.argv.slice(2);
const count = Number(countArg);
if (!dir || !Number.isInteger(count) || count < 1) {
  console.error('usage: node scripts/gen-migrations.js DIR N');
  process.exit(2);
}

/** [name, up, down] of migration i (0-based). */
function migration(i) {
  const g = Math.floor(i / 5);
  const t = `item_${g}`;
  const prev = g > 0 ? `item_${g - 1}` : null;
  switch (i % 5) {
    case 0:
      return [
        `create_${t}`,
        `CREATE TABLE ${t} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  name text NOT NULL CHECK (btrim(name) <> ''),\n` +
          (prev ? `  parent_id bigint REFERENCES ${prev} (id) ON DELETE CASCADE,\n` : '') +
          `  created_at timestamptz NOT NULL DEFAULT now(),\n  updated_at timestamptz NOT NULL DEFAULT now()\n);\n` +
          `COMMENT ON TABLE ${t} IS 'Generated table ${g}.';\n` +
          (prev ? `CREATE INDEX ${t}_parent_idx ON ${t} (parent_id);\n` : ''),
        `DROP TABLE ${t};\n`,
      ];
    case 1:
      return [
        `add_${t}_code`,
        `ALTER TABLE ${t} ADD COLUMN code text;\nCREATE UNIQUE INDEX ${t}_code_key ON ${t} (lower(code)) WHERE code IS NOT NULL;\n`,
        `DROP INDEX ${t}_code_key;\nALTER TABLE ${t} DROP COLUMN code;\n`,
      ];
    case 2:
      return [
        `touch_${t}`,
        `CREATE FUNCTION ${t}_touch() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND;\n$$;\n` +
          `CREATE TRIGGER ${t}_touch BEFORE UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION ${t}_touch();\n`,
        `DROP TRIGGER ${t}_touch ON ${t};\nDROP FUNCTION ${t}_touch();\n`,
      ];
    case 3:
      return [
        `${t}_state`,
        `CREATE TYPE ${t}_state AS ENUM ('new', 'active', 'retired');\n` +
          `ALTER TABLE ${t} ADD COLUMN state ${t}_state NOT NULL DEFAULT 'new';\n` +
          `CREATE VIEW ${t}_active AS SELECT id, name, code FROM ${t} WHERE state = 'active';\n`,
        `DROP VIEW ${t}_active;\nALTER TABLE ${t} DROP COLUMN state;\nDROP TYPE ${t}_state;\n`,
      ];
    default:
      return [
        `seed_${t}`,
        `INSERT INTO ${t} (name, code) SELECT 'seed ' || n, '${t}-' || n FROM generate_series(1, 20) AS n;\n`,
        `DELETE FROM ${t} WHERE code LIKE '${t}-%';\n`,
      ];
  }
}

fs.mkdirSync(dir, { recursive: true });
const width = Math.max(3, String(count).length);
for (let i = 0; i < count; i++) {
  const [name, up, down] = migration(i);
  const label = `${String(i + 1).padStart(width, '0')}_${name}`;
  fs.writeFileSync(path.join(dir, `${label}.up.sql`), up);
  fs.writeFileSync(path.join(dir, `${label}.down.sql`), down);
}
console.log(`wrote ${count} migrations to ${dir}`);

import { enumValueHazards } from '../../lib/plan/enum-values';
import type { Pair, Plan } from '../../lib/types';
import { pair } from '../helpers/pairs';

const up = (...pairs: Pair[]): Plan => ({ direction: 'up', steps: pairs.map((p) => ({ direction: 'up', pair: p })) });

const mood = pair(1, 'mood', { up: "CREATE TYPE mood AS ENUM ('sad');\nCREATE TABLE people (m mood);\n" });
const happy = pair(2, 'happy', {
  up: "-- a new mood\nALTER TYPE public.mood ADD VALUE IF NOT EXISTS 'happy' AFTER 'sad';\n",
});
const useIt = pair(3, 'use_it', { up: "UPDATE people SET m = 'sad';\nINSERT INTO people VALUES ('happy');\n" });

describe('enumValueHazards', () => {
  it('--single-transaction: a value added by one migration and used by a later one, both named with their lines', () => {
    const [h, ...rest] = enumValueHazards(up(mood, happy, useIt), true);
    expect(rest).toEqual([]);
    expect(h).toMatchObject({
      type: 'public.mood',
      label: 'happy',
      added: { path: '002_happy.up.sql', line: 2 },
      used: { path: '003_use_it.up.sql', line: 2 },
    });
    expect(h.message).toContain(
      "002_happy.up.sql:2 adds the value 'happy' to the enum public.mood, and 003_use_it.up.sql:2, later in the same --single-transaction batch, uses 'happy'",
    );
    expect(h.message).toContain('unsafe use of new value');
    expect(h.message).toContain('tidemark apply --single-transaction --target 2');
  });

  it('says whether the type was created in the same transaction (PostgreSQL 17 accepts the use then)', () => {
    expect(enumValueHazards(up(mood, happy, useIt), true)).toMatchObject([{ typeCreatedHere: true }]);
    expect(enumValueHazards(up(happy, useIt), true)).toMatchObject([{ typeCreatedHere: false }]);
    const quoted = pair(1, 'quoted', {
      up: `CREATE TYPE "Mood" AS ENUM ('sad');\nALTER TYPE public."Mood" ADD VALUE 'happy';\nSELECT 'happy'::"Mood";\n`,
    });
    expect(enumValueHazards(up(quoted), false)).toMatchObject([{ typeCreatedHere: true }]);
    const otherCase = pair(1, 'other_case', {
      up: `CREATE TYPE "Mood" AS ENUM ('sad');\nALTER TYPE mood ADD VALUE 'happy';\nSELECT 'happy'::mood;\n`,
    });
    expect(enumValueHazards(up(otherCase), false)).toMatchObject([{ typeCreatedHere: false }]);
    const afterwards = pair(1, 'afterwards', {
      up: "ALTER TYPE mood ADD VALUE 'happy';\nCREATE TYPE mood2 AS ENUM ('a');\nSELECT 'happy'::mood;\n",
    });
    expect(enumValueHazards(up(afterwards), false)).toMatchObject([{ typeCreatedHere: false }]);
  });

  it('each migration in its own transaction: no hazard across migrations', () => {
    expect(enumValueHazards(up(mood, happy, useIt), false)).toEqual([]);
  });

  it('a use later in the same script is a hazard in any mode', () => {
    const both = pair(2, 'both', {
      up: "ALTER TYPE mood ADD VALUE 'happy';\nSELECT 1;\nINSERT INTO people VALUES (E'happy');\n",
    });
    expect(enumValueHazards(up(mood, both), false)).toMatchObject([
      { label: 'happy', added: { line: 1 }, used: { path: '002_both.up.sql', line: 3 } },
    ]);
  });

  it('is not fooled by comments, other literals, or a later ADD VALUE that names the new one', () => {
    const quiet = pair(3, 'quiet', {
      up: "-- INSERT INTO people VALUES ('happy');\nSELECT 'happy-go-lucky';\nALTER TYPE mood ADD VALUE 'ecstatic' AFTER 'happy';\n",
    });
    expect(enumValueHazards(up(mood, happy, quiet), true)).toEqual([]);
  });

  it('leaves out no-transaction scripts: each of their statements commits', () => {
    const loose = pair(2, 'loose', {
      up: "-- tidemark:no-transaction\nALTER TYPE mood ADD VALUE 'happy';\nINSERT INTO people VALUES ('happy');\n",
    });
    expect(enumValueHazards(up(mood, loose), false)).toEqual([]);
  });

  it('reports each new value once, at its first use', () => {
    const twice = pair(4, 'twice', {
      up: "INSERT INTO people VALUES ('happy');\nINSERT INTO people VALUES ('happy');\n",
    });
    expect(enumValueHazards(up(mood, happy, useIt, twice), true)).toHaveLength(1);
  });
});

/** Snapshot → Diffable for schemas, extensions, types, routines and default privileges. Pure. */
import { type Diffable, dotted, either, grantPhrases, listOrNone, ownedFields } from './diffable';
import { perRow } from './objects-relations';
import type { Snapshot, TypeInfo } from './types';

const routines = new WeakMap<object, Diffable>();

export function schemaObjects(s: Snapshot): Diffable[] {
  return s.schemas.map((n) => ({
    objectType: 'schema',
    identity: n.name,
    label: `schema ${n.name}`,
    summary: n.name,
    key: `schema:${n.name}`,
    parentKey: null,
    properties: [],
    ...ownedFields(n, `schema ${n.name}`),
  }));
}

export function extensionObjects(s: Snapshot): Diffable[] {
  return s.extensions.map((e) => ({
    objectType: 'extension',
    identity: e.name,
    label: `extension ${e.name}`,
    summary: `${e.name} ${e.version} in schema ${e.schema}`,
    key: `extension:${e.name}`,
    parentKey: `schema:${e.schema}`,
    properties: [
      ['schema', e.schema],
      ['version', e.version],
    ],
    comment: e.comment,
  }));
}

/** Types, with an enum's labels and a domain's constraints as objects of their own. */
export function typeObjects(s: Snapshot): Diffable[] {
  return s.types.flatMap((t) => [typeObject(t), ...typeChildren(t)]);
}

function typeObject(t: TypeInfo): Diffable {
  const identity = dotted(t.schema, t.name);
  const word = t.kind === 'enum' ? 'enum' : t.kind === 'domain' ? 'domain' : t.kind === 'range' ? 'range type' : 'type';
  const label = `${word} ${identity}`;
  return {
    objectType: t.kind === 'domain' ? 'domain' : 'type',
    identity,
    label,
    key: `type:${identity}`,
    parentKey: `schema:${t.schema}`,
    ...ownedFields(t, label),
    ...typeShape(t),
  };
}

/** What a type's kind adds: its summary, its compared properties, and an enum's label order. */
function typeShape(t: TypeInfo): Pick<Diffable, 'summary' | 'properties' | 'ordered'> {
  switch (t.kind) {
    case 'enum':
      return {
        summary: `ENUM (${t.labels.join(', ')})`,
        properties: [['kind', t.kind]],
        ordered: { property: 'label order', items: t.labels },
      };
    case 'domain':
      return {
        summary: t.baseType,
        properties: [
          ['kind', t.kind],
          ['base type', t.baseType],
          ['nullability', either(t.notNull, 'NOT NULL', 'nullable')],
          ['default', t.default],
        ],
      };
    case 'composite': {
      const attributes = t.attributes.map((a) => `${a.name} ${a.type}`).join(', ');
      return {
        summary: `(${attributes})`,
        properties: [
          ['kind', t.kind],
          ['attributes', attributes],
        ],
      };
    }
    case 'range':
      return {
        summary: `RANGE (${t.subtype})`,
        properties: [
          ['kind', t.kind],
          ['subtype', t.subtype],
        ],
      };
  }
}

function typeChildren(t: TypeInfo): Diffable[] {
  const identity = dotted(t.schema, t.name);
  if (t.kind === 'enum') {
    return t.labels.map((l) => ({
      objectType: 'enum label',
      identity: dotted(identity, l),
      label: `enum ${identity}: label '${l}'`,
      summary: `'${l}'`,
      key: `enum label:${dotted(identity, l)}`,
      parentKey: `type:${identity}`,
      properties: [],
    }));
  }
  if (t.kind !== 'domain') return [];
  return t.constraints.map((c) => ({
    objectType: 'constraint',
    identity: dotted(identity, c.name),
    label: `constraint ${c.name} on domain ${identity}`,
    summary: c.definition,
    key: `constraint:${dotted(identity, c.name)}`,
    parentKey: `type:${identity}`,
    properties: [['definition', c.definition]],
    comment: c.comment,
  }));
}

export function routineObjects(s: Snapshot): Diffable[] {
  return perRow(s.routines, routines, (r) => {
    const identity = `${dotted(r.schema, r.name)}(${r.argumentTypes})`;
    const label = `${r.kind} ${identity}`;
    const returns = r.result === null ? '' : ` RETURNS ${r.result}`;
    return {
      objectType: r.kind,
      identity,
      label,
      summary: `${dotted(r.schema, r.name)}(${r.arguments})${returns} LANGUAGE ${r.language}`,
      key: `routine:${identity}`,
      parentKey: `schema:${r.schema}`,
      properties: [
        ['arguments', r.arguments],
        ['result', r.result],
        ['language', r.language],
        ['body', r.body],
        ['volatility', r.volatility],
        ['null input behaviour', either(r.strict, 'RETURNS NULL ON NULL INPUT', 'CALLED ON NULL INPUT')],
        ['security', either(r.securityDefiner, 'SECURITY DEFINER', 'SECURITY INVOKER')],
        ['leakproofness', either(r.leakproof, 'LEAKPROOF', 'NOT LEAKPROOF')],
        ['parallel safety', r.parallel],
        ['cost', r.cost],
        ['rows', r.rows],
        ['configuration', listOrNone(r.config)],
      ],
      ...ownedFields(r, label),
    };
  });
}

export function defaultPrivilegeObjects(s: Snapshot): Diffable[] {
  return s.defaultPrivileges.map((d) => {
    const where = d.schema === null ? '' : ` in schema ${d.schema}`;
    const identity = `${d.role}${where} on ${d.objectType}`;
    const target = `new ${d.objectType} of ${d.role}${where}`;
    return {
      objectType: 'default privileges',
      identity,
      label: `default privileges of ${identity}`,
      summary: listOrNone(grantPhrases(d.grants, target, d.role)) ?? 'no privileges',
      key: `default privileges:${identity}`,
      parentKey: d.schema === null ? null : `schema:${d.schema}`,
      properties: [],
      grants: grantPhrases(d.grants, target, d.role),
    };
  });
}

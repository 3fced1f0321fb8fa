// The JSON shapes of OCEL 2.0 and OCEL 1.0 (as parsed, untrusted) into the model's events and
// objects. A field of the wrong shape leaves the event with an empty id/type/time or is skipped,
// so convertEvent rejects the event alone (EL_OCEL_INVALID) instead of the reader failing.
import type { OcelAttributeValue, OcelEvent, OcelObject, OcelRelationship } from './model.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** OCEL 2.0 `objectTypes[]` / `eventTypes[]`: `{name, attributes: [{name, type}]}`. */
export function typeDeclaration(value: unknown): { name: string; attributes: Array<{ name: string; type: string }> } | undefined {
  if (!isObject(value) || typeof value.name !== 'string') return undefined;
  const attributes = list(value.attributes).flatMap((attribute) => (isObject(attribute) && typeof attribute.name === 'string' ? [{ name: attribute.name, type: text(attribute.type) || 'string' }] : []));
  return { name: value.name, attributes };
}

// Plain loops, and the parsed objects kept where they already have the model's shape: these run
// for every relationship and attribute of every event, and copying them was a tenth of a run.
function relationships(value: unknown): OcelRelationship[] {
  if (!Array.isArray(value)) return [];
  let kept: OcelRelationship[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const relationship: unknown = value[i];
    const fits = isObject(relationship) && typeof relationship.objectId === 'string' && relationship.objectId !== '' && (relationship.qualifier === undefined || typeof relationship.qualifier === 'string');
    if (fits && kept === undefined) continue;
    kept ??= value.slice(0, i) as OcelRelationship[];
    if (fits) kept.push(relationship as unknown as OcelRelationship);
    else if (isObject(relationship) && text(relationship.objectId) !== '') kept.push(typeof relationship.qualifier === 'string' ? { objectId: text(relationship.objectId), qualifier: relationship.qualifier } : { objectId: text(relationship.objectId) });
  }
  return kept ?? (value as OcelRelationship[]);
}

function attributes(value: unknown): OcelAttributeValue[] {
  if (!Array.isArray(value)) return [];
  let kept: OcelAttributeValue[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const attribute: unknown = value[i];
    const fits = isObject(attribute) && typeof attribute.name === 'string' && (attribute.time === undefined || typeof attribute.time === 'string');
    if (fits && kept === undefined) continue;
    kept ??= value.slice(0, i) as OcelAttributeValue[];
    if (fits) kept.push(attribute as unknown as OcelAttributeValue);
    else if (isObject(attribute) && typeof attribute.name === 'string') kept.push({ name: attribute.name, value: attribute.value });
  }
  return kept ?? (value as OcelAttributeValue[]);
}

/** OCEL 2.0 `objects[]`: `{id, type, attributes?: [{name, time, value}], relationships?: [{objectId, qualifier}]}`. */
export function object20(value: unknown): OcelObject | undefined {
  if (!isObject(value) || text(value.id) === '' || typeof value.type !== 'string') return undefined;
  return { id: text(value.id), type: value.type, attributes: attributes(value.attributes), relationships: relationships(value.relationships) };
}

/** OCEL 2.0 `events[]`: `{id, type, time, attributes?: [{name, value}], relationships?: [{objectId, qualifier}]}`. */
export function event20(value: unknown): OcelEvent {
  if (!isObject(value)) return { id: '', type: '', time: '', attributes: [], relationships: [] };
  return { id: text(value.id), type: text(value.type), time: text(value.time), attributes: attributes(value.attributes), relationships: relationships(value.relationships) };
}

/** OCEL 1.0 `ocel:objects` member: id → `{ocel:type, ocel:ovmap: {name: value}}` (values hold from the start). */
export function object10(id: string, value: unknown): OcelObject | undefined {
  if (!isObject(value) || typeof value['ocel:type'] !== 'string') return undefined;
  return { id, type: value['ocel:type'], attributes: valueMap(value['ocel:ovmap']), relationships: [] };
}

/** OCEL 1.0 `ocel:events` member: id → `{ocel:activity, ocel:timestamp, ocel:omap: [ids], ocel:vmap: {name: value}}`. */
export function event10(id: string, value: unknown): OcelEvent {
  if (!isObject(value)) return { id, type: '', time: '', attributes: [], relationships: [] };
  const omap = list(value['ocel:omap']).map(text).filter((objectId) => objectId !== '');
  return { id, type: text(value['ocel:activity']), time: text(value['ocel:timestamp']), attributes: valueMap(value['ocel:vmap']), relationships: omap.map((objectId) => ({ objectId })) };
}

function valueMap(value: unknown): OcelAttributeValue[] {
  return isObject(value) ? Object.entries(value).map(([name, member]) => ({ name, value: member })) : [];
}

// Writes an OCEL 2.0 log (as parsed from its JSON) in the other two syntaxes of the standard, so a
// test can check that one log in JSON, SQLite and XML gives the same canonical events and keys.
// Written from the specification, independently of the readers.
import { Database } from '../../../src/sqlite/database.js';

export interface Log20 {
  objectTypes: Array<{ name: string; attributes: Array<{ name: string; type: string }> }>;
  eventTypes: Array<{ name: string; attributes: Array<{ name: string; type: string }> }>;
  objects: Array<{ id: string; type: string; attributes?: Array<{ name: string; time: string; value: unknown }>; relationships?: Array<{ objectId: string; qualifier: string }> }>;
  events: Array<{ id: string; type: string; time: string; attributes?: Array<{ name: string; value: unknown }>; relationships?: Array<{ objectId: string; qualifier: string }> }>;
}

const SQL_TYPES: Record<string, string> = { string: 'TEXT', integer: 'INTEGER', float: 'REAL', boolean: 'BOOLEAN', time: 'TIMESTAMP' };
const mapName = (type: string) => type.replace(/[^A-Za-z0-9]/g, '');
const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
const EPOCH = '1970-01-01T00:00:00Z';

export function writeSqlite(log: Log20, path: string): void {
  const db = Database.open(path);
  db.exec(`CREATE TABLE event (ocel_id TEXT PRIMARY KEY, ocel_type TEXT);
    CREATE TABLE object (ocel_id TEXT PRIMARY KEY, ocel_type TEXT);
    CREATE TABLE event_map_type (ocel_type TEXT, ocel_type_map TEXT);
    CREATE TABLE object_map_type (ocel_type TEXT, ocel_type_map TEXT);
    CREATE TABLE event_object (ocel_event_id TEXT, ocel_object_id TEXT, ocel_qualifier TEXT);
    CREATE TABLE object_object (ocel_source_id TEXT, ocel_target_id TEXT, ocel_qualifier TEXT);`);
  const sqlValue = (value: unknown) => (typeof value === 'boolean' ? Number(value) : value === undefined ? null : value);
  for (const type of log.eventTypes) {
    db.prepare('INSERT INTO event_map_type VALUES (?, ?)').run(type.name, mapName(type.name));
    const columns = type.attributes.map((attribute) => `, ${q(attribute.name)} ${SQL_TYPES[attribute.type] ?? attribute.type}`).join('');
    db.exec(`CREATE TABLE ${q(`event_${mapName(type.name)}`)} (ocel_id TEXT, ocel_time TIMESTAMP${columns})`);
  }
  for (const type of log.objectTypes) {
    db.prepare('INSERT INTO object_map_type VALUES (?, ?)').run(type.name, mapName(type.name));
    const columns = type.attributes.map((attribute) => `, ${q(attribute.name)} ${SQL_TYPES[attribute.type] ?? attribute.type}`).join('');
    db.exec(`CREATE TABLE ${q(`object_${mapName(type.name)}`)} (ocel_id TEXT, ocel_time TIMESTAMP, ocel_changed_field TEXT${columns})`);
  }
  for (const event of log.events) {
    db.prepare('INSERT INTO event VALUES (?, ?)').run(event.id, event.type);
    const attributes = event.attributes ?? [];
    const names = attributes.map((attribute) => `, ${q(attribute.name)}`).join('');
    const marks = attributes.map(() => ', ?').join('');
    db.prepare(`INSERT INTO ${q(`event_${mapName(event.type)}`)} (ocel_id, ocel_time${names}) VALUES (?, ?${marks})`).run(event.id, event.time, ...attributes.map((attribute) => sqlValue(attribute.value)));
    for (const relationship of event.relationships ?? []) db.prepare('INSERT INTO event_object VALUES (?, ?, ?)').run(event.id, relationship.objectId, relationship.qualifier);
  }
  for (const object of log.objects) {
    db.prepare('INSERT INTO object VALUES (?, ?)').run(object.id, object.type);
    const table = q(`object_${mapName(object.type)}`);
    // The initial values in one row with no changed field; every later value in a row of its own.
    const initial = (object.attributes ?? []).filter((attribute) => attribute.time === EPOCH);
    const names = initial.map((attribute) => `, ${q(attribute.name)}`).join('');
    db.prepare(`INSERT INTO ${table} (ocel_id, ocel_time, ocel_changed_field${names}) VALUES (?, ?, NULL${initial.map(() => ', ?').join('')})`).run(object.id, EPOCH, ...initial.map((attribute) => sqlValue(attribute.value)));
    for (const change of (object.attributes ?? []).filter((attribute) => attribute.time !== EPOCH)) {
      db.prepare(`INSERT INTO ${table} (ocel_id, ocel_time, ocel_changed_field, ${q(change.name)}) VALUES (?, ?, ?, ?)`).run(object.id, change.time, change.name, sqlValue(change.value));
    }
    for (const relationship of object.relationships ?? []) db.prepare('INSERT INTO object_object VALUES (?, ?, ?)').run(object.id, relationship.objectId, relationship.qualifier);
  }
  db.close();
}

const escape = (text: unknown) => String(text).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** The XML syntax of the standard: <log> with object-types, event-types, objects and events. */
export function toXml(log: Log20): string {
  const types = (tag: string, list: Log20['objectTypes']) =>
    list.map((type) => `    <${tag} name="${escape(type.name)}">\n      <attributes>\n${type.attributes.map((attribute) => `        <attribute name="${escape(attribute.name)}" type="${attribute.type}"/>\n`).join('')}      </attributes>\n    </${tag}>\n`).join('');
  const relationships = (list: Array<{ objectId: string; qualifier: string }> = []) =>
    `      <objects>\n${list.map((relationship) => `        <relationship object-id="${escape(relationship.objectId)}" qualifier="${escape(relationship.qualifier)}"/>\n`).join('')}      </objects>\n`;
  const objects = log.objects
    .map(
      (object) =>
        `    <object id="${escape(object.id)}" type="${escape(object.type)}">\n      <attributes>\n${(object.attributes ?? []).map((attribute) => `        <attribute name="${escape(attribute.name)}" time="${attribute.time}">${escape(attribute.value)}</attribute>\n`).join('')}      </attributes>\n${relationships(object.relationships)}    </object>\n`,
    )
    .join('');
  const events = log.events
    .map(
      (event) =>
        `    <event id="${escape(event.id)}" type="${escape(event.type)}" time="${event.time}">\n      <attributes>\n${(event.attributes ?? []).map((attribute) => `        <attribute name="${escape(attribute.name)}">${escape(attribute.value)}</attribute>\n`).join('')}      </attributes>\n${relationships(event.relationships)}    </event>\n`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<log>\n  <object-types>\n${types('object-type', log.objectTypes)}  </object-types>\n  <event-types>\n${types('event-type', log.eventTypes)}  </event-types>\n  <objects>\n${objects}  </objects>\n  <events>\n${events}  </events>\n</log>\n`;
}

/** A small OCEL 2.0 log with every attribute type, a value that changes, and an object-to-object relationship. */
export const SAMPLE_LOG: Log20 = {
  objectTypes: [{ name: 'Sales Order', attributes: [{ name: 'status', type: 'string' }, { name: 'total', type: 'float' }, { name: 'lines', type: 'integer' }] }],
  eventTypes: [{ name: 'Pay', attributes: [{ name: 'amount', type: 'integer' }, { name: 'urgent', type: 'boolean' }, { name: 'due', type: 'time' }] }],
  objects: [
    {
      id: 'o1',
      type: 'Sales Order',
      attributes: [
        { name: 'status', time: '1970-01-01T00:00:00Z', value: 'new' },
        { name: 'total', time: '1970-01-01T00:00:00Z', value: 12.5 },
        { name: 'lines', time: '1970-01-01T00:00:00Z', value: 3 },
        { name: 'status', time: '2024-01-02T00:00:00Z', value: 'paid' },
      ],
      relationships: [{ objectId: 'o2', qualifier: 'follows' }],
    },
    { id: 'o2', type: 'Sales Order' },
  ],
  events: [
    { id: 'e1', type: 'Pay', time: '2024-01-01T10:00:00+01:00', attributes: [{ name: 'amount', value: 5 }, { name: 'urgent', value: true }, { name: 'due', value: '2024-02-01T00:00:00Z' }], relationships: [{ objectId: 'o1', qualifier: 'paid' }] },
    { id: 'e2', type: 'Pay', time: '2024-01-03T10:00:00Z', attributes: [{ name: 'amount', value: 7 }, { name: 'urgent', value: false }], relationships: [{ objectId: 'o1', qualifier: 'paid' }, { objectId: 'o2', qualifier: 'next' }] },
  ],
};

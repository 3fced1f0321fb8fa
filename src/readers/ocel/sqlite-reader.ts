// OCEL 2.0 SQLite: the standard's tables (event, object, event_object, object_object,
// event_map_type, object_map_type, and one event_<map> / object_<map> table per type). Objects,
// their value changes and relationships are indexed first; events are then read in the order of
// the event table, each with its time and attributes from its type's table and its relationships
// from event_object, by merging cursors that all walk that order: memory is the object index.
import { ConfigError } from '../../errors.js';
import type { ReaderInput, ReaderItem } from '../types.js';
import { convertEvent, ObjectIndex, OcelTypes, type OcelContext, type OcelEvent, type OcelRelationship } from './model.js';
import type { OcelOptions } from './options.js';
import { withRewindable } from './source.js';
import { openOcelDatabase, type OcelDatabase } from './sqlite-open.js';

type Row = Record<string, unknown>;

const REQUIRED_TABLES = ['event', 'object', 'event_object'];
const OWN_COLUMNS = new Set(['ocel_id', 'ocel_time', 'ocel_changed_field']);
const BATCH = 500;

export async function* readOcelSqlite(input: ReaderInput, options: OcelOptions): AsyncGenerator<ReaderItem[]> {
  yield* withRewindable(input, async function* (file) {
    let db: OcelDatabase;
    try {
      db = openOcelDatabase(file.path);
      checkTables(db, input.name);
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(`${input.name}: cannot open as SQLite (${(error as Error).message})`, 'EL_OCEL_SQLITE');
    }
    try {
      const context = indexObjects(db, options);
      yield* readEvents(db, context, input.name);
    } finally {
      db.close();
    }
  });
}

function checkTables(db: OcelDatabase, name: string): void {
  const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Row[]).map((row) => String(row.name)));
  const missing = REQUIRED_TABLES.filter((table) => !tables.has(table));
  if (missing.length > 0) throw new ConfigError(`${name}: is a SQLite file but not an OCEL 2.0 log (it has no ${missing.join(', ')} table)`, 'EL_OCEL_SQLITE');
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** type name → its table's suffix, from event_map_type / object_map_type (absent: the type name itself). */
function typeMap(db: OcelDatabase, table: string, kind: 'event' | 'object'): Map<string, string> {
  const map = new Map<string, string>();
  if (!hasTable(db, table)) {
    for (const row of db.prepare(`SELECT DISTINCT ocel_type FROM ${kind}`).all() as Row[]) map.set(String(row.ocel_type), String(row.ocel_type));
    return map;
  }
  for (const row of db.prepare(`SELECT ocel_type, ocel_type_map FROM ${table}`).all() as Row[]) map.set(String(row.ocel_type), String(row.ocel_type_map));
  return map;
}

function hasTable(db: OcelDatabase, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
}

/** A type table's attribute columns and their OCEL types, from the columns' declared SQL types. */
function attributeColumns(db: OcelDatabase, table: string): Array<{ name: string; type: string | undefined }> {
  return (db.prepare(`PRAGMA table_info(${quote(table)})`).all() as Row[])
    .filter((column) => !OWN_COLUMNS.has(String(column.name)))
    .map((column) => ({ name: String(column.name), type: ocelTypeOf(String(column.type ?? '')) }));
}

/** SQL declared type → OCEL attribute type; an empty declaration says nothing (the value is kept as stored). */
function ocelTypeOf(sqlType: string): string | undefined {
  const type = sqlType.trim().toUpperCase();
  if (type === '') return undefined;
  if (/INT/.test(type)) return 'integer';
  if (/REAL|FLOA|DOUB|NUMERIC|DECIMAL/.test(type)) return 'float';
  if (/BOOL/.test(type)) return 'boolean';
  if (/TIME|DATE/.test(type)) return 'time';
  if (/CHAR|TEXT|CLOB|STRING/.test(type)) return 'string';
  return sqlType;
}

function indexObjects(db: OcelDatabase, options: OcelOptions): OcelContext {
  const index = new ObjectIndex();
  const types = new OcelTypes();
  for (const row of db.prepare('SELECT ocel_id, ocel_type FROM object').iterate() as Generator<Row>) {
    index.add({ id: String(row.ocel_id), type: String(row.ocel_type), attributes: [], relationships: [] });
  }
  for (const [type, map] of typeMap(db, 'object_map_type', 'object')) {
    const table = `object_${map}`;
    if (!hasTable(db, table)) continue;
    const columns = attributeColumns(db, table);
    types.declare('objects', type, columns.flatMap((column) => (column.type ? [{ name: column.name, type: column.type }] : [])));
    for (const row of db.prepare(`SELECT * FROM ${quote(table)}`).iterate() as Generator<Row>) addChange(index, row, columns);
  }
  if (hasTable(db, 'object_object')) {
    for (const row of db.prepare('SELECT ocel_source_id, ocel_target_id, ocel_qualifier FROM object_object').iterate() as Generator<Row>) {
      index.addRelationship(String(row.ocel_source_id), relationship(row.ocel_target_id, row.ocel_qualifier));
    }
  }
  return { index, types, identity: index.identityOf(options.logId) };
}

/** One row of an object type table: the initial values (no changed field) or one changed value. */
function addChange(index: ObjectIndex, row: Row, columns: Array<{ name: string }>): void {
  const id = String(row.ocel_id);
  const time = row.ocel_time === null || row.ocel_time === undefined ? undefined : String(row.ocel_time);
  const changed = row.ocel_changed_field;
  const names = changed === null || changed === undefined || changed === '' ? columns.map((column) => column.name) : [String(changed)];
  for (const name of names) {
    const value = row[name];
    if (value === null || value === undefined) continue;
    index.addValue(id, time === undefined ? { name, value } : { name, value, time });
  }
}

function relationship(objectId: unknown, qualifier: unknown): OcelRelationship {
  return qualifier === null || qualifier === undefined ? { objectId: String(objectId) } : { objectId: String(objectId), qualifier: String(qualifier) };
}

/** A cursor over rows ordered by the event table's rowid (el_row), read ahead by one. */
class Cursor {
  private readonly rows: Iterator<Row>;
  current: Row | undefined;

  constructor(rows: Iterator<Row>) {
    this.rows = rows;
    this.next();
  }

  next(): void {
    const step = this.rows.next();
    this.current = step.done ? undefined : step.value;
  }

  /** The rows of one event (the cursor's rows for event `row` come before any later event's). */
  take(row: number): Row[] {
    const found: Row[] = [];
    while (this.current !== undefined && Number(this.current.el_row) < row) this.next();
    while (this.current !== undefined && Number(this.current.el_row) === row) {
      found.push(this.current);
      this.next();
    }
    return found;
  }

  close(): void {
    this.rows.return?.();
  }
}

async function* readEvents(db: OcelDatabase, context: OcelContext, name: string): AsyncGenerator<ReaderItem[]> {
  const attributes = new Map<string, { cursor: Cursor; columns: Array<{ name: string; type: string | undefined }> }>();
  const cursors: Cursor[] = [];
  try {
    for (const [type, map] of typeMap(db, 'event_map_type', 'event')) {
      const table = `event_${map}`;
      if (!hasTable(db, table)) continue;
      const columns = attributeColumns(db, table);
      context.types.declare('events', type, columns.flatMap((column) => (column.type ? [{ name: column.name, type: column.type }] : [])));
      const sql = `SELECT e.rowid AS el_row, t.* FROM event e JOIN ${quote(table)} t ON t.ocel_id = e.ocel_id WHERE e.ocel_type = ? ORDER BY e.rowid`;
      const cursor = new Cursor(db.prepare(sql).iterate(type) as Generator<Row>);
      cursors.push(cursor);
      attributes.set(type, { cursor, columns });
    }
    const links = new Cursor(
      db.prepare('SELECT e.rowid AS el_row, eo.ocel_object_id, eo.ocel_qualifier FROM event e JOIN event_object eo ON eo.ocel_event_id = e.ocel_id ORDER BY e.rowid, eo.rowid').iterate() as Generator<Row>,
    );
    cursors.push(links);
    let batch: ReaderItem[] = [];
    for (const row of db.prepare('SELECT rowid AS el_row, ocel_id, ocel_type FROM event ORDER BY rowid').iterate() as Generator<Row>) {
      const at = Number(row.el_row);
      const type = String(row.ocel_type);
      const own = attributes.get(type);
      const values = own?.cursor.take(at)[0];
      const event: OcelEvent = {
        id: String(row.ocel_id),
        type,
        time: values?.ocel_time === null || values?.ocel_time === undefined ? '' : String(values.ocel_time),
        attributes: (own?.columns ?? []).flatMap((column) => (values && values[column.name] !== null && values[column.name] !== undefined ? [{ name: column.name, value: values[column.name] }] : [])),
        relationships: links.take(at).map((link) => relationship(link.ocel_object_id, link.ocel_qualifier)),
      };
      batch.push(convertEvent(event, context, { file: name, line: at }));
      if (batch.length >= BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    for (const cursor of cursors) cursor.close();
  }
}

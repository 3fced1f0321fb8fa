// The one place the OCEL reader opens a SQLite file: read-only, never created. Kept apart so that
// moving to another SQLite library (libsql has the same API) is a change of this file alone.
import Database from 'better-sqlite3';

export type OcelDatabase = Database.Database;

export function openOcelDatabase(path: string): OcelDatabase {
  return new Database(path, { readonly: true, fileMustExist: true });
}

// The one place the OCEL reader opens a SQLite file: read-only, never created, through the
// project's one SQLite module (src/sqlite), which other writers' files cannot be changed by.
import { openReadOnly, type Database } from '../../sqlite/database.js';

export type OcelDatabase = Database;

export function openOcelDatabase(path: string): OcelDatabase {
  return openReadOnly(path);
}

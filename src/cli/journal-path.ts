// The journal a command uses when --journal names none (EVENTLOAD_JOURNAL, else the current folder's).
export const DEFAULT_JOURNAL = process.env.EVENTLOAD_JOURNAL || '.eventload/journal.db';

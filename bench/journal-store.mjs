// `node bench/journal-store.mjs`: the journal store candidates of issue 18, side by side, on the
// journal's own traffic. Case 6 of bench/run.mjs measures the journal inside a whole import (HTTP,
// sandbox, pipeline), where the store is a small share of the time; this isolates the store: the
// same statements journal.ts runs for a 100k-event import in batches of 100 (src/journal/journal.ts
// is the reference; keep the two in step), on a fresh file each repetition:
// - "first run": per request, its keys written before it leaves and its answer after, group-committed
//   8 requests to a transaction (concurrency 8), merged into `events` every 20,000 answers;
// - "resume": the same 100k keys looked up one by one, as a second run over the same input does.
// Each candidate runs in its own process (node:sqlite needs Node >= 22.13), repetitions interleaved.
//
// Candidates: libsql (the store since issue 18), better-sqlite3 (the store before it: the baseline),
// node:sqlite, node-sqlite3-wasm. Those not installed are skipped and said so. Flags:
//   --node22 PATH, --node24 PATH   Node binaries (e.g. from `npm install node@22` in a scratch dir)
//   --better-sqlite3 DIR, --wasm DIR   packages installed in a scratch dir (not dependencies)
//   --reps N (default 5), --events N (default 100000)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const EVENTS = Number(flag('events', 100_000));
const REPS = Number(flag('reps', 5));
const BATCH = 100;
const CONCURRENCY = 8;
const MERGE_EVERY = 20_000;
const require = createRequire(import.meta.url);

const SCHEMA = `
CREATE TABLE runs (id INTEGER PRIMARY KEY, command TEXT NOT NULL, target TEXT NOT NULL, endpoint TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, outcome TEXT, summary TEXT);
CREATE TABLE scopes (id INTEGER PRIMARY KEY, target TEXT NOT NULL, endpoint TEXT NOT NULL, merged_through INTEGER NOT NULL DEFAULT 0, UNIQUE (target, endpoint));
CREATE TABLE requests (id INTEGER PRIMARY KEY, scope INTEGER NOT NULL, run_id INTEGER NOT NULL, keys TEXT NOT NULL, sent_at INTEGER NOT NULL);
CREATE TABLE answers (id INTEGER PRIMARY KEY, scope INTEGER NOT NULL, request_id INTEGER, run_id INTEGER NOT NULL, results TEXT NOT NULL, answered_at INTEGER NOT NULL);
CREATE TABLE events (scope INTEGER NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL, answer_id INTEGER, PRIMARY KEY (scope, key)) WITHOUT ROWID;
INSERT INTO runs (command, target, endpoint, started_at) VALUES ('import', 'flowmyna', 'http://127.0.0.1', '2026-01-01T00:00:00Z');
INSERT INTO scopes (target, endpoint) VALUES ('flowmyna', 'http://127.0.0.1');
`;
const MERGE = `INSERT INTO events (scope, key, state, answer_id)
  SELECT a.scope, e.value ->> 0, e.value ->> 1, a.id FROM answers a, json_each(a.results) e
  WHERE a.id > ? AND a.id <= ? AND a.scope = ? ORDER BY 2, a.id
  ON CONFLICT (scope, key) DO UPDATE SET state = excluded.state, answer_id = excluded.answer_id`;

/** Each candidate as the same four operations: exec, and prepared statements with run/get over an array of parameters. */
const DRIVERS = {
  libsql: () => {
    const Database = require('libsql');
    return (path, wal) => {
      const db = new Database(path, { timeout: 5000 });
      return { exec: (sql) => db.exec(sql), prepare: (sql) => { const s = db.prepare(sql); const raw = db.prepare(sql); try { raw.raw(true); } catch {} return { run: (p) => s.run(p), value: (p) => raw.get(p)?.[0] }; }, close: () => db.close(), wal };
    };
  },
  'better-sqlite3': () => {
    const Database = require(flag('better-sqlite3', 'better-sqlite3'));
    return (path, wal) => {
      const db = new Database(path, { timeout: 5000 });
      return { exec: (sql) => db.exec(sql), prepare: (sql) => { const s = db.prepare(sql); const raw = db.prepare(sql); try { raw.raw(true); } catch {} return { run: (p) => s.run(...p), value: (p) => raw.get(...p)?.[0] }; }, close: () => db.close(), wal };
    };
  },
  'node:sqlite': () => {
    const { DatabaseSync } = require('node:sqlite');
    return (path, wal) => {
      const db = new DatabaseSync(path, { timeout: 5000 });
      return { exec: (sql) => db.exec(sql), prepare: (sql) => { const s = db.prepare(sql); return { run: (p) => s.run(...p), value: (p) => { const row = s.get(...p); return row && Object.values(row)[0]; } }; }, close: () => db.close(), wal };
    };
  },
  'node-sqlite3-wasm': () => {
    const { Database } = require(flag('wasm', 'node-sqlite3-wasm'));
    // Its VFS has no shared memory: WAL cannot be shared between processes (`status` reads while a
    // run writes), so it runs in rollback-journal mode; and it locks with a `<file>.lock` directory.
    return (path) => {
      const db = new Database(path);
      return { exec: (sql) => db.exec(sql), prepare: (sql) => { const s = db.prepare(sql); return { run: (p) => s.run(p), value: (p) => { const row = s.get(p); return row ? Object.values(row)[0] : undefined; } }; }, close: () => db.close(), wal: false };
    };
  },
};

const key = (i) => `el1_${createHash('sha256').update(String(i)).digest('base64url').slice(0, 32)}`;

/** One repetition in this process: the first run, then the resume; milliseconds each. */
function work(name) {
  const open = DRIVERS[name]();
  const dir = mkdtempSync(join(os.tmpdir(), 'eventload-store-'));
  try {
    const db = open(join(dir, 'journal.db'), true);
    db.exec(db.wal ? 'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 10000;' : 'PRAGMA synchronous = NORMAL;');
    db.exec('PRAGMA cache_size = -65536;');
    db.exec(SCHEMA);
    const keys = Array.from({ length: EVENTS }, (_, i) => key(i));
    const sent = db.prepare('INSERT INTO requests (scope, run_id, keys, sent_at) VALUES (?, ?, ?, ?)');
    const answer = db.prepare('INSERT INTO answers (scope, request_id, run_id, results, answered_at) VALUES (?, ?, ?, ?, ?)');
    const last = db.prepare('SELECT MAX(id) FROM answers WHERE id > ? AND scope = ?');
    const merge = db.prepare(MERGE);
    const done = db.prepare('DELETE FROM requests WHERE id IN (SELECT request_id FROM answers WHERE id > ? AND id <= ? AND scope = ?)');
    const watermark = db.prepare('UPDATE scopes SET merged_through = ? WHERE id = ?');
    let through = 0;
    let unmerged = 0;
    const mergeNow = () => {
      db.exec('BEGIN IMMEDIATE');
      const upTo = last.value([through, 1]);
      merge.run([through, upTo, 1]);
      done.run([through, upTo, 1]);
      watermark.run([upTo, 1]);
      db.exec('COMMIT');
      through = upTo;
      unmerged = 0;
    };
    const start = performance.now();
    for (let at = 0; at < EVENTS; at += BATCH * CONCURRENCY) {
      const batches = [];
      for (let b = at; b < Math.min(at + BATCH * CONCURRENCY, EVENTS); b += BATCH) batches.push(keys.slice(b, b + BATCH));
      // Marks of the requests leaving in one turn: one transaction; then their answers: another.
      db.exec('BEGIN');
      const ids = batches.map((batch) => Number(sent.run([1, 1, JSON.stringify(batch), Date.now()]).lastInsertRowid));
      db.exec('COMMIT');
      db.exec('BEGIN');
      batches.forEach((batch, i) => answer.run([1, ids[i], 1, JSON.stringify(batch.map((k, j) => [k, 'accepted', `evt_${at + i * BATCH + j}`, null, null])), Date.now()]));
      db.exec('COMMIT');
      unmerged += batches.reduce((n, batch) => n + batch.length, 0);
      if (unmerged >= MERGE_EVERY) mergeNow();
    }
    if (unmerged > 0) mergeNow();
    const first = performance.now() - start;
    const lookup = db.prepare('SELECT state FROM events WHERE scope = ? AND key = ?');
    const resumeStart = performance.now();
    let found = 0;
    for (const k of keys) if (lookup.value([1, k]) === 'accepted') found++;
    const resume = performance.now() - resumeStart;
    if (found !== EVENTS) throw new Error(`${name}: ${found} of ${EVENTS} keys found on resume`);
    db.close();
    return { first, resume };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

function main() {
  const script = fileURLToPath(import.meta.url);
  const nodes = [['20', process.execPath], ['22', flag('node22')], ['24', flag('node24')]].filter(([, path]) => path);
  const version = (path) => spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const candidates = [];
  for (const [, path] of nodes) {
    const v = version(path);
    for (const name of Object.keys(DRIVERS)) {
      if (name === 'node:sqlite' && !/^v(2[3-9]|22\.(1[3-9]|[2-9]\d))/.test(v)) continue;
      if (name === 'better-sqlite3' && path !== process.execPath) continue; // built for one Node ABI: the machine's
      candidates.push({ name, node: path, label: `${name}, node ${v.slice(1)}` });
    }
  }
  const passthrough = ['better-sqlite3', 'wasm', 'events'].flatMap((name) => (flag(name) ? [`--${name}`, flag(name)] : []));
  const results = new Map(candidates.map((c) => [c.label, []]));
  const skipped = new Map();
  for (let rep = 1; rep <= REPS; rep++) {
    for (const c of candidates) {
      if (skipped.has(c.label)) continue;
      const child = spawnSync(c.node, [script, '--worker', c.name, ...passthrough], { encoding: 'utf8' });
      if (child.status !== 0) {
        skipped.set(c.label, (child.stderr.trim().split('\n').find((line) => /Error|Cannot/.test(line)) ?? child.stderr.trim()).slice(0, 160));
        continue;
      }
      const r = JSON.parse(child.stdout);
      results.get(c.label).push(r);
      process.stderr.write(`[store] rep ${rep}/${REPS} ${c.label}: first run ${r.first.toFixed(0)} ms, resume ${r.resume.toFixed(0)} ms\n`);
    }
  }
  const base = results.get(candidates.find((c) => c.name === 'better-sqlite3')?.label)?.filter(Boolean) ?? [];
  const baseFirst = base.length ? median(base.map((r) => r.first)) : undefined;
  const baseResume = base.length ? median(base.map((r) => r.resume)) : undefined;
  const ratio = (value, baseline) => (baseline ? (baseline / value).toFixed(2) : '—');
  console.log(`Journal store, ${EVENTS.toLocaleString('en-US')} events in batches of ${BATCH}, ${REPS} repetitions (medians; ratio = better-sqlite3's time / this time, higher is faster)\n`);
  console.log('| store | first run (ms) | ratio | resume: lookups (ms) | ratio |');
  console.log('|---|---|---|---|---|');
  for (const c of candidates) {
    if (skipped.has(c.label)) {
      console.log(`| ${c.label} | not run: ${skipped.get(c.label).replaceAll('|', '/')} | | | |`);
      continue;
    }
    const rs = results.get(c.label);
    const first = median(rs.map((r) => r.first));
    const resume = median(rs.map((r) => r.resume));
    console.log(`| ${c.label} | ${first.toFixed(0)} | ${ratio(first, baseFirst)} | ${resume.toFixed(0)} | ${ratio(resume, baseResume)} |`);
  }
}

if (args[0] === '--worker') process.stdout.write(JSON.stringify(work(args[1])));
else main();

// The OCEL case of `npm run bench` (issue 15): a generated OCEL 2.0 JSON log of 1,000,000 events and
// 100,000 objects, read by `eventload import --dry-run` against @streamparser/json alone parsing the
// same file (the streaming parse every OCEL JSON import pays), and eventload's peak RSS on that log
// against a 100,000-event log with the same objects: memory follows the object index, not the events.
// Kept in its own module so run.mjs gains one case with a few lines.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';

export const OCEL_EVENTS = 1_000_000;
export const OCEL_EVENTS_SMALL = 100_000;
export const OCEL_OBJECTS = 100_000;

const START = Date.UTC(2023, 0, 1);
const iso = (ms) => new Date(ms).toISOString().replace('.000Z', '+00:00');

const HEAD = {
  objectTypes: [
    { name: 'Order', attributes: [{ name: 'status', type: 'string' }, { name: 'total', type: 'float' }] },
    { name: 'Item', attributes: [{ name: 'sku', type: 'string' }, { name: 'weight', type: 'float' }] },
    { name: 'Customer', attributes: [{ name: 'name', type: 'string' }] },
  ],
  eventTypes: ['Place Order', 'Pick Item', 'Pack', 'Ship', 'Pay'].map((name) => ({ name, attributes: [{ name: 'clerk', type: 'string' }, { name: 'amount', type: 'integer' }] })),
};

/** Object i: a tenth customers, three tenths orders (status changes once), the rest items. */
function object(i) {
  if (i % 10 === 0) return { id: `c${i}`, type: 'Customer', attributes: [{ name: 'name', time: '1970-01-01T00:00:00Z', value: `Customer ${i}` }] };
  if (i % 10 <= 3) {
    return {
      id: `o${i}`,
      type: 'Order',
      attributes: [
        { name: 'status', time: '1970-01-01T00:00:00Z', value: 'open' },
        { name: 'total', time: '1970-01-01T00:00:00Z', value: (i % 997) + 0.5 },
        { name: 'status', time: iso(START + i * 60_000), value: 'closed' },
      ],
      relationships: [{ objectId: `c${i - (i % 10)}`, qualifier: 'placed by' }],
    };
  }
  return { id: `i${i}`, type: 'Item', attributes: [{ name: 'sku', time: '1970-01-01T00:00:00Z', value: `SKU-${i % 5000}` }, { name: 'weight', time: '1970-01-01T00:00:00Z', value: (i % 50) / 10 }] };
}

const idOf = (i) => (i % 10 === 0 ? `c${i}` : i % 10 <= 3 ? `o${i}` : `i${i}`);

/** Event n: links an order, one of its items and the customer, with two typed attributes. */
function event(n) {
  const base = ((n * 7) % (OCEL_OBJECTS / 10)) * 10;
  return {
    id: `e${n}`,
    type: HEAD.eventTypes[n % 5].name,
    time: iso(START + n * 1_000),
    attributes: [
      { name: 'clerk', value: `u${n % 40}` },
      { name: 'amount', value: n % 1000 },
    ],
    relationships: [
      { objectId: idOf(base + 1), qualifier: 'order' },
      { objectId: idOf(base + 5), qualifier: 'item' },
      { objectId: idOf(base), qualifier: 'customer' },
    ],
  };
}

/** Writes the log (declarations, objects, then events), one element per line, waiting for the disk. */
export async function generateOcel(path, events) {
  const out = createWriteStream(path);
  const write = async (text) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`{"objectTypes":${JSON.stringify(HEAD.objectTypes)},\n"eventTypes":${JSON.stringify(HEAD.eventTypes)},\n"objects":[\n`);
  for (let i = 0; i < OCEL_OBJECTS; i++) await write(`${i > 0 ? ',\n' : ''}${JSON.stringify(object(i))}`);
  await write('\n],\n"events":[\n');
  for (let n = 0; n < events; n++) await write(`${n > 0 ? ',\n' : ''}${JSON.stringify(event(n))}`);
  await write('\n]}\n');
  out.end();
  await once(out, 'finish');
}

// The baseline: the streaming parse alone, with the paths the OCEL reader gives it, counting events.
const PARSE_BASELINE = `
import { createReadStream } from 'node:fs';
import { JSONParser } from '@streamparser/json';
const started = performance.now();
let events = 0;
const parser = new JSONParser({ paths: ['$.objectTypes.*', '$.eventTypes.*', '$.objects.*', '$.events.*'], keepStack: false, stringBufferSize: 64 * 1024 });
parser.onValue = ({ stack }) => { if (stack[1]?.key === 'events') events++; };
for await (const chunk of createReadStream(process.argv[1], { highWaterMark: 32 * 1024 })) parser.write(chunk);
const seconds = (performance.now() - started) / 1000;
const usage = process.resourceUsage();
console.log(JSON.stringify({ events, seconds, eventsPerSecond: events / seconds, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6, peakRssMb: usage.maxRSS / 1024 }));
`;

function node(args, { cwd, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data) => (stdout += data));
    child.stderr.on('data', (data) => (stderr += data));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function parseAlone(root, file) {
  const result = await node(['--input-type=module', '-e', PARSE_BASELINE, file], { cwd: root });
  if (result.code !== 0) throw new Error(`@streamparser/json baseline failed: ${result.stderr.trim()}`);
  return JSON.parse(result.stdout);
}

let runs = 0;
async function dryRun({ cli, tmp, token }, file, expected) {
  const cwd = join(tmp, `ocel-run-${++runs}`);
  await mkdir(cwd);
  const env = { ...process.env, FLOWMYNA_API_KEY: token };
  delete env.EVENTLOAD_JOURNAL;
  const result = await node([cli, 'import', file, '--target', 'flowmyna', '--dry-run', '--json', '-q', '--rejects', join(cwd, 'rejects.ndjson')], { cwd, env });
  await rm(cwd, { recursive: true, force: true });
  let summary;
  try {
    summary = JSON.parse(result.stdout);
  } catch {
    throw new Error(`eventload exited ${result.code}: ${result.stderr.trim()}`);
  }
  if (summary.read !== expected || summary.valid !== expected) throw new Error(`eventload read ${summary.read} events (${summary.valid} valid), expected ${expected}`);
  return summary;
}

/**
 * Two rows: events/s against the parse alone (interleaved, `reps` times each), and peak RSS on the
 * 1M-event log against the 100k-event log with the same 100,000 objects.
 */
export async function ocelCase({ root, cli, tmp, token, reps, log, fmt, median, ratioRow }) {
  const big = join(tmp, 'ocel-1m.jsonocel');
  const small = join(tmp, 'ocel-100k.jsonocel');
  const started = performance.now();
  await generateOcel(big, OCEL_EVENTS);
  await generateOcel(small, OCEL_EVENTS_SMALL);
  log(`  generated the OCEL logs in ${fmt((performance.now() - started) / 1000, 1)} s`);
  const subject = [];
  const baseline = [];
  const rssBig = [];
  const rssSmall = [];
  for (let rep = 1; rep <= reps; rep++) {
    const summary = await dryRun({ cli, tmp, token }, big, OCEL_EVENTS);
    subject.push(summary.eventsPerSecond);
    rssBig.push(summary.peakRssMb);
    const parsed = await parseAlone(root, big);
    if (parsed.events !== OCEL_EVENTS) throw new Error(`the parse alone counted ${parsed.events} events, expected ${OCEL_EVENTS}`);
    baseline.push(parsed.eventsPerSecond);
    const smaller = await dryRun({ cli, tmp, token }, small, OCEL_EVENTS_SMALL);
    rssSmall.push(smaller.peakRssMb);
    log(`  rep ${rep}/${reps}: eventload ${fmt(summary.eventsPerSecond)} events/s (${summary.peakRssMb} MB), parse alone ${fmt(parsed.eventsPerSecond)} events/s (${fmt(parsed.peakRssMb)} MB); 100k events: ${smaller.peakRssMb} MB`);
  }
  await rm(big);
  await rm(small);
  const speed = ratioRow('13a. OCEL 2.0 JSON, 1M events, 100k objects', 'eventload import ocel-1m.jsonocel --target flowmyna --dry-run --json -q', subject, '@streamparser/json alone, same paths, count events', baseline, 'events/s', '≥ 0.5', (r) => r >= 0.5);
  const ratio = median(rssBig) / median(rssSmall);
  const memory = {
    value: median(rssBig),
    case: '13b. OCEL 2.0 JSON memory, 1M vs 100k events (100k objects each)',
    command: 'eventload import ocel-1m.jsonocel … --dry-run (peak RSS)',
    median: `${median(rssBig)} MB peak RSS`,
    baseline: `ocel-100k.jsonocel, same objects: ${median(rssSmall)} MB`,
    ratio: fmt(ratio, 2),
    target: '≤ 1.2',
    pass: ratio <= 1.2,
  };
  return [speed, memory];
}

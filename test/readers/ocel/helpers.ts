// Helpers for the OCEL tests: what eventload reads from a log (through the real pipeline), and
// what the log holds, counted straight from the file with JSON.parse, independently of the reader.
import { readFile } from 'node:fs/promises';
import type { CanonicalEvent } from '../../../src/events/canonical.js';
import { readEvents, type PipelineItem } from '../../../src/pipeline/read-events.js';

export async function itemsOf(file: string, options: { timezone?: string; format?: string; readerOptions?: Record<string, unknown> } = {}): Promise<PipelineItem[]> {
  const items: PipelineItem[] = [];
  for await (const item of readEvents({ files: [file], ...options })) items.push(item);
  return items;
}

export async function eventsOf(file: string, options: { timezone?: string; format?: string; readerOptions?: Record<string, unknown> } = {}): Promise<CanonicalEvent[]> {
  const items = await itemsOf(file, options);
  const rejected = items.filter((item) => item.kind !== 'event');
  if (rejected.length > 0) throw new Error(`${file}: ${JSON.stringify(rejected[0])}`);
  return items.flatMap((item) => (item.kind === 'event' ? [item.event] : []));
}

/** One expected event: its type, time as written, and (object id, qualifier) per relationship. */
export interface Expected {
  id: string;
  type: string;
  time: string;
  relationships: Array<[string, string | undefined]>;
}

/** The events and objects of an OCEL JSON file (2.0 or 1.0), read with JSON.parse. */
export async function expectedFromJson(file: string): Promise<{ events: Expected[]; objects: Map<string, string> }> {
  const log = JSON.parse(await readFile(file, 'utf8')) as Record<string, any>;
  if (log['ocel:events']) {
    const objects = new Map(Object.entries(log['ocel:objects'] as Record<string, any>).map(([id, object]) => [id, object['ocel:type'] as string]));
    const events = Object.entries(log['ocel:events'] as Record<string, any>).map(([id, event]) => ({
      id,
      type: event['ocel:activity'],
      time: event['ocel:timestamp'],
      relationships: (event['ocel:omap'] as string[]).map((objectId): [string, undefined] => [objectId, undefined]),
    }));
    return { events, objects };
  }
  const objects = new Map((log.objects as any[]).map((object) => [object.id as string, object.type as string]));
  const events = (log.events as any[]).map((event) => ({
    id: event.id,
    type: event.type,
    time: event.time,
    relationships: ((event.relationships ?? []) as any[]).map((relationship): [string, string] => [relationship.objectId, relationship.qualifier]),
  }));
  return { events, objects };
}

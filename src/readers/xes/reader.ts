// XES reader (IEEE 1849 eXtensible Event Stream, `.xes`, `.xes.gz`): streamed through the shared XML
// layer, one record per event with its trace's attributes (log.ts), mapped by the format's own
// default mapping (default-mapping.ts) so that no mapping file is needed. A file that stops being
// well-formed XML part way is one rejected record at the fault's line and column, after every event
// before it.
//
// The parser (saxes, via the XML layer) is loaded when a log is read, not when the registry is:
// every eventload process loads every reader's entry, and most never read XML. A log over 4 MiB is
// parsed on a worker thread (readers/thread.ts), overlapping with the mapping on this one.
import type { ReaderPlugin } from '../types.js';
import { xesDefaultMapper } from './default-mapping.js';
import { xesOptionsSchema, type XesOptions } from './options.js';

export const xesReader: ReaderPlugin<XesOptions> = {
  name: 'xes',
  description: 'XES event logs (IEEE 1849): traces, events and typed attributes, no mapping needed',
  extensions: ['.xes'],
  optionsSchema: xesOptionsSchema,
  sniff: looksLikeXes,
  async *read(input, options) {
    for await (const batch of this.readBatches!(input, options)) yield* batch;
  },
  async *readBatches(input, options) {
    // A large log is parsed on a second thread (worker.ts), a small one here: the same batches either way.
    const [{ readOnThread }, { xesBatches }, { ItemDecoder }] = await Promise.all([import('../thread.js'), import('./batches.js'), import('./wire.js')]);
    const name = input.name;
    const holdEvents = options.holdEvents;
    const wire = new ItemDecoder(name);
    yield* readOnThread(input.stream, {
      script: new URL('./worker.js', import.meta.url),
      data: { name, holdEvents },
      inline: (chunks) => xesBatches(chunks, name, holdEvents),
      decode: (message) => wire.decode(message as unknown[]),
    });
  },
  defaultMapper: (options, context) => xesDefaultMapper(options, context.timezone),
  overrideSkeleton: () => ({
    description:
      'Laid over the XES default mapping (docs/process-mining.md): event, timestamp, objects, properties, actor or idempotency_key given here replace the default\'s field by field (docs/mapping.md). Columns: event.<key>, trace.<key>, trace_index, event_index. The reader options below are the defaults.',
    actor: { id: 'event.org:resource' },
    properties: {},
  }),
};

/**
 * An XES log by its content: the root element is <log> and what follows is XES (a version, the
 * standard's namespace, an extension, a global, a classifier or a trace), not OCEL (whose XML root
 * is <log> too, followed by object types or ocel: keys).
 */
export function looksLikeXes(head: string): boolean {
  const root = /^(?:\s|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)*<log[\s>]/.exec(head.replace(/^\uFEFF/, ''));
  if (!root) return false;
  const rest = head.slice(root[0].length, root[0].length + 4096);
  if (/ocel|<object-types|<event-types/.test(rest)) return false;
  return /xes\.version|xes-standard\.org|<trace[\s>]|<extension\s|<global\s|<classifier\s/.test(rest);
}

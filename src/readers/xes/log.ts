// Walks an XES document's element events (src/readers/xml) and turns each event into one record,
// holding at most one trace: a trace's attributes may come after its events (the standard does not
// order them), so its events are handed out when the trace closes, each with every trace attribute.
// Global attributes (<global scope="trace|event">) are the defaults the standard says they are, for
// a trace or event that lacks the key; time:timestamp is the one exception (below).
import type { Position } from '../../errors.js';
import type { ReaderItem } from '../types.js';
import { ATTRIBUTE_TYPES, attributeValue, containerOf, type AttributeNode } from './attributes.js';
import type { XmlEvent } from '../xml/stream.js';

/** What the reader yields per event, and what a mapping file's columns refer to (`event.concept:name`, `trace.concept:name`). */
export interface XesRecord {
  [key: string]: unknown;
  event: Record<string, unknown>;
  trace: Record<string, unknown>;
  /** The trace's place in the log, 1-based (the case id when the trace has no concept:name). */
  trace_index: number;
  /** The event's place in its trace, 1-based (part of its key). */
  event_index: number;
  /** Values kept as strings because their type was unknown or wrong: the event carries them as `xes:notes`. */
  notes?: string[];
}

// An event without its own time:timestamp is rejected rather than given the global's value: that
// value is a placeholder declaring the attribute's type (1970-01-01 in many exports), not a time.
const NO_DEFAULT = new Set(['time:timestamp']);

type Frame =
  | { kind: 'log' | 'trace' | 'event' | 'global' | 'skip'; line: number; attributes: Array<[string, unknown]>; scope?: string }
  | { kind: 'attribute'; line: number; node: AttributeNode }
  | { kind: 'values'; line: number };

interface PendingEvent {
  line: number;
  attributes: Record<string, unknown>;
  notes: string[];
}

export class XesLog {
  private readonly stack: Frame[] = [];
  private readonly globals = { trace: new Map<string, unknown>(), event: new Map<string, unknown>() };
  private traces = 0;
  private events: PendingEvent[] = [];
  private notes: string[] = []; // of the trace being read (shared by its events)
  private eventNotes: string[] = []; // of the event being read

  constructor(private readonly file: string) {}

  /** Items completed by these element events. */
  push(batch: readonly XmlEvent[]): ReaderItem[] {
    const out: ReaderItem[] = [];
    for (const event of batch) {
      if (event.kind === 'open') this.open(event.name, event.attributes, event.line, out);
      else if (event.kind === 'close') this.close(out);
    }
    return out;
  }

  /** At a fault: the events of the unfinished trace, with the trace attributes read so far. */
  flush(): ReaderItem[] {
    const trace = this.stack.find((frame) => frame.kind === 'trace');
    if (!trace || trace.kind !== 'trace') return [];
    const out: ReaderItem[] = [];
    this.emitTrace(trace.attributes, out);
    return out;
  }

  private open(name: string, attributes: Record<string, string>, line: number, out: ReaderItem[]): void {
    const parent = this.stack[this.stack.length - 1];
    const frame = (kind: 'log' | 'trace' | 'event' | 'global' | 'skip', scope?: string): Frame => ({ kind, line, attributes: [], scope });
    if (!parent) {
      if (name === 'log') this.stack.push(frame('log'));
      else {
        out.push(this.structure(line, `the root element is <${name}>, not <log>: not an XES log`));
        this.stack.push(frame('skip'));
      }
      return;
    }
    switch (parent.kind) {
      case 'skip':
        this.stack.push(frame('skip'));
        return;
      case 'log':
        if (name === 'trace') {
          this.traces++;
          this.events = [];
          this.notes = [];
          this.stack.push(frame('trace'));
        } else if (name === 'global') this.stack.push(frame('global', attributes.scope === 'trace' ? 'trace' : 'event'));
        else if (name === 'event') {
          out.push(this.structure(line, 'an <event> directly in the <log>, outside any <trace>; XES events belong to a trace'));
          this.stack.push(frame('skip'));
        } else this.openAttribute(name, attributes, line);
        return;
      case 'trace':
        if (name === 'event') {
          this.stack.push(frame('event'));
          this.eventNotes = [];
        } else this.openAttribute(name, attributes, line);
        return;
      case 'event':
      case 'global':
        this.openAttribute(name, attributes, line);
        return;
      case 'attribute':
      case 'values':
        // XES 1.x wrote a list's members inside <values>: it adds nothing but a level.
        if (name === 'values') this.stack.push({ kind: 'values', line });
        else this.openAttribute(name, attributes, line);
        return;
    }
  }

  /** Extensions, classifiers and unknown elements without a key carry no event data: skipped. */
  private openAttribute(name: string, attributes: Record<string, string>, line: number): void {
    const key = attributes.key;
    if (key === undefined || (!ATTRIBUTE_TYPES.has(name) && attributes.value === undefined)) {
      this.stack.push({ kind: 'skip', line, attributes: [] });
      return;
    }
    this.stack.push({ kind: 'attribute', line, node: { type: name, key, value: attributes.value, children: [] } });
  }

  private close(out: ReaderItem[]): void {
    const frame = this.stack.pop();
    if (!frame) return;
    switch (frame.kind) {
      case 'attribute':
        this.addToParent(frame.node.key, attributeValue(frame.node, this.notesFor()));
        return;
      case 'global':
        for (const [key, value] of frame.attributes) this.globals[frame.scope === 'trace' ? 'trace' : 'event'].set(key, value);
        return;
      case 'event':
        this.events.push({ line: frame.line, attributes: withDefaults(frame.attributes, this.globals.event), notes: this.eventNotes });
        this.eventNotes = [];
        return;
      case 'trace':
        this.emitTrace(frame.attributes, out);
        return;
      default:
        return;
    }
  }

  /** Where a note of the attribute being read goes: its event's, or the trace's (shared by its events). */
  private notesFor(): string[] {
    return this.stack.some((frame) => frame.kind === 'event') ? this.eventNotes : this.notes;
  }

  /** Adds a finished attribute to the element it belongs to (an attribute, values, event, trace, log or global). */
  private addToParent(key: string, value: unknown): void {
    for (let at = this.stack.length - 1; at >= 0; at--) {
      const frame = this.stack[at]!;
      if (frame.kind === 'values') continue;
      if (frame.kind === 'attribute') frame.node.children.push([key, value]);
      else frame.attributes.push([key, value]);
      return;
    }
  }

  private emitTrace(attributes: Array<[string, unknown]>, out: ReaderItem[]): void {
    const trace = withDefaults(attributes, this.globals.trace);
    const traceNotes = this.notes;
    this.events.forEach((event, index) => {
      const notes = [...traceNotes, ...event.notes];
      const record: Record<string, unknown> = { event: event.attributes, trace, trace_index: this.traces, event_index: index + 1 };
      if (notes.length > 0) record.notes = notes;
      out.push({ kind: 'record', position: this.position(event.line), record });
    });
    this.events = [];
    this.notes = [];
  }

  private structure(line: number, message: string): ReaderItem {
    return { kind: 'invalid', position: this.position(line), raw: '', issue: { path: 'event', message, code: 'EL_XES_STRUCTURE' } };
  }

  private position(line: number): Position {
    return { file: this.file, line };
  }
}

/** The element's own attributes (a key given twice keeps every value), then the globals it lacks. */
function withDefaults(own: Array<[string, unknown]>, globals: Map<string, unknown>): Record<string, unknown> {
  const attributes = containerOf(own);
  for (const [key, value] of globals) if (!Object.hasOwn(attributes, key) && !NO_DEFAULT.has(key)) attributes[key] = value;
  return attributes;
}

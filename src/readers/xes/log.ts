// Walks an XES document as the XML layer reads it (src/readers/xml, called back per element) and
// turns each event into one record, holding at most one trace: a trace's attributes may come after
// its events (the standard does not order them), so its events are handed out when the trace
// closes, each with every trace attribute. A trace longer than `holdEvents` (a reader option) is
// not held whole: its events are handed on from then, with the trace's attributes read so far, and
// a trace attribute after that point is a rejected record (EL_XES_LATE_TRACE_ATTRIBUTE) rather than
// given to some of its events only. Exporters write a trace's attributes first, and holding
// events costs: a held event outlives the young generation's collections, and holding 1,000 made a
// one-trace log of 1M events read at 155k events/s, against 225k when holding 100 to 300
// (BENCHMARKS.md); a log of one trace of ten million events held whole does not fit in memory.
// Global attributes (<global scope="trace|event">) are the defaults the standard says they are, for
// a trace or event that lacks the key; time:timestamp is the one exception (below). The common
// attribute, one self-closing tag with a simple type, goes straight into its event with no frame
// of its own: this walk is per element, a million events are seven million elements.
import type { Position } from '../../errors.js';
import type { ReaderItem } from '../types.js';
import type { XmlHandler } from '../xml/stream.js';
import { addEntry, ATTRIBUTE_TYPES, attributeValue, SIMPLE_TYPES, simpleValue, type AttributeNode, type Notes } from './attributes.js';
import { ObjectMaker } from './object-maker.js';

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
  | ElementFrame
  | { kind: 'global'; line: number; scope: 'trace' | 'event'; pairs: Array<[string, unknown]> }
  | { kind: 'attribute'; line: number; node: AttributeNode }
  | { kind: 'values'; line: number };

/**
 * A log, trace or event (or an element skipped whole); a closed event's frame waits in `events` until
 * its trace closes. An open event's attributes are gathered apart (XesLog.eventKeys) and made into its
 * `attributes` when it closes.
 */
interface ElementFrame {
  kind: 'log' | 'trace' | 'event' | 'skip';
  line: number;
  attributes: Record<string, unknown>;
  /** An event's own notes, set when it closes. */
  notes: string[];
}

const NO_NOTES: string[] = [];

export class XesLog implements XmlHandler<ReaderItem> {
  private readonly stack: Frame[] = [];
  private readonly globals = { trace: new Map<string, unknown>(), event: new Map<string, unknown>() };
  /** The globals as the defaults each trace and event is given (withDefaults), kept in step with `globals`. */
  private readonly defaults = { trace: noDefaults(), event: noDefaults() };
  private traces = 0;
  private events: ElementFrame[] = []; // the trace's closed events, reused from trace to trace
  /** A trace past holdEvents: its attributes as its events carry them, and how many were handed on. */
  private handedOn: { trace: Record<string, unknown>; events: number } | undefined;
  private notes: string[] = []; // of the trace being read (shared by its events)
  private eventNotes: string[] = NO_NOTES; // of the event being read (NO_NOTES, never written to, until it has one)
  private eventsOpen = 0; // <event> frames on the stack: where an attribute's note goes
  private out: ReaderItem[] = [];
  // The attributes of the event being read, in order, made into one object when it closes (ObjectMaker).
  private readonly eventKeys: string[] = [];
  private readonly eventValues: unknown[] = [];
  private keyAt = 0; // the place of the next key in the event being read
  private readonly objects = new ObjectMaker();
  /** The element just opened was read whole (a self-closing simple attribute): its close is no frame's. */
  private closed = false;

  /** `holdEvents`: the events of one trace held until it closes (XesOptions). */
  constructor(
    private readonly file: string,
    private readonly holdEvents: number,
  ) {}

  /** Items completed since the last call. */
  take(): ReaderItem[] {
    const done = this.out;
    this.out = [];
    return done;
  }

  /** At a fault: the events of the unfinished trace, with the trace attributes read so far. */
  flush(): ReaderItem[] {
    const trace = this.stack.find((frame) => frame.kind === 'trace');
    if (!trace || trace.kind !== 'trace') return this.take();
    this.emitTrace(trace.attributes);
    return this.take();
  }

  open(name: string, attributes: Record<string, string>, selfClosing: boolean, line: number): void {
    const parent = this.stack[this.stack.length - 1];
    if (!parent) {
      if (name === 'log') this.push('log', line);
      else {
        this.out.push(this.structure(line, `the root element is <${name}>, not <log>: not an XES log`));
        this.push('skip', line);
      }
      return;
    }
    switch (parent.kind) {
      case 'skip':
        this.push('skip', line);
        return;
      case 'log':
        if (name === 'trace') {
          this.traces++;
          this.events.length = 0;
          this.handedOn = undefined;
          this.notes = [];
          this.push('trace', line);
        } else if (name === 'global') this.stack.push({ kind: 'global', line, scope: attributes.scope === 'trace' ? 'trace' : 'event', pairs: [] });
        else if (name === 'event') {
          this.out.push(this.structure(line, 'an <event> directly in the <log>, outside any <trace>; XES events belong to a trace'));
          this.push('skip', line);
        } else this.openAttribute(name, attributes, selfClosing, line);
        return;
      case 'trace':
        if (name === 'event') {
          this.push('event', line);
          this.keyAt = 0;
          this.eventsOpen++;
          this.eventNotes = NO_NOTES;
        } else this.openAttribute(name, attributes, selfClosing, line);
        return;
      case 'event':
      case 'global':
        this.openAttribute(name, attributes, selfClosing, line);
        return;
      case 'attribute':
      case 'values':
        // XES 1.x wrote a list's members inside <values>: it adds nothing but a level.
        if (name === 'values') this.stack.push({ kind: 'values', line });
        else this.openAttribute(name, attributes, selfClosing, line);
        return;
    }
  }

  private push(kind: 'log' | 'trace' | 'event' | 'skip', line: number): void {
    this.stack.push({ kind, line, attributes: {}, notes: NO_NOTES });
  }

  /** Extensions, classifiers and unknown elements without a key carry no event data: skipped. */
  private openAttribute(name: string, attributes: Record<string, string>, selfClosing: boolean, line: number): void {
    const key = attributes.key;
    const value = attributes.value;
    if (selfClosing && value !== undefined && key !== undefined) {
      // Most attributes of most logs: a value kept as written, nothing to check (simpleValue's answer),
      // or a number or boolean, typed with nothing that can nest in it.
      if (name === 'string' || name === 'date' || name === 'id') {
        this.addToParent(key, value, line);
        this.closed = true;
        return;
      }
      if (name === 'int' || name === 'float' || name === 'boolean') {
        this.addToParent(key, simpleValue(name, key, value, this.noteSink), line);
        this.closed = true;
        return;
      }
    }
    if (key === undefined || (!ATTRIBUTE_TYPES.has(name) && value === undefined)) {
      this.push('skip', line);
      return;
    }
    if (selfClosing && (SIMPLE_TYPES.has(name) || !ATTRIBUTE_TYPES.has(name))) {
      // Nothing can nest in it: its value is complete now (what attributeValue gives a childless one).
      this.addToParent(key, name === 'string' && value !== undefined ? value : simpleValue(name, key, value, this.noteSink), line);
      this.closed = true;
      return;
    }
    this.stack.push({ kind: 'attribute', line, node: { type: name, key, value, children: [] } });
  }

  /** An attribute of the event being read, at its place. */
  private addEventAttribute(key: string, value: unknown): void {
    const at = this.keyAt++;
    this.eventKeys[at] = key;
    this.eventValues[at] = value;
  }

  close(): void {
    if (this.closed) {
      this.closed = false;
      return;
    }
    const frame = this.stack.pop();
    if (!frame) return;
    switch (frame.kind) {
      case 'attribute':
        this.addToParent(frame.node.key, attributeValue(frame.node, this.noteSink), frame.line);
        return;
      case 'global':
        for (const [key, value] of frame.pairs) this.globals[frame.scope].set(key, value);
        this.defaults[frame.scope] = defaultsOf(this.globals[frame.scope]);
        return;
      case 'event':
        this.eventsOpen--;
        frame.attributes = this.objects.make(this.eventKeys, this.eventValues, this.keyAt);
        withDefaults(frame.attributes, this.defaults.event);
        frame.notes = this.eventNotes;
        this.events.push(frame);
        this.eventNotes = NO_NOTES;
        if (this.events.length >= this.holdEvents) this.handOn(this.stack[this.stack.length - 1] as ElementFrame);
        return;
      case 'trace':
        this.emitTrace(frame.attributes);
        return;
      default:
        return;
    }
  }

  /** Takes the notes of the attributes being read to notesFor, which makes an event's array only at its first note. */
  private readonly noteSink: Notes = { push: (note) => this.notesFor().push(note) };

  /** Where a note of the attribute being read goes: its event's, or the trace's (shared by its events). */
  private notesFor(): string[] {
    // A trace attribute that comes too late is rejected, and so are its notes.
    if (this.eventsOpen === 0) return this.handedOn ? [] : this.notes;
    // Most events have no note: their array is made at the first one.
    if (this.eventNotes === NO_NOTES) this.eventNotes = [];
    return this.eventNotes;
  }

  /** Adds a finished attribute to the element it belongs to (an attribute, values, event, trace, log or global). */
  private addToParent(key: string, value: unknown, line: number): void {
    for (let at = this.stack.length - 1; at >= 0; at--) {
      const frame = this.stack[at]!;
      if (frame.kind === 'values') continue;
      if (frame.kind === 'attribute') frame.node.children.push([key, value]);
      else if (frame.kind === 'global') frame.pairs.push([key, value]);
      else if (frame.kind === 'event') this.addEventAttribute(key, value);
      else if (frame.kind === 'trace' && this.handedOn) this.out.push(this.lateTraceAttribute(key, line));
      else addEntry(frame.attributes, key, value);
      return;
    }
  }

  /** A trace past holdEvents: hands on the events held, with the trace's attributes as they are now. */
  private handOn(trace: ElementFrame): void {
    this.handedOn ??= { trace: withDefaults(trace.attributes, this.defaults.trace), events: 0 };
    this.emitEvents(this.handedOn.trace, this.handedOn.events);
    this.handedOn.events += this.holdEvents;
  }

  private emitTrace(attributes: Record<string, unknown>): void {
    if (this.handedOn) this.emitEvents(this.handedOn.trace, this.handedOn.events);
    else this.emitEvents(withDefaults(attributes, this.defaults.trace), 0);
    this.handedOn = undefined;
    this.notes = [];
  }

  /** The events held, as records of `trace`, the first being its event number `before + 1`. */
  private emitEvents(trace: Record<string, unknown>, before: number): void {
    const traceNotes = this.notes;
    const events = this.events;
    for (let index = 0; index < events.length; index++) {
      const event = events[index]!;
      const record: Record<string, unknown> = { event: event.attributes, trace, trace_index: this.traces, event_index: before + index + 1 };
      if (traceNotes.length + event.notes.length > 0) record.notes = [...traceNotes, ...event.notes];
      this.out.push({ kind: 'record', position: this.position(event.line), record });
    }
    events.length = 0;
  }

  private lateTraceAttribute(key: string, line: number): ReaderItem {
    const events = this.handedOn!.events;
    const message = `the trace attribute "${key}" comes after ${events} of the trace's events, which were already read on (the reader holds ${this.holdEvents} events of a trace); it is given to none of its events: the reader option holdEvents, at ${events + this.events.length + 1} or more, gives it to all`;
    return { kind: 'invalid', position: this.position(line), raw: '', issue: { path: `trace.${key}`, message, code: 'EL_XES_LATE_TRACE_ATTRIBUTE' } };
  }

  private structure(line: number, message: string): ReaderItem {
    return { kind: 'invalid', position: this.position(line), raw: '', issue: { path: 'event', message, code: 'EL_XES_STRUCTURE' } };
  }

  private position(line: number): Position {
    return { file: this.file, line };
  }
}

/** The globals of one scope that are defaults, as two arrays: read for every event, with nothing made per read. */
interface Defaults {
  keys: string[];
  values: unknown[];
}

function noDefaults(): Defaults {
  return { keys: [], values: [] };
}

function defaultsOf(globals: Map<string, unknown>): Defaults {
  const defaults = noDefaults();
  for (const [key, value] of globals) {
    if (NO_DEFAULT.has(key)) continue;
    defaults.keys.push(key);
    defaults.values.push(value);
  }
  return defaults;
}

/** The element's own attributes (a key given twice keeps every value), then the globals it lacks. */
function withDefaults(attributes: Record<string, unknown>, defaults: Defaults): Record<string, unknown> {
  const { keys, values } = defaults;
  for (let index = 0; index < keys.length; index++) if (!Object.hasOwn(attributes, keys[index]!)) attributes[keys[index]!] = values[index];
  return attributes;
}

// OCEL JSON, 2.0 (`objectTypes`, `eventTypes`, `objects`, `events`) and 1.0 (`ocel:events`,
// `ocel:objects`), streamed with @streamparser/json: each element of the four sections is built
// alone and dropped once used, so memory is the object index, not the events. The sections may
// come in any order: when an event comes before the objects (and declarations) it needs, this
// first pass only indexes, and a second pass over the same content (ReaderInput.rewindable)
// converts the events.
import { TokenParser, Tokenizer, TokenType, type ParsedElementInfo } from '@streamparser/json';
import type { Readable } from 'node:stream';
import type { ReaderItem } from '../types.js';
import { LineCounter } from './lines.js';
import { convertEvent, OcelLogState, type OcelEvent } from './model.js';
import type { OcelOptions } from './options.js';
import { event10, event20, object10, object20, typeDeclaration } from './shapes.js';
import { withRewindable } from './source.js';
import type { ReaderInput } from '../types.js';

const ALL_SECTIONS = ['$.objectTypes.*', '$.eventTypes.*', '$.objects.*', '$.events.*', '$.ocel:objects.*', '$.ocel:events.*'];
const EVENT_SECTIONS = ['$.events.*', '$.ocel:events.*'];
/** What an event of each version needs read before it can be converted. */
const NEEDS_20 = ['objects', 'objectTypes', 'eventTypes'];
const NEEDS_10 = ['ocel:objects'];

export async function* readOcelJson(input: ReaderInput, options: OcelOptions): AsyncGenerator<ReaderItem[]> {
  yield* withRewindable(input, async function* (file) {
    const state = new OcelLogState(options.logId);
    await (yield* pass(file.open(), input.name, state, ALL_SECTIONS));
    // Events came first: now that every object is indexed, read them again. A syntax error the
    // first pass met is met again here, after the events before it, and reported then.
    if (state.deferred) yield* pass(file.open(), input.name, state, EVENT_SECTIONS);
  });
}

/** One pass over the content; returns whether it stopped at a syntax error (already yielded). */
async function* pass(stream: Readable, name: string, state: OcelLogState, paths: string[]): AsyncGenerator<ReaderItem[], boolean> {
  const lines = new LineCounter();
  // Strings gathered in a buffer rather than by concatenation: a third less time in the parser.
  const tokenizer = new Tokenizer({ stringBufferSize: 64 * 1024 });
  const parser = new TokenParser({ paths, keepStack: false });
  const out: ReaderItem[] = [];
  let eventStart = 0;
  let depth = 0;
  let lastOffset = 0;
  let failure: Error | undefined;
  const convertNow = paths === EVENT_SECTIONS;
  let lastSection = ''; // the section of the last value, already in state.done
  tokenizer.onToken = (token) => {
    // An element of a section starts with `{` two levels down: remember where, for its line.
    const kind = token.token;
    if (kind === TokenType.LEFT_BRACE || kind === TokenType.LEFT_BRACKET) {
      if (depth === 2) eventStart = token.offset;
      depth++;
    } else if (kind === TokenType.RIGHT_BRACE || kind === TokenType.RIGHT_BRACKET) {
      depth--;
    }
    lastOffset = token.offset;
    parser.write(token);
  };
  parser.onError = tokenizer.error.bind(tokenizer);
  tokenizer.onError = (error) => (failure ??= error);
  parser.onEnd = () => undefined;
  parser.onValue = (info: ParsedElementInfo) => {
    const section = String(info.stack[1]?.key ?? '');
    if (section !== lastSection) {
      state.done.add(section);
      lastSection = section;
    }
    const isEvent = section === 'events' || section === 'ocel:events';
    if (!isEvent) {
      if (!convertNow) take(section, info, state);
      return;
    }
    if (!convertNow && (state.deferred || !state.readyForEvents(section === 'events' ? NEEDS_20 : NEEDS_10))) {
      state.deferred = true;
      return;
    }
    const event: OcelEvent = section === 'events' ? event20(info.value) : event10(String(info.key), info.value);
    out.push(convertEvent(event, state.contextFor(), { file: name, line: lines.lineAt(eventStart) }));
  };
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    lines.feed(bytes);
    if (!failure) write(tokenizer, bytes, (error) => (failure ??= error));
    if (out.length > 0) yield out.splice(0);
    if (failure) break;
  }
  if (!failure && !tokenizer.isEnded) write(tokenizer, undefined, (error) => (failure ??= error));
  if (out.length > 0) yield out.splice(0);
  if (!failure) return false;
  if (convertNow || !state.deferred) yield [syntaxError(failure, lastOffset, lines, name)];
  if (stream.destroy) stream.destroy();
  return true;
}

function write(tokenizer: Tokenizer, bytes: Buffer | undefined, fail: (error: Error) => void): void {
  try {
    if (bytes) tokenizer.write(bytes);
    else tokenizer.end();
  } catch (error) {
    fail(error as Error);
  }
}

/** A declaration or an object, into the state. */
function take(section: string, info: ParsedElementInfo, state: OcelLogState): void {
  if (section === 'objectTypes' || section === 'eventTypes') {
    const declared = typeDeclaration(info.value);
    if (declared) state.types.declare(section === 'objectTypes' ? 'objects' : 'events', declared.name, declared.attributes);
  } else if (section === 'objects') {
    const object = object20(info.value);
    if (object) state.index.add(object);
  } else if (section === 'ocel:objects') {
    const object = object10(String(info.key), info.value);
    if (object) state.index.add(object);
  }
}

/** Where the JSON breaks, as one rejected record: the rest of the file cannot be read. */
function syntaxError(error: Error, lastOffset: number, lines: LineCounter, name: string): ReaderItem {
  const found = /absolute position "(\d+)"/.exec(error.message);
  const offset = found ? Number(found[1]) : lastOffset;
  const { line, column } = lines.at(offset);
  const what = /Unexpected end|ended in the middle|not ended/i.test(error.message) ? 'the JSON ends before it is complete' : 'invalid JSON';
  const message = `${what} at line ${line}, column ${column}; the rest of the file could not be read (${error.message})`;
  return { kind: 'invalid', position: { file: name, line }, raw: '', issue: { path: 'file', message, code: 'EL_OCEL_SYNTAX' } };
}

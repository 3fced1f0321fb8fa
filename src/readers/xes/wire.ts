// The XES reader's items as the worker thread sends them (readers/thread.ts): a structured clone
// writes every member name of every object again, and a million events are four million objects
// (item, position, record, attributes). So a batch goes as one flat array, each record as its
// line, trace, places, notes, the order of its attribute keys and their values; the reading thread
// builds the same items from it, in the same member order (a rejected record is written out as it
// was read).
import type { Position } from '../../errors.js';
import type { ReaderItem } from '../types.js';
import type { XesRecord } from './log.js';
import { KeyOrders, UNNUMBERED } from './key-orders.js';
import { ObjectMaker } from './object-maker.js';

const RECORD = 0;
const OTHER = 1;

/**
 * Encodes batches as flat arrays: per record RECORD, line, trace, trace_index, event_index, notes,
 * the order of its attribute keys, then its values; per other item OTHER and the item as it is. An
 * order is a number after its first use, where its keys follow it (the events of a log mostly share
 * two or three orders, so the keys are not written out again for every event); an order without a
 * number (KeyOrders) is UNNUMBERED with its keys every time.
 */
export class ItemEncoder {
  private readonly orders = new KeyOrders();

  encode(items: readonly ReaderItem[]): unknown[] {
    const wire: unknown[] = [];
    for (const item of items) {
      if (item.kind !== 'record') {
        wire.push(OTHER, item);
        continue;
      }
      const record = item.record as XesRecord;
      const event = record.event;
      const keys = Object.keys(event);
      wire.push(RECORD, item.position.line, record.trace, record.trace_index, record.event_index, record.notes);
      this.pushOrder(wire, keys);
      for (const key of keys) wire.push(event[key]);
    }
    return wire;
  }

  /** The order's number, with its keys at its first use (or every time, when it has no number). */
  private pushOrder(wire: unknown[], keys: string[]): void {
    const number = this.orders.number(keys);
    wire.push(number);
    if (number === UNNUMBERED || this.orders.fresh) wire.push(keys);
  }
}

/** Builds the items ItemEncoder was given, for `file`: one decoder per encoder, fed its batches in order. */
export class ItemDecoder {
  private readonly objects = new ObjectMaker();
  private readonly orders: string[][] = [];

  constructor(private readonly file: string) {}

  decode(wire: readonly unknown[]): ReaderItem[] {
    const items: ReaderItem[] = [];
    const values: unknown[] = [];
    let at = 0;
    while (at < wire.length) {
      if (wire[at] === OTHER) {
        items.push(wire[at + 1] as ReaderItem);
        at += 2;
        continue;
      }
      const line = wire[at + 1] as number;
      const record: XesRecord = { event: {}, trace: wire[at + 2] as Record<string, unknown>, trace_index: wire[at + 3] as number, event_index: wire[at + 4] as number };
      const notes = wire[at + 5] as string[] | undefined;
      const order = wire[at + 6] as number;
      at += 7;
      let keys: string[];
      if (order === UNNUMBERED) keys = wire[at++] as string[];
      else {
        if (order === this.orders.length) this.orders.push(wire[at++] as string[]); // its first use
        keys = this.orders[order]!;
      }
      for (let index = 0; index < keys.length; index++) values[index] = wire[at + index];
      at += keys.length;
      record.event = this.objects.make(keys, values, keys.length);
      if (notes !== undefined) record.notes = notes;
      const position: Position = { file: this.file, line };
      items.push({ kind: 'record', position, record });
    }
    return items;
  }
}

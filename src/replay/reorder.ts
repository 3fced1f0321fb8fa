// A bounded reorder window: exported files are mostly in time order, but not quite (several
// files, clock skew between writers, per-case exports). The window holds up to `capacity` events
// and always lets out the earliest, so disorder shorter than the window is put right. An event
// older than one already let out cannot be put right any more: it leaves at once, marked late,
// and is never dropped. Memory: `capacity` events.

export interface Timed<T> {
  item: T;
  /** Milliseconds since the epoch. */
  time: number;
  /** Older than an event that had already left the window. */
  late: boolean;
}

interface Entry<T> {
  item: T;
  time: number;
  /** Arrival order: equal times leave in the order they came. */
  sequence: number;
}

export class ReorderWindow<T> {
  private readonly heap: Entry<T>[] = [];
  private sequence = 0;
  /** Time of the latest event let out so far. */
  private emitted = -Infinity;

  /** capacity 0: no reordering (every event leaves at once; out-of-order ones count as late). */
  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`Expected \`capacity\` to be a whole number from 0 up, got ${capacity}`);
  }

  get size(): number {
    return this.heap.length;
  }

  /** Takes one event; returns the event that leaves the window because of it, if any. */
  add(item: T, time: number): Timed<T> | undefined {
    if (time < this.emitted) return { item, time, late: true };
    push(this.heap, { item, time, sequence: this.sequence++ });
    return this.heap.length > this.capacity ? this.takeEarliest() : undefined;
  }

  /** At the end of the input: everything still held, earliest first. */
  *drain(): Generator<Timed<T>> {
    while (this.heap.length > 0) yield this.takeEarliest();
  }

  private takeEarliest(): Timed<T> {
    const entry = pop(this.heap);
    this.emitted = entry.time;
    return { item: entry.item, time: entry.time, late: false };
  }
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.time < b.time || (a.time === b.time && a.sequence < b.sequence);
}

function push<T>(heap: Entry<T>[], entry: Entry<T>): void {
  heap.push(entry);
  let index = heap.length - 1;
  while (index > 0) {
    const parent = (index - 1) >> 1;
    if (!before(heap[index]!, heap[parent]!)) break;
    [heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
    index = parent;
  }
}

function pop<T>(heap: Entry<T>[]): Entry<T> {
  const top = heap[0]!;
  const last = heap.pop()!;
  if (heap.length === 0) return top;
  heap[0] = last;
  let index = 0;
  for (;;) {
    const left = 2 * index + 1;
    const right = left + 1;
    let smallest = index;
    if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
    if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
    if (smallest === index) return top;
    [heap[index], heap[smallest]] = [heap[smallest]!, heap[index]!];
    index = smallest;
  }
}

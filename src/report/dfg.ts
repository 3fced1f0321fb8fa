// The object-centric directly-follows graph of what a run sent: per object type, which event name
// follows which for the same object id, with counts. It needs each object's last event, so the
// objects remembered are capped: past the cap the least recently seen object is forgotten, and
// the report says how many were (a later event of a forgotten object then starts a new path).
import type { CanonicalEvent } from '../events/canonical.js';

export interface DfgCount {
  event: string;
  count: number;
}

export interface DfgEdge {
  from: string;
  to: string;
  count: number;
}

export interface DfgType {
  type: string;
  /** Distinct objects of this type seen (forgotten ones seen again count again). */
  objects: number;
  /** Events per event name that touched an object of this type (an event with two objects of it counts twice). */
  nodes: DfgCount[];
  /** The MAX_STORED_EDGES most frequent edges (`edgeCount` says how many there were). */
  edges: DfgEdge[];
  edgeCount: number;
  /** How many objects' paths begin (and end) at each event name. */
  starts: DfgCount[];
  ends: DfgCount[];
}

export interface DfgData {
  types: DfgType[];
  /** At most this many objects are remembered at once. */
  objectCap: number;
  /** Objects forgotten to stay under the cap (0: the graph is exact). */
  forgotten: number;
  /** Event names and object types past the caps below, counted under OTHER. */
  namesFolded: number;
}

export const DEFAULT_OBJECT_CAP = 100_000;
/** Distinct event names per object type, and object types: beyond these, names become OTHER (a mapping gone wrong can make millions). */
export const MAX_NAMES = 200;
export const MAX_TYPES = 50;
export const OTHER = '(other)';
/** Edges kept per object type, most frequent first: what a report can show and stay small. */
export const MAX_STORED_EDGES = 200;

interface TypeState {
  objects: number;
  nodes: Map<string, number>;
  /** from → to → count: nested, so counting an edge builds no string. */
  edges: Map<string, Map<string, number>>;
  starts: Map<string, number>;
  /** Object id → the last event name sent for it; Map order is first seen first. */
  last: Map<string, string>;
  /** Event names seen (at most MAX_NAMES), each mapped to itself: the copy `last` holds. */
  names: Map<string, string>;
}

export class DfgBuilder {
  private readonly types = new Map<string, TypeState>();
  /** Objects remembered, all types together (what the cap bounds). */
  private tracked = 0;
  private forgotten = 0;
  private folded = new Set<string>();

  constructor(private readonly objectCap = DEFAULT_OBJECT_CAP) {}

  /** One event sent, in the order sent. */
  add(event: CanonicalEvent): void {
    for (const object of event.objects) {
      const state = this.stateOf(this.typeName(object.type));
      const name = this.eventName(state, event.event);
      bump(state.nodes, name);
      const previous = state.last.get(object.id);
      if (previous === undefined) {
        state.objects++;
        bump(state.starts, name);
        this.tracked++;
        state.last.set(detached(object.id), name);
      } else {
        let next = state.edges.get(previous);
        if (!next) state.edges.set(previous, (next = new Map()));
        bump(next, name);
        state.last.set(object.id, name);
      }
      if (this.tracked > this.objectCap) this.forgetOldest();
    }
  }

  data(): DfgData {
    const types = [...this.types].map(([type, state]) => {
      const edges = [...state.edges].flatMap(([from, next]) => [...next].map(([to, count]) => ({ from, to, count })));
      const ends = new Map<string, number>();
      for (const name of state.last.values()) bump(ends, name);
      return {
        type,
        objects: state.objects,
        nodes: counted(state.nodes),
        edges: edges.sort((a, b) => b.count - a.count).slice(0, MAX_STORED_EDGES),
        edgeCount: edges.length,
        starts: counted(state.starts),
        ends: counted(ends),
      };
    });
    return { types: types.sort((a, b) => b.objects - a.objects), objectCap: this.objectCap, forgotten: this.forgotten, namesFolded: this.folded.size };
  }

  /**
   * Forgets the earliest seen tenth of every type at once: finding the oldest entry of a Map walks
   * past the holes earlier deletions left, so one at a time would cost a walk per event.
   */
  private forgetOldest(): void {
    for (const state of this.types.values()) {
      let n = Math.ceil(state.last.size / 10);
      for (const id of state.last.keys()) {
        if (n-- === 0) break;
        state.last.delete(id);
        this.tracked--;
        this.forgotten++;
      }
    }
  }

  private typeName(type: string): string {
    if (this.types.has(type) || this.types.size < MAX_TYPES) return type;
    this.folded.add(`type:${type}`);
    return OTHER;
  }

  private stateOf(type: string): TypeState {
    let state = this.types.get(type);
    if (!state) this.types.set(type, (state = { objects: 0, nodes: new Map(), edges: new Map(), starts: new Map(), last: new Map(), names: new Map() }));
    return state;
  }

  /** The name as first stored (a key of `names`): the one copy every entry of `last` shares. */
  private eventName(state: TypeState, name: string): string {
    const known = state.names.get(name);
    if (known !== undefined) return known;
    if (state.nodes.size < MAX_NAMES) {
      const own = detached(name);
      state.names.set(own, own);
      return own;
    }
    if (this.folded.size < 10_000) this.folded.add(`name:${name}`);
    return OTHER;
  }
}

/**
 * A copy of the string that holds only its own characters. A reader's strings are often slices
 * of the chunk they were read from (saxes slices attribute values out of each 32 KiB chunk): kept
 * for the rest of the run as a remembered id or name, one such slice keeps its whole chunk alive,
 * and 100,000 remembered objects kept a 273 MB XES log's chunks alive (peak RSS growing with the
 * events, BENCHMARKS.md). The concatenation makes a new string that the slice then flattens.
 */
function detached(text: string): string {
  return (' ' + text).slice(1);
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function counted(map: Map<string, number>): DfgCount[] {
  return [...map].map(([event, count]) => ({ event, count })).sort((a, b) => b.count - a.count);
}

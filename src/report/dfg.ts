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
  edges: DfgEdge[];
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

interface TypeState {
  objects: number;
  nodes: Map<string, number>;
  edges: Map<string, number>;
  starts: Map<string, number>;
}

export class DfgBuilder {
  /** `type \0 id` → the last event name sent for that object; Map order is least recently seen first. */
  private readonly last = new Map<string, string>();
  private readonly types = new Map<string, TypeState>();
  private forgotten = 0;
  private folded = new Set<string>();

  constructor(private readonly objectCap = DEFAULT_OBJECT_CAP) {}

  /** One event sent, in the order sent. */
  add(event: CanonicalEvent): void {
    for (const object of event.objects) {
      const type = this.typeName(object.type);
      const state = this.stateOf(type);
      const name = this.eventName(state, event.event);
      bump(state.nodes, name);
      const key = `${type}\u0000${object.id}`;
      const previous = this.last.get(key);
      if (previous === undefined) {
        state.objects++;
        bump(state.starts, name);
      } else {
        bump(state.edges, `${previous}\u0000${name}`);
        this.last.delete(key); // re-inserted below: now the most recently seen
      }
      this.last.set(key, name);
      if (this.last.size > this.objectCap) this.forgetOldest();
    }
  }

  data(): DfgData {
    const ends = new Map<string, Map<string, number>>();
    for (const [key, name] of this.last) {
      const type = key.slice(0, key.indexOf('\u0000'));
      let counts = ends.get(type);
      if (!counts) ends.set(type, (counts = new Map()));
      bump(counts, name);
    }
    const types = [...this.types].map(([type, state]) => ({
      type,
      objects: state.objects,
      nodes: counted(state.nodes),
      edges: [...state.edges].map(([pair, count]) => {
        const [from, to] = pair.split('\u0000') as [string, string];
        return { from, to, count };
      }).sort((a, b) => b.count - a.count),
      starts: counted(state.starts),
      ends: counted(ends.get(type) ?? new Map()),
    }));
    return { types: types.sort((a, b) => b.objects - a.objects), objectCap: this.objectCap, forgotten: this.forgotten, namesFolded: this.folded.size };
  }

  private forgetOldest(): void {
    const oldest = this.last.keys().next().value as string;
    this.last.delete(oldest);
    this.forgotten++;
  }

  private typeName(type: string): string {
    if (this.types.has(type) || this.types.size < MAX_TYPES) return type;
    this.folded.add(`type:${type}`);
    return OTHER;
  }

  private stateOf(type: string): TypeState {
    let state = this.types.get(type);
    if (!state) this.types.set(type, (state = { objects: 0, nodes: new Map(), edges: new Map(), starts: new Map() }));
    return state;
  }

  private eventName(state: TypeState, name: string): string {
    if (state.nodes.has(name) || state.nodes.size < MAX_NAMES) return name;
    if (this.folded.size < 10_000) this.folded.add(`name:${name}`);
    return OTHER;
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function counted(map: Map<string, number>): DfgCount[] {
  return [...map].map(([event, count]) => ({ event, count })).sort((a, b) => b.count - a.count);
}

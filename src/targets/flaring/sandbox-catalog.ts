// Flaring monitor event types and their fields: the catalogue an event's `fields` object is
// checked against. Seeded with three types so a sandbox is usable without setup.
import { isJsonNumber } from '../../events/exact-number.js';
import { z } from 'zod';
import type { Reply, Route } from '../../sandbox/types.js';
import { toFastApiDetail, type FastApiIssue } from '../../sandbox/validation.js';

export type FieldType = 'number' | 'text' | 'select';

export interface EventField {
  id: number;
  name: string;
  type: FieldType;
  required: boolean;
  options?: string[];
}

export interface EventType {
  id: number;
  name: string;
  description: string | null;
  state: 'active';
  fields: EventField[];
}

type FieldSeed = Omit<EventField, 'id'>;

const SEEDS: { name: string; description: string; fields: FieldSeed[] }[] = [
  {
    name: 'Flaring Event',
    description: 'Gas routed to a flare stack',
    fields: [
      { name: 'volume_mscf', type: 'number', required: true },
      { name: 'reason', type: 'select', required: true, options: ['planned', 'unplanned', 'emergency'] },
      { name: 'notes', type: 'text', required: false },
    ],
  },
  {
    name: 'Gas Leak',
    description: 'Detected release of gas',
    fields: [
      { name: 'severity', type: 'select', required: true, options: ['low', 'medium', 'high'] },
      { name: 'ppm', type: 'number', required: false },
    ],
  },
  {
    name: 'Inspection',
    description: 'Scheduled or ad-hoc site inspection',
    fields: [
      { name: 'inspector', type: 'text', required: true },
      { name: 'passed', type: 'select', required: false, options: ['yes', 'no'] },
    ],
  },
];

const typeSchema = z.object({ name: z.string().min(1).max(200), description: z.string().nullish() });

const fieldSchema = z
  .object({
    name: z.string().min(1).max(100),
    type: z.enum(['number', 'text', 'select']),
    required: z.boolean().default(false),
    options: z.array(z.string().min(1)).min(1).nullish(),
  })
  .refine((field) => field.type !== 'select' || field.options, {
    message: 'Value error, a select field needs options',
    path: ['options'],
  });

export class EventCatalog {
  private readonly types = new Map<number, EventType>();
  private nextTypeId = 1;
  private nextFieldId = 1;

  constructor() {
    for (const seed of SEEDS) {
      const type = this.addType(seed.name, seed.description);
      for (const field of seed.fields) this.addField(type, field);
    }
  }

  get(id: number): EventType | undefined {
    return this.types.get(id);
  }

  /** Routes under `prefix` for listing, creating and reading types and their fields. */
  routes(prefix: string): Route[] {
    return [
      { method: 'GET', path: `${prefix}/event-types`, handle: () => reply(200, [...this.types.values()].map(summary)) },
      { method: 'POST', path: `${prefix}/event-types`, handle: ({ body }) => this.createType(body) },
      { method: 'GET', path: `${prefix}/event-types/:id`, handle: ({ params }) => this.withType(params, (type) => reply(200, summary(type))) },
      { method: 'GET', path: `${prefix}/event-types/:id/fields`, handle: ({ params }) => this.withType(params, (type) => reply(200, type.fields)) },
      { method: 'POST', path: `${prefix}/event-types/:id/fields`, handle: ({ params, body }) => this.withType(params, (type) => this.createField(type, body)) },
    ];
  }

  private createType(body: unknown): Reply {
    const parsed = typeSchema.safeParse(body);
    if (!parsed.success) return reply(422, { detail: toFastApiDetail(parsed.error.issues, body) });
    const { name, description } = parsed.data;
    if ([...this.types.values()].some((type) => type.name === name)) {
      return reply(409, { detail: `Event type '${name}' already exists` });
    }
    return reply(201, summary(this.addType(name, description ?? null)));
  }

  private createField(type: EventType, body: unknown): Reply {
    const parsed = fieldSchema.safeParse(body);
    if (!parsed.success) return reply(422, { detail: toFastApiDetail(parsed.error.issues, body) });
    const { name, type: fieldType, required, options } = parsed.data;
    if (type.fields.some((field) => field.name === name)) {
      return reply(409, { detail: `Field '${name}' already exists on event type ${type.id}` });
    }
    const seed: FieldSeed = { name, type: fieldType, required, ...(fieldType === 'select' && options ? { options } : {}) };
    return reply(201, this.addField(type, seed));
  }

  private withType(params: Record<string, string>, then: (type: EventType) => Reply): Reply {
    const id = parsePathId(params['id']);
    if (typeof id !== 'number') return reply(422, { detail: [id] });
    const type = this.types.get(id);
    return type ? then(type) : reply(404, { detail: 'Event type not found' });
  }

  private addType(name: string, description: string | null): EventType {
    const type: EventType = { id: this.nextTypeId++, name, description, state: 'active', fields: [] };
    this.types.set(type.id, type);
    return type;
  }

  private addField(type: EventType, seed: FieldSeed): EventField {
    const field = { id: this.nextFieldId++, ...seed };
    type.fields.push(field);
    return field;
  }
}

/**
 * Checks an event's `fields` against its type: required ones present, numbers are JSON numbers
 * (no "12" strings: an import should send what it means), selects among options, no unknown names.
 * A null value counts as absent.
 */
export function validateFields(type: EventType, fields: Record<string, unknown>): FastApiIssue[] {
  const issues: FastApiIssue[] = [];
  const at = (name: string, msg: string, kind: string) => issues.push({ loc: ['body', 'fields', name], msg, type: kind });
  for (const field of type.fields) {
    const value = fields[field.name];
    if (value === undefined || value === null) {
      if (field.required) at(field.name, 'Field required', 'missing');
    } else if (field.type === 'number' && !isJsonNumber(value)) {
      at(field.name, 'Input should be a valid number', 'float_type');
    } else if (field.type === 'text' && typeof value !== 'string') {
      at(field.name, 'Input should be a valid string', 'string_type');
    } else if (field.type === 'select' && !field.options?.includes(value as string)) {
      at(field.name, `Input should be ${listOptions(field.options ?? [])}`, 'enum');
    }
  }
  const known = new Set(type.fields.map((field) => field.name));
  for (const name of Object.keys(fields)) {
    if (!known.has(name)) at(name, 'Extra inputs are not permitted', 'extra_forbidden');
  }
  return issues;
}

/** pydantic's wording: "Input should be 'a', 'b' or 'c'". */
function listOptions(options: readonly string[]): string {
  const quoted = options.map((option) => `'${option}'`);
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

/** A path id as FastAPI parses `int`: digits only, else a 422 detail item. */
export function parsePathId(raw: string | undefined): number | FastApiIssue {
  if (raw !== undefined && /^\d+$/.test(raw)) return Number(raw);
  return { loc: ['path', 'id'], msg: 'Input should be a valid integer, unable to parse string as an integer', type: 'int_parsing' };
}

function summary(type: EventType) {
  return { id: type.id, name: type.name, description: type.description, state: type.state };
}

function reply(status: number, body: unknown): Reply {
  return { status, body };
}

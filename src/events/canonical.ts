// The canonical event: the one shape every reader maps into and every target maps out of.
// It is also the NDJSON interchange format: a file of these needs no mapping file.
import { z } from 'zod';
import type { Issue } from '../errors.js';

const text = (min: number, max: number) =>
  z.string({ error: 'must be a string' }).min(min, `must be ${min}-${max} characters`).max(max, `must be ${min}-${max} characters`);

const jsonObject = z.record(z.string(), z.unknown(), { error: 'must be an object' });

export const canonicalObjectSchema = z.object({
  type: text(1, 100),
  id: text(1, 500),
  qualifier: text(1, 100).optional(),
  properties: jsonObject.optional(),
}).strict();

export const actorSchema = z.object({
  id: text(1, 500),
  name: text(1, 500).optional(),
  type: text(1, 100).optional(),
}).strict();

export const canonicalEventSchema = z.object({
  event: text(1, 200),
  timestamp: z.string({ error: 'must be an ISO 8601 string' }).min(1, 'is required'),
  objects: z.array(canonicalObjectSchema, { error: 'must be a list of objects' }).min(1, 'needs at least one object'),
  properties: jsonObject.optional(),
  actor: actorSchema.optional(),
  idempotency_key: text(1, 255).optional(),
}).strict();

export type CanonicalObject = z.infer<typeof canonicalObjectSchema>;
export type Actor = z.infer<typeof actorSchema>;
export type CanonicalEvent = z.infer<typeof canonicalEventSchema>;

/** zod path ['objects', 0, 'id'] → 'objects[0].id' */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  // A problem with the record as a whole (e.g. an unknown top-level field) is named `record`,
  // so it is not mistaken for the `event` field.
  return out === '' ? 'record' : out;
}

export function zodIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): Issue[] {
  return error.issues.map((issue) => ({
    path: formatPath([...prefix, ...issue.path]),
    message:
      issue.code === 'invalid_type' && issue.input === undefined
        ? 'is required'
        : issue.code === 'unrecognized_keys'
          ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`
          : issue.message,
  }));
}

/** Checks an event against the canonical schema; returns its issues (none when valid). */
export function checkCanonical(event: unknown): Issue[] {
  // reportInput: zod 4 leaves `input` off issues otherwise, and zodIssues tells "missing" from "wrong type" by it.
  const result = canonicalEventSchema.safeParse(event, { reportInput: true });
  return result.success ? [] : zodIssues(result.error);
}

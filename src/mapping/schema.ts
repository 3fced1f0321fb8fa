// The mapping file: how one input record becomes one canonical event. Documented in docs/mapping.md.
import { z } from 'zod';
import { MAX_REPEAT_WINDOW } from '../events/keys.js';

export const conversionSchema = z
  .enum(['string', 'number', 'integer', 'boolean', 'json', 'list'])
  .describe('how the cell is converted: CSV cells are strings unless converted; list: a list cell (pm4py\'s [\'i1\', \'i2\'] or a JSON array), one object per element when it is an object id');

const columnReference = z
  .object({
    column: z.string().min(1).describe('column name, or a dot path such as customer.id for JSON input'),
    as: conversionSchema.optional(),
    decimal: z
      .enum([',', '.'])
      .optional()
      .describe('with "as": "number" or "integer": the decimal mark the numbers are written with; "," reads 1.234,56 (a dot, space or apostrophe groups thousands)'),
    default: z.unknown().optional().describe('used when the cell is empty or the field absent'),
  })
  .strict()
  .refine((reference) => reference.decimal === undefined || reference.as === 'number' || reference.as === 'integer', { message: '"decimal" needs "as": "number" or "integer"', path: ['decimal'] });

const constReference = z.object({ const: z.unknown().describe('the same value for every record') }).strict();

const templateReference = z
  .object({ template: z.string().min(1).describe('text with {column} placeholders, e.g. "{status} order"') })
  .strict();

/** A value reference: a column name, or one of the object forms. */
export const referenceSchema = z.union([z.string().min(1), columnReference, constReference, templateReference]);

const timestampSpec = z
  .object({
    column: z.string().min(1),
    format: z
      .string()
      .min(1)
      .default('auto')
      .describe('auto | iso | epoch_s | epoch_ms | a pattern such as dd/MM/yyyy HH:mm (luxon tokens)'),
    timezone: z.string().min(1).optional().describe('IANA zone for values that carry none, e.g. Europe/Berlin'),
  })
  .strict();

const objectSpec = z
  .object({
    type: referenceSchema,
    id: referenceSchema,
    qualifier: referenceSchema.optional(),
    properties: z.record(z.string(), referenceSchema).optional(),
  })
  .strict();

export const mappingSchema = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional(),
    event: referenceSchema.optional(),
    timestamp: z.union([referenceSchema, timestampSpec]).optional(),
    objects: z.array(objectSpec).min(1, 'needs at least one object').optional(),
    properties: z.record(z.string(), referenceSchema).optional(),
    actor: z.object({ id: referenceSchema, name: referenceSchema.optional(), type: referenceSchema.optional() }).strict().optional(),
    idempotency_key: referenceSchema.optional(),
    repeat_window: z
      .number()
      .int()
      .min(1)
      .max(MAX_REPEAT_WINDOW)
      .optional()
      .describe('derived keys: identical events within this many events get their own keys (default 1,000,000; --repeat-window wins)'),
    reader: z.record(z.string(), z.unknown()).optional().describe("the reader's options, e.g. {\"delimiter\": \";\"}"),
    targets: z.record(z.string(), z.record(z.string(), z.unknown())).optional().describe('target-specific fields, e.g. targets.immutable.tenant_id'),
  })
  .strict();

export type Reference = z.infer<typeof referenceSchema>;
export type TimestampSpec = z.infer<typeof timestampSpec>;
export type Mapping = z.infer<typeof mappingSchema>;
export type Conversion = z.infer<typeof conversionSchema>;

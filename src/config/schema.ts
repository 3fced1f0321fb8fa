// The --config file of `validate`, `import` and `sync`: the flags as JSON, keyed by their camelCase
// names (`--max-record-size` is `maxRecordSize`), plus credentials as {"env": "NAME"} references and
// `targets.<name>` fields. One file serves all three: a key a command has no use for is ignored by
// that command (sync adds its own requirements in src/sync/config.ts). Documented in the README;
// the descriptions below are its text.
import { z } from 'zod';
import { readerNames } from '../readers/index.js';
import { flaringOptionsSchema } from '../targets/flaring.js';
import { flowmynaOptionsSchema } from '../targets/flowmyna.js';
import { immutableOptionsSchema } from '../targets/immutable.js';

/** A secret is never written into the file itself: only the name of the variable that holds it. */
export const envReferenceSchema = z
  .object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name such as MY_API_KEY') })
  .strict()
  .describe('{"env": "NAME"}: the value is read from that environment variable when the command runs');

export type EnvReference = z.infer<typeof envReferenceSchema>;

const secret = (what: string) =>
  z.custom<EnvReference>((value) => envReferenceSchema.safeParse(value).success, {
    error: (issue) =>
      typeof issue.input === 'string' ? `write {"env": "NAME"} and put the ${what} in that environment variable: secrets are never written in a config file` : `expected {"env": "NAME"}`,
  });

const path = (what: string) => z.string().min(1).describe(`${what} (relative to the config file's folder)`);
const wholeNumber = (minimum: number) => z.number().int().min(minimum);

export const TARGET_NAMES = ['flowmyna', 'immutable', 'flaring'] as const;

export const configSchema = z
  .object({
    $schema: z.string().optional().describe('free text, ignored'),
    description: z.string().optional().describe('free text, ignored'),
    files: z.array(z.string().min(1)).min(1).optional().describe('input files or glob patterns such as "exports/*.csv" (used when none are named on the command line)'),
    mapping: path('mapping file').optional(),
    format: z.string().refine((name) => readerNames().includes(name), { error: () => `expected one of ${readerNames().map((name) => JSON.stringify(name)).join(', ')}` }).optional().describe('input format (default: from the file name and content)'),
    timezone: z.string().min(1).optional().describe('IANA time zone of timestamps that carry none'),
    delimiter: z.string().min(1).optional().describe('CSV delimiter (tab for tab)'),
    encoding: z.string().min(1).optional().describe('text encoding of the input files, e.g. windows-1252 (default: UTF-8; BOMs are recognised)'),
    maxRecordSize: wholeNumber(1).optional().describe('reject records larger than this many bytes'),
    rejects: path('rejects file').optional(),
    target: z.enum(TARGET_NAMES).optional().describe('flowmyna, immutable or flaring'),
    targets: z
      .object({ flowmyna: flowmynaOptionsSchema.optional(), immutable: immutableOptionsSchema.optional(), flaring: flaringOptionsSchema.optional() })
      .strict()
      .optional()
      .describe("target fields; each key wins over the same key in the mapping's targets section"),
    token: secret('token').optional().describe('the API token: FLOWMYNA_API_KEY, IMMUTABLE_API_KEY or FLARING_TOKEN (import and sync)'),
    email: z.union([z.string().min(1), envReferenceSchema]).optional().describe('flaring login e-mail, FLARING_EMAIL (import and sync)'),
    password: secret('password').optional().describe('flaring login password, FLARING_PASSWORD (import and sync)'),
    verbose: z.boolean().optional().describe('print each retry, throttling pause and rejected record on stderr as it happens'),
    maxErrorRate: z.number().min(0).max(100).optional().describe('stop (exit 1) once more than this percentage of records is invalid, after at least 100 records'),
    // validate
    reporter: z.enum(['text', 'json', 'github', 'junit']).optional().describe('validate: what stdout shows'),
    junit: path('validate: also write JUnit XML to this file').optional(),
    maxErrors: wholeNumber(0).optional().describe('validate: list at most this many invalid records'),
    // import, and sync (which has no use for sandbox, dryRun and out)
    endpoint: z.string().min(1).optional().describe("import, sync: base URL of the API"),
    sandbox: z.boolean().optional().describe("import: import into the target's local sandbox"),
    allowHttp: z.boolean().optional().describe('import, sync: allow a plain http:// endpoint that is not on this machine'),
    concurrency: z
      .union([wholeNumber(1), z.literal('auto')], {
        error: ({ input }) =>
          typeof input !== 'number' ? 'expected a whole number of at least 1, or "auto"' : Number.isInteger(input) ? 'must be at least 1' : `expected a whole number, got ${input}`,
      })
      .optional()
      .describe('import, sync: requests in flight at once, or "auto" (adapts to the server, up to concurrencyMax)'),
    concurrencyMax: wholeNumber(1).optional().describe('import, sync: with "concurrency": "auto", the most requests in flight'),
    drainTimeout: z.number().min(0).optional().describe('import, sync: on Ctrl-C/SIGTERM, seconds to wait for requests under way'),
    rate: z.number().positive().optional().describe('import, sync: requests per second for the whole run'),
    batchSize: wholeNumber(1).optional().describe('import, sync: events per request'),
    maxRetries: wholeNumber(0).optional().describe('import, sync: retries per request'),
    retryDeadline: z.number().min(0).optional().describe('import, sync: seconds before giving up on one request, time inside attempts included'),
    timeout: wholeNumber(1).optional().describe('import, sync: longest silence in one attempt, in milliseconds'),
    requestTimeout: wholeNumber(1).optional().describe('import, sync: most one attempt may take in all, in milliseconds'),
    backoffBase: wholeNumber(0).optional().describe('import, sync: first retry delay in milliseconds'),
    journal: z
      .union([path('journal file'), z.literal(false)], { error: 'expected a file name, or false for no journal' })
      .optional()
      .describe('import and sync: where delivery is remembered (false: no journal, import only)'),
    retryRejected: z.boolean().optional().describe('import, sync: send again events that an earlier run had rejected'),
    dryRun: z.boolean().optional().describe('import: do everything but send'),
    out: path('import: with dryRun, where the request bodies go').optional(),
    report: path('import, sync: write the summary as JSON to this file').optional(),
    json: z.boolean().optional().describe('import, sync: print only the JSON summary on stdout'),
    quiet: z.boolean().optional().describe('import, sync: no progress output'),
  })
  .strict()
  .refine((config) => !(config.quiet && config.verbose), { message: 'quiet and verbose: choose one', path: ['verbose'] });

export type ConfigFile = z.infer<typeof configSchema>;

/** Keys whose values are paths, resolved against the config file's folder. */
export const PATH_KEYS = ['mapping', 'rejects', 'junit', 'out', 'report', 'journal'] as const;

/** Keys that are not flags: merged by their own rules (files, credentials, target fields). */
export const NOT_FLAGS = ['$schema', 'description', 'files', 'targets', 'token', 'email', 'password'] as const;

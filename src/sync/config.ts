// The sync config file: what a scheduled run reads, where it sends it, and with which options.
// Secrets are never written in it: `{"env": "NAME"}` names the environment variable to read.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { CREDENTIAL_VARIABLES } from '../config/load.js';
import { describeSchemaError } from '../mapping/load.js';

const envReference = z.object({ env: z.string().min(1).describe('name of the environment variable holding the secret') }).strict();

export const syncConfigSchema = z
  .object({
    $schema: z.string().optional(),
    sources: z.array(z.string().min(1)).min(1, 'needs at least one file or glob').describe('files or globs, relative to this file, e.g. "exports/*.csv"'),
    format: z.string().optional().describe('csv, ndjson, json, bpmn (default: from each file name and content)'),
    mapping: z.string().optional().describe('mapping file, relative to this file'),
    target: z.enum(['flowmyna', 'immutable', 'flaring']),
    endpoint: z.string().url().optional(),
    token: envReference.optional().describe("the target's token: FLOWMYNA_API_KEY, IMMUTABLE_API_KEY or FLARING_TOKEN"),
    email: envReference.optional().describe('flaring login e-mail'),
    password: envReference.optional().describe('flaring login password'),
    journal: z.string().optional().describe('journal file, relative to this file (default: .eventload/journal.db beside it)'),
    rejects: z.string().optional().describe('rejects file, relative to this file (default: eventload-rejects-<time>.ndjson beside it)'),
    options: z
      .object({
        concurrency: z.number().int().positive().optional(),
        rate: z.number().positive().optional(),
        batchSize: z.number().int().positive().optional(),
        timezone: z.string().optional(),
        delimiter: z.string().optional(),
        maxRetries: z.number().int().nonnegative().optional(),
        retryDeadline: z.number().positive().optional(),
        timeout: z.number().int().positive().optional(),
        allowHttp: z.boolean().optional(),
        retryRejected: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type SyncConfig = z.infer<typeof syncConfigSchema>;

export interface LoadedSyncConfig extends SyncConfig {
  /** The folder paths in the config are relative to. */
  base: string;
  /** Environment with the referenced secrets under the names the target reads. */
  env: Record<string, string | undefined>;
}


export async function loadSyncConfig(file: string, env: Record<string, string | undefined> = process.env): Promise<LoadedSyncConfig> {
  let json: unknown;
  try {
    json = JSON.parse((await readFile(file, 'utf8')).replace(/^\uFEFF/, ''));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`${file}: ${code ? `cannot read config file (${code})` : `config file is not valid JSON (${(error as Error).message})`}`);
  }
  const parsed = syncConfigSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(`${file}: ${describeSchemaError(parsed.error)}`);
  const config = parsed.data;
  const resolved: Record<string, string | undefined> = { ...env };
  const secret = (path: string, reference: { env: string } | undefined, variable: string) => {
    if (!reference) return;
    const value = env[reference.env];
    if (value === undefined || value === '') throw new ConfigError(`${file}: ${path}: environment variable ${reference.env} is not set`);
    resolved[variable] = value;
  };
  // The same variables --config resolves into; flaring's login ones whatever the target, as before.
  secret('token', config.token, CREDENTIAL_VARIABLES[config.target]!.token!);
  secret('email', config.email, CREDENTIAL_VARIABLES.flaring!.email!);
  secret('password', config.password, CREDENTIAL_VARIABLES.flaring!.password!);
  return { ...config, base: dirname(resolve(file)), env: resolved };
}

export function relativeTo(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}

// The --config file of `validate`, `import` and `sync`: the options a file may set (those with a
// `config` schema in src/options), keyed by their camelCase names (`--max-record-size` is
// `maxRecordSize`), plus credentials as {"env": "NAME"} references and `targets.<name>` sections,
// both from the target registry. One file serves all three commands: a key a command has no use
// for is ignored by that command (sync adds its own requirements in src/sync/config.ts). Built in a
// function, when a file is read, so a target registered before the run has its section and keys.
import { z } from 'zod';
import { optionNames, optionSpec, textOf, type OPTIONS, type OptionName } from '../options/index.js';
import { allTargets } from '../targets/index.js';
import type { CredentialVariable } from '../targets/types.js';

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

/** Credentials that are not secret may be written in the file as they are. */
const NOT_SECRET: ReadonlySet<CredentialVariable['key']> = new Set(['email']);

type CredentialKey = CredentialVariable['key'];

type ConfigOption = { [N in OptionName]: (typeof OPTIONS)[N] extends { config: unknown } ? N : never }[OptionName];
type ConfigValue<N extends OptionName> = (typeof OPTIONS)[N] extends { config: () => infer S extends z.ZodType } ? z.output<S> : never;

/** What a checked config file holds: the options a file may set, and the keys that are not flags. */
export type ConfigFile = { [N in ConfigOption]?: ConfigValue<N> } & {
  $schema?: string;
  description?: string;
  files?: string[];
  targets?: Record<string, Record<string, unknown> | undefined>;
  token?: string | EnvReference;
  email?: string | EnvReference;
  password?: string | EnvReference;
};

/** Keys that are not flags: merged by their own rules (files, credentials, target fields). */
export const NOT_FLAGS = ['$schema', 'description', 'files', 'targets', 'token', 'email', 'password'] as const;

/** Keys whose values are paths, resolved against the config file's folder. */
export function pathKeys(): string[] {
  return optionNames().filter((name) => optionSpec(name).config && optionSpec(name).path);
}

/** The keys a config file may hold, each with its schema and description. */
export function configShape(): Record<string, z.ZodType> {
  const shape: Record<string, z.ZodType> = {
    $schema: z.string().optional().describe('free text, ignored'),
    description: z.string().optional().describe('free text, ignored'),
    files: z.array(z.string().min(1)).min(1).optional().describe('input files or glob patterns such as "exports/*.csv" (used when none are named on the command line)'),
  };
  for (const name of optionNames()) {
    const spec = optionSpec(name);
    if (!spec.config) continue;
    const value = typeof spec.config === 'function' ? spec.config() : spec.config;
    const description = textOf(spec.description);
    shape[name] = value.optional().describe(spec.path ? `${description} (relative to the config file's folder)` : description);
    // The target's own keys follow it, as they always did in the file's documentation.
    if (name === 'target') Object.assign(shape, targetKeys());
  }
  return shape;
}

/** `targets.<name>` sections and the credential keys, from the target registry. */
function targetKeys(): Record<string, z.ZodType> {
  const targets = allTargets();
  const sections = Object.fromEntries(targets.map((target) => [target.name, target.optionsSchema.optional()]));
  const keys: Record<string, z.ZodType> = {
    targets: z.object(sections).strict().optional().describe("target fields; each key wins over the same key in the mapping's targets section"),
  };
  const variables = new Map<CredentialKey, string[]>();
  for (const credential of targets.flatMap((target) => target.credentials)) variables.set(credential.key, [...(variables.get(credential.key) ?? []), credential.variable]);
  for (const [key, names] of variables) {
    const value = NOT_SECRET.has(key) ? z.union([z.string().min(1), envReferenceSchema]) : secret(key);
    keys[key] = value.optional().describe(`the ${key}: ${names.join(', ')} (import and sync)`);
  }
  return keys;
}

/** The whole --config file schema, read from the option table and the target registry now. */
export function configSchema() {
  let schema: z.ZodType<ConfigFile> = z.object(configShape()).strict() as unknown as z.ZodType<ConfigFile>;
  for (const name of optionNames()) {
    const spec = optionSpec(name);
    if (!spec.config) continue;
    for (const other of spec.conflicts ?? []) {
      const values = (config: ConfigFile) => config as Record<string, unknown>;
      schema = schema.refine((config) => !(values(config)[name] && values(config)[other]), { message: `${other} and ${name}: choose one`, path: [name] });
    }
  }
  return schema;
}

// The files a delivery run reads and writes, named for the same-file check (no output may be an
// input), and the default names of its outputs.
import type { NamedPath } from '../output/same-file.js';

/** What a run reads: its input files, and the mapping and config files that shape it. */
export function inputPaths(files: readonly string[], flags: { mapping?: string; config?: string }): NamedPath[] {
  return [
    ...files.map((path) => ({ role: 'input', path })),
    ...(flags.mapping ? [{ role: 'the mapping file', path: flags.mapping }] : []),
    ...(flags.config ? [{ role: 'the config file', path: flags.config }] : []),
  ];
}

/** An earlier summary written by --report (and so replaceable by this run's). */
export function isSummaryReport(text: string): boolean {
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    return typeof json === 'object' && json !== null && typeof json.command === 'string' && typeof json.outcome === 'string' && typeof json.read === 'number';
  } catch {
    return false;
  }
}

/** `eventload-rejects-<UTC time>.ndjson`: created exclusively (`-2`, `-3`… when two runs start in the same second). */
export function defaultRejectsPath(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `eventload-rejects-${stamp}.ndjson`;
}

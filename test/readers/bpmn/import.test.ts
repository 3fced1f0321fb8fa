// Importing the BPMN fixture into the FlowMyna sandbox with no mapping file: every event of one
// process instance is linked through the same case object.
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../../src/sandbox/index.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fixture, runCli, withTempDir } from '../../helpers.js';

let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

interface SentEvent {
  event: string;
  timestamp: string;
  objects: Array<{ type: string; id: string; qualifier?: string }>;
}

describe('bpmn import into flowmyna', () => {
  for (const file of ['hiring.ndjson', 'hiring.json', 'hiring.bulk.ndjson']) {
    it(`links every event of a process instance by its case object (${file})`, async () => {
      sandbox = await startSandbox({ target: 'flowmyna' });
      const result = await runCli(['import', fixture(`bpmn/${file}`), '--target', 'flowmyna', '--endpoint', sandbox.url, '--json', '--concurrency', '1', '--no-journal'], {
        env: { FLOWMYNA_API_KEY: sandbox.token },
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const summary = JSON.parse(result.stdout);
      expect(summary).toMatchObject({ read: 25, accepted: 25, rejectedLocal: 0, rejectedServer: 0 });

      const events = sandbox.stats.stored.map((stored) => stored.body as unknown as SentEvent);
      expect(events).toHaveLength(25);
      const cases = new Map<string, SentEvent[]>();
      for (const event of events) {
        const caseObjects = event.objects.filter((object) => object.qualifier === 'case');
        expect(caseObjects, event.event).toHaveLength(1);
        const id = caseObjects[0]!.id;
        cases.set(id, [...(cases.get(id) ?? []), event]);
      }
      // Two hiring process instances, each from "started" to "completed".
      expect(cases.size).toBe(2);
      for (const caseEvents of cases.values()) {
        expect(caseEvents[0]!.event).toBe('Standard HR Open New Position started');
        expect(caseEvents.at(-1)!.event).toBe('Standard HR Open New Position completed');
        expect(caseEvents.some((event) => event.objects.some((object) => object.qualifier === 'performer'))).toBe(true);
      }
      // Raw timestamps are sent byte for byte, in file order.
      expect(events[0]!.timestamp).toBe('2024-03-04T09:15:02.117-05:00');
    });
  }

  it('keeps only completed events when the mapping file asks for it', async () => {
    sandbox = await startSandbox({ target: 'flowmyna' });
    await withTempDir(async (dir) => {
    const mapping = join(dir, 'completed.mapping.json');
    await writeFile(mapping, JSON.stringify({ reader: { phases: 'completed' } }));
    const result = await runCli(['import', fixture('bpmn/hiring.ndjson'), '-m', mapping, '--target', 'flowmyna', '--endpoint', sandbox!.url, '--json', '--no-journal'], {
      env: { FLOWMYNA_API_KEY: sandbox!.token },
    });
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.skipped).toBeGreaterThan(0);
    expect(summary.accepted + summary.skipped).toBe(25);
    const names = sandbox!.stats.stored.map((stored) => (stored.body as { event: string }).event);
    expect(names.every((name) => name.endsWith(' completed'))).toBe(true);
    });
  });
});

describe('bpmn import with a mapping file laid over the default mapping', () => {
  it('gives every event the mapped actor for immutable, keeping the default mapping for the rest', async () => {
    sandbox = await startSandbox({ target: 'immutable' });
    await withTempDir(async (dir) => {
      const mapping = join(dir, 'actor.json');
      await writeFile(mapping, JSON.stringify({ actor: { id: { const: 'baw-system' } } }));
      const result = await runCli(['import', fixture('bpmn/hiring.json'), '--target', 'immutable', '--endpoint', sandbox!.url, '--mapping', mapping, '--json', '--no-journal'], {
        env: { IMMUTABLE_API_KEY: sandbox!.token },
      });
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toMatchObject({ read: 25, accepted: 25, rejectedLocal: 0, rejectedServer: 0 });
      expect(result.code).toBe(0);
      const bodies = sandbox!.stats.stored.map((stored) => stored.body as { actor_id: string; action: string });
      expect(bodies).toHaveLength(25);
      expect(bodies.every((body) => body.actor_id === 'baw-system')).toBe(true);
      expect(bodies.map((body) => body.action)).toContain('Standard HR Open New Position started'); // the default event names
    });
  });

  it('does the same with --sandbox, as docs/bpmn.md shows', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'actor.json'), JSON.stringify({ actor: { id: { const: 'baw-system' } } }));
      const result = await runCli(['import', fixture('bpmn/hiring.json'), '--target', 'immutable', '--sandbox', '--mapping', 'actor.json', '--json'], { cwd: dir });
      expect(JSON.parse(result.stdout)).toMatchObject({ read: 25, accepted: 25, rejectedLocal: 0, rejectedServer: 0 });
      expect(result.code).toBe(0);
    });
  });

  it('adds mapped properties to the default ones', async () => {
    sandbox = await startSandbox({ target: 'flowmyna' });
    await withTempDir(async (dir) => {
      const mapping = join(dir, 'extra.json');
      await writeFile(mapping, JSON.stringify({ properties: { source_system: { const: 'baw-prod' } } }));
      const result = await runCli(['import', fixture('bpmn/hiring.ndjson'), '-m', mapping, '--target', 'flowmyna', '--endpoint', sandbox!.url, '--json', '--no-journal'], {
        env: { FLOWMYNA_API_KEY: sandbox!.token },
      });
      expect(result.code).toBe(0);
      const properties = sandbox!.stats.stored.map((stored) => (stored.body as { properties: Record<string, unknown> }).properties);
      expect(properties).toHaveLength(25);
      expect(properties.every((p) => p.source_system === 'baw-prod' && typeof p.sequence_id === 'number')).toBe(true);
    });
  });
});

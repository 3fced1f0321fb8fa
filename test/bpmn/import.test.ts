// Importing the BPMN fixture into the FlowMyna sandbox with no mapping file: every event of one
// process instance is linked through the same case object.
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fixture, runCli, withTempDir } from '../helpers.js';

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

// --max-error-rate P: stop once more than P% of the records are invalid, judged from the 100th
// record on; the guard itself, and validate using it.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorRateGuard } from '../../src/report/error-rate.js';
import { runCli, withTempDir } from '../helpers.js';

const simpleMapping = { event: 'activity', timestamp: 'at', objects: [{ type: { const: 'Case' }, id: 'case' }] };

/** `rows` CSV rows where every `badEvery`-th row (the 1st, the 11th, ...) has no valid timestamp. */
function csvWithBadRows(rows: number, badEvery: number): string {
  const lines = ['case,activity,at'];
  for (let i = 0; i < rows; i++) lines.push(`C${i},a,${i % badEvery === 0 ? 'not a time' : '2024-01-01T10:00:00Z'}`);
  return `${lines.join('\n')}\n`;
}

describe('ErrorRateGuard', () => {
  it('says nothing before 100 records, however many are invalid', () => {
    const guard = new ErrorRateGuard(5);
    for (let i = 0; i < 99; i++) expect(guard.observe(false)).toBe(false);
    expect(guard.observe(false)).toBe(true);
  });

  it('trips only when the share is more than P percent, and stays tripped', () => {
    const guard = new ErrorRateGuard(5);
    for (let i = 0; i < 95; i++) guard.observe(true);
    for (let i = 0; i < 5; i++) expect(guard.observe(false)).toBe(false); // 5 of 100 is not more than 5%
    expect(guard.observe(false)).toBe(true); // 6 of 101
    expect(guard.observe(true)).toBe(true);
    expect(guard.message()).toBe('stopped: 6 of the first 101 records are invalid (5.9%), more than --max-error-rate 5%');
  });

  it('with 0 stops at the 100th record if any was invalid; with 100 never stops', () => {
    const zero = new ErrorRateGuard(0);
    zero.observe(false);
    for (let i = 0; i < 98; i++) expect(zero.observe(true)).toBe(false);
    expect(zero.observe(true)).toBe(true);
    const hundred = new ErrorRateGuard(100);
    for (let i = 0; i < 500; i++) expect(hundred.observe(false)).toBe(false);
  });

  it('refuses a percentage outside 0-100', () => {
    expect(() => new ErrorRateGuard(101)).toThrow('--max-error-rate must be a percentage from 0 to 100, got 101');
    expect(() => new ErrorRateGuard(-1)).toThrow(/from 0 to 100/);
    expect(() => new ErrorRateGuard(Number.NaN)).toThrow(/from 0 to 100/);
  });
});

describe('validate --max-error-rate', () => {
  it('stops early at 10% invalid with --max-error-rate 5: exit 1 and one clear message', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'm.json'), JSON.stringify(simpleMapping));
      await writeFile(join(dir, 'rows.csv'), csvWithBadRows(300, 10));
      const result = await runCli(['validate', 'rows.csv', '-m', 'm.json', '--max-error-rate', '5', '--max-errors', '0'], { cwd: dir });
      expect(result.code).toBe(1);
      // --max-errors 0 lists every invalid record read before the stop.
      expect(result.stdout.split('\n').slice(-3)).toEqual(['100 records read: 90 valid, 10 invalid', expect.stringMatching(/^  10 × EL_/), '']);
      expect(result.stderr).toBe('eventload: EL_ERROR_RATE_EXCEEDED: stopped: 10 of the first 100 records are invalid (10%), more than --max-error-rate 5%\n');
    });
  });

  it('reads to the end with --max-error-rate 20 and exits 1 for the invalid rows alone', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'm.json'), JSON.stringify(simpleMapping));
      await writeFile(join(dir, 'rows.csv'), csvWithBadRows(300, 10));
      const result = await runCli(['validate', 'rows.csv', '-m', 'm.json', '--max-error-rate', '20', '--max-errors', '0'], { cwd: dir });
      expect(result).toMatchObject({ code: 1, stderr: '' });
      expect(result.stdout.split('\n').slice(-3)).toEqual(['300 records read: 270 valid, 30 invalid', expect.stringMatching(/^  30 × EL_/), '']);
    });
  });

  it('exits 0 when every record is valid', async () => {
    const result = await runCli(['validate', 'fixtures/orders.csv', '-m', 'fixtures/orders.mapping.json', '--max-error-rate', '0']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
  });

  it('marks the stop in the JSON report and skips unread files in JUnit', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, 'm.json'), JSON.stringify(simpleMapping));
      await writeFile(join(dir, 'rows.csv'), csvWithBadRows(300, 2));
      await writeFile(join(dir, 'later.csv'), csvWithBadRows(3, 100));
      const json = await runCli(['validate', 'rows.csv', 'later.csv', '-m', 'm.json', '--max-error-rate', '10', '--max-errors', '1', '--reporter', 'json'], { cwd: dir });
      expect(JSON.parse(json.stdout)).toMatchObject({ read: 100, valid: 50, invalid: 50, stopped: 'stopped: 50 of the first 100 records are invalid (50%), more than --max-error-rate 10%' });
      const junit = await runCli(['validate', 'rows.csv', 'later.csv', '-m', 'm.json', '--max-error-rate', '10', '--max-errors', '1', '--reporter', 'junit'], { cwd: dir });
      expect(junit.stdout).toContain('<testcase name="later.csv" classname="eventload.validate" time="0.000">\n      <skipped message="not read: the run stopped at --max-error-rate"/>');
      expect(junit.stdout).toContain('skipped="1"');
      expect(junit.code).toBe(1);
    });
  });

  it('refuses a rate that is not a percentage (exit 2)', async () => {
    const result = await runCli(['validate', 'fixtures/orders.csv', '-m', 'fixtures/orders.mapping.json', '--max-error-rate', '150']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('expected a percentage from 0 to 100, got "150"');
  });
});

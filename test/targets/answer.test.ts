// What an answer means for its events, the same for every target: a server failure or a 2xx that
// confirms nothing is "not sent" (retry), never a delivery and never a rejection.
import { describe, expect, it } from 'vitest';
import { describeBody, maskTokens, meaningOf } from '../../src/targets/answer.js';
import type { Response } from '../../src/targets/types.js';

const accepted = () => [{ kind: 'accepted' as const }];
const refused = (response: Response) => [{ kind: 'rejected' as const, status: response.status, message: 'bad' }];

describe('meaningOf', () => {
  it('retries every server failure, and never hands it to the target as a rejection', () => {
    for (const status of [408, 425, 429, 500, 502, 503, 504]) {
      expect(meaningOf({ status, body: { detail: 'down' } }, refused)).toMatchObject({ kind: 'retry', unconfirmed: false });
    }
  });

  it('gives a refusal of the content to the target', () => {
    expect(meaningOf({ status: 422, body: { detail: 'bad' } }, refused)).toEqual({ kind: 'outcomes', outcomes: [{ kind: 'rejected', status: 422, message: 'bad' }] });
  });

  it('retries a 2xx with an empty, HTML or truncated body before the target reads it', () => {
    const read = () => {
      throw new Error('not called');
    };
    expect(meaningOf({ status: 200, body: undefined, text: '', headers: {} }, read)).toMatchObject({ kind: 'retry', unconfirmed: true, reason: expect.stringContaining('an empty body') });
    expect(meaningOf({ status: 200, body: '<html><title>Sign in</title>', text: '<html><title>Sign in</title>', headers: { 'content-type': 'text/html' } }, read)).toMatchObject({
      kind: 'retry',
      reason: expect.stringMatching(/HTML page \(text\/html, starts "<html><title>Sign in<\/title>"\).*endpoint looks wrong/),
    });
    expect(meaningOf({ status: 200, body: '{"success":true,"proc', text: '{"success":true,"proc', headers: { 'content-type': 'application/json' } }, read)).toMatchObject({
      kind: 'retry',
      reason: expect.stringContaining('not JSON, truncated'),
    });
  });

  it('retries a 2xx the target says confirms nothing, and delivers one it understands', () => {
    expect(meaningOf({ status: 200, body: {} }, () => ({ unconfirmed: 'why' }))).toEqual({ kind: 'retry', reason: 'HTTP 200 confirmed nothing: why', unconfirmed: true });
    expect(meaningOf({ status: 202, body: {} }, accepted)).toEqual({ kind: 'outcomes', outcomes: [{ kind: 'accepted' }] });
  });

  it('stops on a redirect or 501, naming where it points', () => {
    expect(meaningOf({ status: 301, body: undefined, headers: { location: 'https://login.example/' } }, accepted)).toMatchObject({ kind: 'stop', reason: expect.stringContaining('redirects to https://login.example/') });
    expect(meaningOf({ status: 501, body: undefined }, accepted)).toMatchObject({ kind: 'stop' });
    expect(meaningOf({ status: 401, body: undefined }, accepted)).toEqual({ kind: 'auth', status: 401 });
  });
});

describe('describing a body', () => {
  it('never repeats a token the page echoes', () => {
    const key = `fm_live_${'s'.repeat(32)}`;
    const text = `<html>Bearer ${key} is not valid here</html>`;
    const described = describeBody({ status: 200, body: text, text, headers: { 'content-type': 'text/html' } });
    expect(described).not.toContain('s'.repeat(32));
    expect(maskTokens(`token ${key} and eyJhbGciOi.eyJzdWIiOiIx.c2ln`)).toBe('token fm_live_… and eyJ…');
  });
});

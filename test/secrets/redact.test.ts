// The secrets registry and `redact`: every form a secret takes in written text is replaced by a
// short form that tells which key it was without giving it away.
import { PassThrough } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { addAuthorization, addSecret, addSecretsFromEnv, clearSecrets, isSecretVariable, redact, redactWrites, shortForm } from '../../src/secrets/redact.js';

const KEY = 'fm_live_0123456789abcdefghijklmnopqrstuv';

beforeEach(() => clearSecrets());

describe('redact', () => {
  it('replaces a key with its prefix and last 4 characters, wherever it appears', () => {
    addSecret(KEY);
    expect(redact(`422 {"detail":"bad token Bearer ${KEY}"} and again ${KEY}.`)).toBe('422 {"detail":"bad token Bearer fm_live_…stuv"} and again fm_live_…stuv.');
  });

  it('also replaces its JSON-escaped, double-escaped, \\u-escaped, URL-encoded and base64 forms', () => {
    const password = 'pa"ss wörd/\\1';
    addSecret(password, { hideAll: true });
    const once = JSON.stringify(password).slice(1, -1);
    const twice = JSON.stringify(once).slice(1, -1);
    const ascii = once.replace('ö', '\\u00f6');
    const base64 = Buffer.from(password).toString('base64');
    for (const form of [password, once, twice, ascii, encodeURIComponent(password), base64, Buffer.from(password).toString('base64url')]) {
      expect(redact(`<${form}>`), form).toBe('<…>');
    }
  });

  it('shows nothing of a short secret or a password, and leaves values too short to be told from text alone', () => {
    expect(shortForm('abcdefgh12')).toBe('…');
    expect(shortForm('0123456789012345678901234', true)).toBe('…');
    expect(shortForm('imk_0123456789abcdefghij')).toBe('imk_…ghij');
    addSecret('abc');
    expect(redact('abc abcdef')).toBe('abc abcdef');
  });

  it('takes the credential out of an Authorization value, and user:password out of Basic', () => {
    addAuthorization(`Bearer ${KEY}`);
    expect(redact(`echo: ${KEY}`)).toBe('echo: fm_live_…stuv');
    addAuthorization(`Basic ${Buffer.from('ops@example.com:hunter2-secret').toString('base64')}`);
    expect(redact('login ops@example.com:hunter2-secret, password hunter2-secret')).toBe('login …, password …');
  });

  it('treats the targets’ key, token and password variables as secrets, not the login e-mail', () => {
    expect(['FLOWMYNA_API_KEY', 'IMMUTABLE_API_KEY', 'FLARING_TOKEN', 'FLARING_PASSWORD'].every(isSecretVariable)).toBe(true);
    expect(isSecretVariable('FLARING_EMAIL')).toBe(false);
    addSecretsFromEnv({ FLARING_PASSWORD: 'correct horse battery', FLARING_EMAIL: 'ops@example.com' }, ['FLARING_PASSWORD', 'FLARING_EMAIL']);
    expect(redact('ops@example.com / correct horse battery')).toBe('ops@example.com / …');
  });

  it('redacts what is written to a guarded stream, strings and bytes alike', async () => {
    const stream = new PassThrough();
    redactWrites(stream as unknown as NodeJS.WriteStream);
    addSecret(KEY);
    stream.write(`a ${KEY}\n`);
    stream.write(Buffer.from(`b ${KEY}\n`));
    stream.end();
    let text = '';
    for await (const chunk of stream) text += chunk;
    expect(text).toBe('a fm_live_…stuv\nb fm_live_…stuv\n');
  });
});

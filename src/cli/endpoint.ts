// Endpoint checks: a valid URL, and no plain http:// to another machine without --allow-http
// (the token would cross the network in clear text).
import { ConfigError } from '../errors.js';

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/i;

export function checkEndpoint(endpoint: string, allowHttp: boolean): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ConfigError(`--endpoint: "${endpoint}" is not a URL (expected e.g. https://api.example.com)`, 'EL_ENDPOINT_INVALID');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`--endpoint: ${url.protocol} is not supported (use https:// or http://)`, 'EL_ENDPOINT_INVALID');
  if (url.username || url.password) throw new ConfigError('--endpoint: put credentials in environment variables, not in the URL', 'EL_ENDPOINT_INVALID');
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname) && !allowHttp) {
    throw new ConfigError(`--endpoint ${url.origin} is plain http to another machine; the token would travel unencrypted. Use https, or pass --allow-http`, 'EL_ENDPOINT_INSECURE');
  }
  return endpoint.replace(/\/+$/, '');
}

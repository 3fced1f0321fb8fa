// Flaring monitor login: POST /api/v1/auth/token trades email + password for a JWT-shaped bearer
// token that expires. Expiry is kept server-side in milliseconds so tests can use sub-second
// lifetimes instead of waiting out whole seconds.
import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import type { Reply, Route } from '../../sandbox/types.js';
import { toFastApiDetail } from '../../sandbox/validation.js';

/** The one account the sandbox knows. */
export const SANDBOX_LOGIN = { email: 'sandbox@example.com', password: 'sandbox' } as const;

export const TOKEN_PATH = '/api/v1/auth/token';

const loginSchema = z.object({ email: z.string(), password: z.string() });

interface Session {
  user: string;
  expiresAt: number;
}

export interface FlaringAuth {
  loginRoute: Route;
  /** The caller (rate-limit bucket) behind a valid token, else undefined. */
  authenticate(headers: IncomingHttpHeaders): string | undefined;
}

export function createFlaringAuth(staticToken: string, ttlSeconds: number): FlaringAuth {
  const sessions = new Map<string, Session>();
  const secret = randomBytes(32); // per sandbox: tokens from another run are unknown here

  const loginRoute: Route = {
    method: 'POST',
    path: TOKEN_PATH,
    public: true,
    handle({ body }): Reply {
      const parsed = loginSchema.safeParse(body);
      if (!parsed.success) return { status: 422, body: { detail: toFastApiDetail(parsed.error.issues, body) } };
      const { email, password } = parsed.data;
      if (email !== SANDBOX_LOGIN.email || password !== SANDBOX_LOGIN.password) {
        return { status: 401, body: { detail: 'Incorrect email or password' }, headers: { 'www-authenticate': 'Bearer' } };
      }
      const expiresAt = Date.now() + ttlSeconds * 1000;
      const token = signToken(secret, email, expiresAt);
      sessions.set(token, { user: email, expiresAt });
      return { status: 200, body: { access_token: token, token_type: 'bearer', expires_in: ttlSeconds } };
    },
  };

  return {
    loginRoute,
    authenticate(headers) {
      const token = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
      if (token === undefined) return undefined;
      if (token === staticToken) return 'static-token';
      const session = sessions.get(token);
      if (session === undefined) return undefined;
      if (Date.now() >= session.expiresAt) {
        sessions.delete(token);
        return undefined;
      }
      return `user:${session.user}`;
    },
  };
}

/** HS256 JWT, so clients that peek at `exp` see a plausible value; `jti` keeps tokens unique. */
function signToken(secret: Buffer, subject: string, expiresAt: number): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = encode({ alg: 'HS256', typ: 'JWT' });
  const payload = encode({
    sub: subject,
    iat: Math.floor(Date.now() / 1000),
    exp: Math.ceil(expiresAt / 1000),
    jti: randomBytes(8).toString('hex'),
  });
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

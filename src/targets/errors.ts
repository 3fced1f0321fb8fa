// Reading error messages out of the APIs' documented error bodies.
import { redact } from '../secrets/redact.js';

/** FastAPI `{"detail": "…"}` or `{"detail": [{"loc": […], "msg": "…"}]}`; Immutable `{"error","message"}`. */
export function serverMessage(body: unknown, status: number): string {
  if (body && typeof body === 'object') {
    const object = body as Record<string, unknown>;
    const detail = object.detail;
    if (typeof detail === 'string') return detail;
    if (Array.isArray(detail)) return detail.map(describeDetail).join('; ');
    if (typeof object.message === 'string') return typeof object.error === 'string' ? `${object.error}: ${object.message}` : object.message;
    if (typeof object.error === 'string') return object.error;
  }
  if (typeof body === 'string' && body.trim() !== '') return redact(body.trim()).slice(0, 300); // redacted before it is cut: a cut token no longer matches
  return `HTTP ${status}`;
}

function describeDetail(item: unknown): string {
  if (!item || typeof item !== 'object') return String(item);
  const { loc, msg } = item as { loc?: unknown[]; msg?: string };
  const path = Array.isArray(loc) ? loc.filter((part) => part !== 'body').join('.') : '';
  return path ? `${path}: ${msg ?? 'invalid'}` : (msg ?? 'invalid');
}

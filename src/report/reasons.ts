// Rejected records counted by reason code, never by message: messages quote the value, so 100,000
// rows with the same mistake would otherwise give 100,000 different "reasons". Each group keeps
// its first record as the example a user can look at.
import { formatIssues, reasonOf, type Issue, type Position } from '../errors.js';
import type { ReasonCode } from '../codes.js';
import { redact } from '../secrets/redact.js';

export interface ReasonGroup {
  code: ReasonCode;
  /** For EL_SERVER_REJECTED: the HTTP status (a 413 and a 422 are different problems). */
  status?: number;
  count: number;
  /** The first record rejected for this reason. */
  example: { file: string; line: number; message: string };
}

export class ReasonTally {
  private readonly groups = new Map<string, ReasonGroup>();

  add(issues: readonly Issue[], position: Position, status?: number): void {
    const code = reasonOf(issues);
    const key = status === undefined ? code : `${code} ${status}`;
    const group = this.groups.get(key);
    if (group) group.count++;
    else this.groups.set(key, { code, ...(status !== undefined && { status }), count: 1, example: { file: position.file, line: position.line, message: formatIssues(issues) } });
  }

  /** Most frequent first; ties in the order first seen. */
  list(): ReasonGroup[] {
    return [...this.groups.values()].sort((a, b) => b.count - a.count);
  }
}

/** `100000 × EL_TIMESTAMP_NO_ZONE (first at line 2 of orders.csv: timestamp: …)`; `maxMessage` clips the example. */
export function formatReason(group: ReasonGroup, countWidth = 0, maxMessage = 200): string {
  const full = redact(group.example.message); // before it is cut: a cut token no longer matches
  const message = full.length > maxMessage ? `${full.slice(0, maxMessage - 1)}…` : full;
  const code = group.status === undefined ? group.code : `${group.code} (HTTP ${group.status})`;
  return `${String(group.count).padStart(countWidth)} × ${code} (first at line ${group.example.line} of ${group.example.file}: ${message})`;
}

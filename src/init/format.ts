// Writes a mapping as people write them: small objects on one line, larger ones broken up.
// Plain JSON either way (JSON.parse reads it back to the same value).

const WIDTH = 100;

/** `used`: characters already on the line before the value (indent and key). */
export function formatJson(value: unknown, indent = '', used = indent.length): string {
  const inline = inlineJson(value);
  if (value === null || typeof value !== 'object' || used + inline.length <= WIDTH) return inline;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => `${inner}${formatJson(item, inner)}`).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([key, item]) => `${inner}${JSON.stringify(key)}: ${formatJson(item, inner, inner.length + JSON.stringify(key).length + 2)}`).join(',\n')}\n${indent}}`;
}

/** `{ "const": "Case" }`: JSON.stringify with a space after each separator, as in docs/mapping.md. */
function inlineJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(inlineJson).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
  return entries.length === 0 ? '{}' : `{ ${entries.map(([key, item]) => `${JSON.stringify(key)}: ${inlineJson(item)}`).join(', ')} }`;
}

// Text in the report's HTML: every value from the data (event names, file names, messages) is
// escaped, so an event called "<script>" is shown, never run.

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Whole numbers as the summary prints them (no separators: the page's figures equal --json's); fractions to 2 places. */
export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2).replace(/\.?0+$/, '');
}

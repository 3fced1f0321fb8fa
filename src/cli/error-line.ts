// The one line every error ends a run with: `eventload: what went wrong`. One line, so cron mail
// and log greps see all of it. (The error's code is not shown yet: see the report of this change.)

export function errorLine(_code: string, message: string): string {
  const oneLine = message.replace(/\s*\r?\n\s*/g, ' ').trim();
  return `eventload: ${oneLine}\n`;
}

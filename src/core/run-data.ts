// The run's report data, gathered from the same typed events every front end sees: the core feeds
// them to a RunDataBuilder (src/report/run-data.ts), so the aggregate counts exactly what the
// summary and the progress line count, and a caller can build one the same way from `deliver`'s events.
import { RunDataBuilder } from '../report/run-data.js';
import type { DeliveryEvent } from './events.js';

/** Feeds one delivery event to the builder (everything but `finished`, which the caller closes with). */
export function observe(builder: RunDataBuilder, event: DeliveryEvent): void {
  switch (event.type) {
    case 'started':
      builder.start({ command: event.command, target: event.target, endpoint: event.endpoint, dryRun: event.dryRun });
      break;
    case 'read':
      builder.read(event.count);
      break;
    case 'sent':
      builder.sent(event.events.map((item) => item.event));
      break;
    case 'answered':
      builder.answered(event, event.arrived.map((item) => item.event), event.latencyMs);
      break;
    case 'retried':
      builder.retried(event);
      break;
    case 'rejected':
      builder.rejected(event.position, event.issues, event.status, event.stage !== 'server');
      break;
    default:
      break;
  }
}

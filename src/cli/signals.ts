// Ctrl-C and SIGTERM during a delivery. First: stop reading and let requests on the wire finish
// (the core cuts them off after --drain-timeout; they stay "in flight" in the journal and the next
// run resends them). Second: quit at once; the journal is consistent at every instant.
import { EXIT } from '../errors.js';

export interface StopSignals {
  /** The first signal received, if any. */
  readonly signal: NodeJS.Signals | undefined;
  /** Sending is over: a first signal now only waits for the summary (a second still quits). */
  runOver(): void;
  dispose(): void;
}

export function installStopSignals(stop: () => void): StopSignals {
  let received: NodeJS.Signals | undefined;
  let over = false;
  const handler = (signal: NodeJS.Signals) => {
    if (received) {
      process.stderr.write('\neventload: stopped at once\n');
      process.exit(signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted);
    }
    received = signal;
    if (!over) stop();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    get signal() {
      return received;
    },
    runOver: () => void (over = true),
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

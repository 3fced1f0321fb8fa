// Lifecycle phases of BPMN raw events: what the event `type` says happened, in words.
//
//   bpmnx:PROCESS_STARTED               → subject process,  phase "started"
//   bpmnx:ACTIVITY_COMPLETED            → subject activity, phase "completed"
//   wle:PROCESS_AT_RISK_DATE_ASSIGNED   → subject process,  phase "at risk date assigned"
//   bpmnx:ACTIVITY_LOOP_CONDITION_TRUE  → subject activity, phase "loop condition true"
//   bpmnx:GATEWAY_ACTIVATED (any other) → subject other,    phase "gateway activated"
//
// The namespace before the last `:` is dropped, then a leading PROCESS_ or ACTIVITY_ names the
// subject, and the rest becomes lower-case words (underscores and stray spaces become one space).

export type Subject = 'process' | 'activity' | 'other';

export interface Phase {
  subject: Subject;
  /** Lower-case words, e.g. "completed" or "at risk date assigned". */
  phase: string;
}

// A dump holds a few dozen distinct types: compute each once.
const known = new Map<string, Phase>();
const KNOWN_LIMIT = 10_000;

export function phaseOf(type: string): Phase {
  let phase = known.get(type);
  if (phase === undefined) {
    phase = computePhase(type);
    if (known.size >= KNOWN_LIMIT) known.clear();
    known.set(type, phase);
  }
  return phase;
}

/** True for PROCESS_COMPLETED and ACTIVITY_COMPLETED: the one event per activity or process that `phases: completed` keeps. */
export function isCompleted(type: string): boolean {
  const { subject, phase } = phaseOf(type);
  return subject !== 'other' && phase === 'completed';
}

function computePhase(type: string): Phase {
  const local = type.slice(type.lastIndexOf(':') + 1).trim();
  const upper = local.toUpperCase();
  let subject: Subject = 'other';
  let rest = local;
  if (upper.startsWith('PROCESS_')) {
    subject = 'process';
    rest = local.slice('PROCESS_'.length);
  } else if (upper.startsWith('ACTIVITY_')) {
    subject = 'activity';
    rest = local.slice('ACTIVITY_'.length);
  }
  const words = toWords(rest);
  return { subject, phase: words === '' ? toWords(local) : words };
}

function toWords(text: string): string {
  return text.toLowerCase().replace(/[_\s]+/g, ' ').trim();
}

// Where along the way a record was rejected: read, map, validate (here), target, server (upload),
// or verify (delivered, then not found as sent when read back).
// Its own module, below the pipeline, because the rejects file writes it and the rejects reader
// checks it: neither has to depend on the pipeline for one word.
export const STAGES = ['read', 'map', 'validate', 'target', 'server', 'verify'] as const;

export type Stage = (typeof STAGES)[number];

// The content of an OCEL input as a file that can be read more than once (a second pass when
// events come before objects) or opened by a library (SQLite); removed afterwards in every case.
import { spool, type Rewindable } from '../input.js';
import type { ReaderInput } from '../types.js';

export async function* withRewindable<T>(input: ReaderInput, body: (file: Rewindable) => AsyncGenerator<T>): AsyncGenerator<T> {
  const file = input.rewindable ? await input.rewindable() : await spool(input.stream);
  try {
    yield* body(file);
  } finally {
    await file.dispose();
  }
}

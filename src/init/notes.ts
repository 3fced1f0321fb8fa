// Notes from `eventload init`: what it guessed and why, and what the user must check.

/** `guess`: what was chosen and why; `check`: what the user must confirm before importing. */
export interface Note {
  kind: 'guess' | 'check';
  text: string;
}

/** A column name as it is shown in notes: quoted, so `Case ID` reads as one name. */
export function quote(name: string): string {
  return JSON.stringify(name);
}

/** `3 of 200`: in how many sampled rows a column is empty. */
export function missing(profile: { total: number; filled: number }): string {
  return `${profile.total - profile.filled} of ${profile.total}`;
}

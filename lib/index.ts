/**
 * The public surface of the wirelab teaching library. Exercises and solutions
 * import from `'wirelab'`; everything they may use is re-exported here.
 */
export * from './errors.ts';
export * from './transcript/transcript.ts';

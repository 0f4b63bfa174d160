/** Transcripts: record what crosses the wire, render it as a C:/S: dialogue. */
export * from './transcript.ts';
export * from './decode.ts';
export * from './render.ts';
export * from './peer-wire.ts';

/**
 * The public surface of the wirelab teaching library. Exercises and solutions
 * import from `'wirelab'`; everything they may use is re-exported here.
 */
export * from './errors.ts';
export * from './wait.ts';
export * from './address.ts';
export * from './password.ts';
export * from './transcript/index.ts';
export * from './faults/index.ts';
export * from './framing/line-decoder.ts';
export * from './framing/length-prefixed.ts';
export * from './tcp/options.ts';
export * from './tcp/connection.ts';
export * from './tcp/listen.ts';
export * from './tcp/connect.ts';
export * from './udp/udp-socket.ts';
export * from './throttle/index.ts';
export * from './charts/index.ts';

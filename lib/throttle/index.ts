/** Rate limiting: a token bucket, the interface every limiter implements, and a throttled stream. */
export * from './rate-limiter.ts';
export * from './clock.ts';
export * from './token-bucket.ts';
export * from './throttle-stream.ts';

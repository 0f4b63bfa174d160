/** Fault injection: proxies that make loopback behave like a real, imperfect network. */
export * from './random.ts';
export * from './udp-faults.ts';
export * from './udp-proxy.ts';
export * from './rechunk.ts';
export * from './tcp-proxy.ts';

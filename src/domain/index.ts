/** The domain layer: pure types and pure functions, no I/O. Other folders import it from here. */
export * from './ids.ts';
export * from './errors.ts';
export * from './tenant.ts';
export * from './verdict.ts';
export * from './message.ts';
export * from './outcome.ts';
export * from './duration.ts';
export * from './admin-token.ts';
export * from './ip.ts';
export * from './stream.ts';

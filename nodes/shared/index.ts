export * from './dedupe';
export * from './errors';
export * from './event';
export * from './request';
export * from './secret';
export * from './webhook';
export * from './router';
export * from './descriptions';

// The domain layer (see docs/architecture.md): no Functions imports. Import from here or from a module's index.
export * from './errors';
export * from './clouds';
export * from './config';
export * from './partnership';
export * from './capabilities';
export * from './preflight';
export * from './tenant';
export * from './ownership';
export * from './plan';
export * from './graph';
export * from './teams';
export * from './tables';
export * from './deployment';
export * from './resolve';
export * from './offboarding';
export * from './outbound';
export * from './partnerDomains';

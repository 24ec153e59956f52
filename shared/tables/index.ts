// Table Storage repositories (see docs/architecture.md). Each repository takes a TableClientFactory.
export { TableClientFactory, createTableClientFactory, storageError, storageStatus } from './client';
export type { TableClientFactoryOptions } from './client';
export * from './partnerships';
export * from './events';
export * from './subscriptions';
export * from './nonces';
export * from './keys';
export * from './writers';

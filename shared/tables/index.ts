// Table Storage repositories (design §5). Each repository takes a TableClientFactory.
export { TableClientFactory, createTableClientFactory, storageError, storageStatus } from './client';
export type { TableClientFactoryOptions } from './client';

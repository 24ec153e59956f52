// Teams tenant settings: the configuration contract, changes as intent, and the two adapters.
export * from './configurations';
export * from './changes';
export type { TeamsAdapter, TeamsApplyOutcome, TeamsVerification } from './adapter';
export { TeamsRestAdapter } from './rest';
export type { TeamsRestAdapterOptions } from './rest';
export { ManualTeamsAdapter, manualScript, unknownTeamsConfiguration } from './manual';
export type { ManualTeamsAdapterOptions } from './manual';

// What the handshake's entry points need from Durable Functions, as a small interface: the HTTP
// triggers adapt their DurableClient to it (functions/durable.ts), so the entry points stay free
// of Functions imports and say exactly which durable operations they rely on.

export interface OrchestrationStarter {
  /**
   * Starts `orchestration` as instance `instanceId` unless that instance already exists (then
   * nothing happens): starting is idempotent, so a retried request never runs a workflow twice.
   */
  startOnce(orchestration: string, instanceId: string, input: unknown): Promise<void>;
  /** Raises an event to a running instance (kept until the orchestrator waits for it). */
  raiseEvent(instanceId: string, eventName: string, data: unknown): Promise<void>;
}

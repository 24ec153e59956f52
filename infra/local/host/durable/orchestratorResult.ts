// What durable-functions' orchestrator handler answers: its state as JSON (done or not, the
// actions of the execution so far, output, custom status), or, when the orchestrator threw, an
// error whose message carries that state after `$OutOfProcData$:`.
import { OrchestratorAction } from './replay';

const OUT_OF_PROC_LABEL = '\n\n$OutOfProcData$:';

export interface OrchestratorResult {
  isDone: boolean;
  actions: OrchestratorAction[];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
}

/** Reads what durable-functions returned (or threw, with its state after `$OutOfProcData$:`). */
export function readOrchestratorResult(returnValue: { json?: string | null; string?: string | null } | null | undefined, error: unknown): OrchestratorResult {
  let stateText: string | undefined;
  let errorMessage: string | undefined;
  if (error !== undefined) {
    const message = error instanceof Error ? error.message : String(error);
    const at = message.indexOf(OUT_OF_PROC_LABEL);
    if (at >= 0) {
      stateText = message.slice(at + OUT_OF_PROC_LABEL.length);
      errorMessage = message.slice(0, at);
    } else {
      return { isDone: false, actions: [], error: message || 'The orchestrator function failed' };
    }
  } else {
    stateText = returnValue?.json ?? returnValue?.string ?? undefined;
  }
  if (stateText === undefined) return { isDone: false, actions: [], error: 'The orchestrator function returned no state (is it registered with df.app.orchestration?)' };
  let state: Record<string, unknown>;
  try {
    state = JSON.parse(stateText) as Record<string, unknown>;
  } catch {
    return { isDone: false, actions: [], error: 'The orchestrator function returned a state that is not JSON' };
  }
  const rawActions = Array.isArray(state.actions) ? (state.actions as unknown[]) : [];
  // Schema V2+: one list (nested once for compatibility); V1: one list per episode.
  const actions = (Number(state.schemaVersion ?? 0) >= 1 ? (rawActions[0] as OrchestratorAction[] | undefined) ?? [] : (rawActions as OrchestratorAction[][]).flat()) ?? [];
  const result: OrchestratorResult = { isDone: state.isDone === true, actions, output: state.output, customStatus: state.customStatus };
  const stateError = typeof state.error === 'string' ? state.error : undefined;
  if (stateError !== undefined || errorMessage !== undefined) result.error = stateError ?? errorMessage;
  return result;
}

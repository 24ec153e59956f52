// Invokes a registered function exactly as the Node.js worker's InvocationHandler does:
// programming model → getArguments → preInvocation hooks → invokeFunction → postInvocation hooks
// → getResponse. Inputs and outputs are RPC typed data.
import { randomBytes, randomUUID } from 'node:crypto';
import { Logger } from '../logger';
import { CoreApi, CoreInvocationContext, RpcInvocationResponse, RpcLogCategory, RpcLogLevel, RpcParameterBinding, RpcTypedData, toLogLevel } from './coreApi';
import { AppFunction } from './loader';

export interface InvocationRequest {
  inputData: RpcParameterBinding[];
  triggerMetadata?: Record<string, RpcTypedData>;
  /** Why the function runs, for the "Executing" log line. */
  reason: string;
  retryContext?: { retryCount: number; maxRetryCount: number };
  /** Log the start/end lines at debug level (durable work runs very often). */
  quiet?: boolean;
}

export type InvocationOutcome =
  | { ok: true; response: RpcInvocationResponse; durationMs: number; invocationId: string }
  | { ok: false; error: unknown; durationMs: number; invocationId: string };

export class Invoker {
  /** Count of invocations by function kind, for the metrics endpoint. */
  readonly counts = { http: 0, timer: 0, orchestration: 0, activity: 0, failed: 0 };
  /** What a `durableClient` input receives (set when the app has durable functions). */
  durableClientData?: () => Record<string, unknown>;

  constructor(
    private readonly core: CoreApi,
    private readonly logger: Logger,
  ) {}

  async invoke(fn: AppFunction, request: InvocationRequest): Promise<InvocationOutcome> {
    const invocationId = randomUUID();
    const started = performance.now();
    const quiet = request.quiet === true;
    this.logger.log(quiet ? 'debug' : 'information', `Executing 'Functions.${fn.name}' (Reason='${request.reason}', Id=${invocationId})`);
    this.counts[fn.kind]++;
    try {
      const response = await this.run(fn, request, invocationId);
      const durationMs = performance.now() - started;
      this.logger.log(quiet ? 'debug' : 'information', `Executed 'Functions.${fn.name}' (Succeeded, Id=${invocationId}, Duration=${Math.round(durationMs)}ms)`);
      return { ok: true, response, durationMs, invocationId };
    } catch (error) {
      const durationMs = performance.now() - started;
      this.counts.failed++;
      const expectedDurableFailure = fn.kind === 'orchestration' && error instanceof Error && error.message.includes('$OutOfProcData$');
      if (!expectedDurableFailure) {
        this.logger.error(`Executed 'Functions.${fn.name}' (Failed, Id=${invocationId}, Duration=${Math.round(durationMs)}ms)\n${formatError(error)}`);
      } else {
        this.logger.log('information', `Executed 'Functions.${fn.name}' (Failed, Id=${invocationId}, Duration=${Math.round(durationMs)}ms)`);
      }
      return { ok: false, error, durationMs, invocationId };
    }
  }

  private async run(fn: AppFunction, request: InvocationRequest, invocationId: string): Promise<RpcInvocationResponse> {
    const model = this.core.programmingModel;
    if (!model) throw new Error('No programming model registered (the app never loaded @azure/functions)');
    // Any trigger may take a durable client input (a timer starting orchestrations, for example).
    const inputData = [...request.inputData];
    for (const name of fn.durableClientInputs) {
      if (!this.durableClientData) throw new Error(`Function '${fn.name}' has a durableClient input, but durable storage is not set up`);
      inputData.push({ name, data: { string: JSON.stringify(this.durableClientData()) } });
    }
    const registration = fn.registration;
    const bindings: Record<string, { type: string; direction: string; dataType: string }> = {};
    for (const [name, binding] of Object.entries(registration.metadata.bindings)) {
      bindings[name] = { type: String(binding.type), direction: String(binding.direction ?? 'in'), dataType: String(binding.dataType ?? 'undefined') };
    }
    const logger = this.logger;
    const core = this.core;
    let invocationContextRef: unknown;
    const coreContext: CoreInvocationContext = {
      invocationId,
      request: {
        invocationId,
        functionId: registration.functionId,
        inputData,
        triggerMetadata: request.triggerMetadata ?? {},
        traceContext: { traceParent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`, traceState: '', attributes: {} },
        retryContext: request.retryContext ?? null,
      },
      metadata: {
        name: registration.name,
        functionId: registration.functionId,
        bindings,
        rawBindings: Object.entries(registration.metadata.bindings).map(([name, b]) => JSON.stringify({ ...b, name })),
        retryOptions: registration.metadata.retryOptions ?? null,
        scriptFile: registration.scriptFile ?? 'unknown',
      },
      log(level: RpcLogLevel, category: RpcLogCategory, message: string): void {
        if (category === 'user') {
          const hookContext = { level, message, category, invocationContext: invocationContextRef };
          core.runLogHooks(hookContext);
          level = hookContext.level;
          message = hookContext.message;
        }
        logger.log(toLogLevel(level), message, category === 'user' ? `Functions.${fn.name}` : undefined);
      },
    };

    const invocationModel = await model.getInvocationModel(coreContext);
    const args = await invocationModel.getArguments();
    const context = args.context;
    invocationContextRef = context;
    let inputs = args.inputs;
    let callback = registration.callback;
    const hookData: Record<string, unknown> = {};
    const preContext: Record<string, unknown> = {
      hookData,
      appHookData: this.core.appHookData,
      invocationContext: context,
      inputs,
      functionCallback: callback,
    };
    coreContext.state = 'preInvocationHooks';
    try {
      await this.core.executeHooks('preInvocation', preContext);
    } finally {
      coreContext.state = undefined;
    }
    inputs = preContext.inputs as unknown[];
    callback = preContext.functionCallback as typeof callback;

    const postContext: Record<string, unknown> = { hookData, appHookData: this.core.appHookData, invocationContext: context, inputs, result: null, error: null };
    coreContext.state = 'invocation';
    try {
      postContext.result = await invocationModel.invokeFunction(context, inputs, callback);
    } catch (error) {
      postContext.error = error ?? new Error('The function threw a null or undefined value');
    } finally {
      coreContext.state = undefined;
    }
    coreContext.state = 'postInvocationHooks';
    try {
      await this.core.executeHooks('postInvocation', postContext);
    } finally {
      coreContext.state = undefined;
    }
    if (postContext.error !== null && postContext.error !== undefined) throw postContext.error;
    return invocationModel.getResponse(context, postContext.result);
  }
}

export function formatError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}

/** Converts a function's returned typed data into JSON text (null for no value). */
export function typedDataToJson(data: RpcTypedData | null | undefined): string | null {
  if (!data) return null;
  if (typeof data.json === 'string') return data.json;
  if (typeof data.string === 'string') return JSON.stringify(data.string);
  if (typeof data.int === 'number' || typeof data.int === 'bigint') return String(data.int);
  if (typeof data.double === 'number') return Number.isFinite(data.double) ? String(data.double) : 'null';
  if (data.bytes) return JSON.stringify(Buffer.from(data.bytes).toJSON());
  if (data.int !== undefined && data.int !== null) return String(data.int);
  return null;
}

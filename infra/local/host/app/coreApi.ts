// The host's implementation of `@azure/functions-core`, the module the Node.js worker builds in
// and `@azure/functions` requires at run time (types: azure-functions-nodejs-library/types-core).
// Made resolvable by hooking Node's module loader for that one name, as the worker does.
import Module from 'node:module';
import { parseLogLevel, type LogLevel } from '../logger';

export type RpcLogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';
export type RpcLogCategory = 'user' | 'system' | 'customMetric';

export interface RpcBindingInfo {
  type?: string | null;
  direction?: 'in' | 'out' | 'inout' | null;
  dataType?: string | null;
  [key: string]: unknown;
}

export interface FunctionMetadata {
  name: string;
  functionId?: string;
  bindings: Record<string, RpcBindingInfo>;
  retryOptions?: Record<string, unknown>;
}

export type FunctionCallback = (...args: unknown[]) => unknown;
export type HookCallback = (context: Record<string, unknown>) => unknown;

export interface RpcTypedData {
  string?: string | null;
  json?: string | null;
  bytes?: Uint8Array | null;
  stream?: Uint8Array | null;
  http?: RpcHttpData | null;
  int?: number | null;
  double?: number | null;
  [key: string]: unknown;
}

export interface RpcHttpData {
  method?: string | null;
  url?: string | null;
  headers?: Record<string, string> | null;
  body?: RpcTypedData | null;
  params?: Record<string, string> | null;
  statusCode?: string | null;
  query?: Record<string, string> | null;
  enableContentNegotiation?: boolean | null;
  cookies?: RpcHttpCookie[] | null;
  [key: string]: unknown;
}

export interface RpcHttpCookie {
  name?: string | null;
  value?: string | null;
  domain?: { value?: string | null } | null;
  path?: { value?: string | null } | null;
  expires?: { value?: { seconds?: number | string | null; nanos?: number | null } | null } | null;
  secure?: { value?: boolean | null } | null;
  httpOnly?: { value?: boolean | null } | null;
  sameSite?: string | null;
  maxAge?: { value?: number | null } | null;
}

export interface RpcParameterBinding {
  name?: string | null;
  data?: RpcTypedData | null;
}

export interface RpcInvocationResponse {
  invocationId?: string | null;
  outputData?: RpcParameterBinding[] | null;
  returnValue?: RpcTypedData | null;
}

export interface CoreInvocationContext {
  invocationId: string;
  request: {
    invocationId: string;
    functionId: string;
    inputData: RpcParameterBinding[];
    triggerMetadata: Record<string, RpcTypedData>;
    traceContext: { traceParent: string; traceState: string; attributes: Record<string, string> };
    retryContext?: { retryCount: number; maxRetryCount: number } | null;
  };
  metadata: Record<string, unknown>;
  state?: 'preInvocationHooks' | 'postInvocationHooks' | 'invocation';
  log(level: RpcLogLevel, category: RpcLogCategory, message: string): void;
}

export interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], callback: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<RpcInvocationResponse>;
}

export interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(context: CoreInvocationContext): InvocationModel | Promise<InvocationModel>;
  getCapabilities?(capabilities: Record<string, string>): Record<string, string> | Promise<Record<string, string>>;
}

export interface RegisteredFunction {
  name: string;
  functionId: string;
  metadata: FunctionMetadata;
  callback: FunctionCallback;
  /** File that was loading when the function registered (for the function list). */
  scriptFile?: string;
}

/** The worker's Disposable: `new Disposable(fn)`, `Disposable.from(...)`. */
export class Disposable {
  static from(...likes: { dispose: () => unknown }[]): Disposable {
    return new Disposable(() => {
      for (const like of likes) like.dispose();
    });
  }
  #callOnDispose?: () => unknown;
  constructor(callOnDispose: () => unknown) {
    this.#callOnDispose = callOnDispose;
  }
  dispose(): unknown {
    const call = this.#callOnDispose;
    this.#callOnDispose = undefined;
    return call?.();
  }
}

export const WORKER_VERSION = '3.10.1-local';
export const HOST_VERSION = '4.1037.0-local';
export const CORE_MODULE_NAME = '@azure/functions-core';

export type CoreLogSink = (level: LogLevel, category: RpcLogCategory, message: string) => void;

/** App-wide state the core module exposes: the programming model, registered functions, hooks. */
export class CoreApi {
  programmingModel?: ProgrammingModel;
  readonly functions = new Map<string, RegisteredFunction>();
  readonly hooks = new Map<string, HookCallback[]>();
  readonly appHookData: Record<string, unknown> = {};
  readonly appLevelOnlyHookData: Record<string, unknown> = {};
  indexingLocked = false;
  currentEntryPoint?: string;

  constructor(private readonly logSink: CoreLogSink) {}

  /** The object `require('@azure/functions-core')` returns. */
  readonly module = {
    version: WORKER_VERSION,
    hostVersion: HOST_VERSION,
    registerHook: (hookName: string, callback: HookCallback): Disposable => this.registerHook(hookName, callback),
    setProgrammingModel: (model: ProgrammingModel): void => {
      this.programmingModel = model;
    },
    getProgrammingModel: (): ProgrammingModel | undefined => this.programmingModel,
    log: (level: RpcLogLevel, category: RpcLogCategory, message: string): void => this.logSink(toLogLevel(level), category, message),
    registerFunction: (metadata: FunctionMetadata, callback: FunctionCallback): Disposable => this.registerFunction(metadata, callback),
    Disposable,
  };

  registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
    if (this.indexingLocked) throw new Error('A function can only be registered during app startup.');
    const functionId = metadata.functionId || metadata.name;
    if (this.functions.has(functionId)) throw new Error(`A function with id "${functionId}" has already been registered.`);
    this.functions.set(functionId, { name: metadata.name, functionId, metadata, callback, scriptFile: this.currentEntryPoint });
    return new Disposable(() => {
      if (this.indexingLocked) throw new Error('A function can only be disposed during app startup.');
      this.functions.delete(functionId);
    });
  }

  registerHook(hookName: string, callback: HookCallback): Disposable {
    const known = ['preInvocation', 'postInvocation', 'appStart', 'appTerminate', 'log'];
    if (!known.includes(hookName)) throw new RangeError(`Unrecognized hook "${hookName}"`);
    const list = this.hooks.get(hookName) ?? [];
    list.push(callback);
    this.hooks.set(hookName, list);
    return new Disposable(() => {
      const index = list.indexOf(callback);
      if (index > -1) list.splice(index, 1);
    });
  }

  async executeHooks(hookName: string, context: Record<string, unknown>): Promise<void> {
    for (const callback of [...(this.hooks.get(hookName) ?? [])]) await callback(context);
  }

  /** Runs the (synchronous) log hooks; they may change a user log's level and message. */
  runLogHooks(context: { level: RpcLogLevel; message: string; category: RpcLogCategory; invocationContext?: unknown }): void {
    const hooks = this.hooks.get('log');
    if (!hooks || hooks.length === 0) return;
    const hookData = {};
    const hookContext = Object.assign(context, { hookData, appHookData: this.appHookData });
    for (const callback of hooks) {
      try {
        callback(hookContext as unknown as Record<string, unknown>);
      } catch {
        // A failing log hook must not break logging.
      }
    }
  }
}

type ModuleWithLoad = typeof Module & { _load: (request: string, parent: unknown, isMain: boolean) => unknown };

/** Makes `require('@azure/functions-core')` return `core.module` in this process. */
export function installCoreModule(core: CoreApi): () => void {
  const loader = Module as ModuleWithLoad;
  const originalLoad = loader._load;
  loader._load = function load(this: unknown, request: string, parent: unknown, isMain: boolean): unknown {
    if (request === CORE_MODULE_NAME) return core.module;
    // eslint-disable-next-line prefer-rest-params
    return originalLoad.apply(this, arguments as unknown as [string, unknown, boolean]);
  };
  return () => {
    loader._load = originalLoad;
  };
}

/** The host's level of a worker's log line (trace → debug, critical → error; unknown → information). */
export function toLogLevel(level: RpcLogLevel | string): LogLevel {
  return parseLogLevel(level);
}

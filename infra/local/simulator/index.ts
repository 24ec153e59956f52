// The Microsoft Graph + Teams admin simulator: one HTTPS server playing the login, Graph and
// Teams admin hosts of every cloud for the tenants of a world. See README.md in this folder.
import { createServer, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ensureLocalCa } from '../tls';
import { ControlApi } from './control/server';
import { SimulatorControl } from './control/client';
import { Engine, EngineOptions } from './engine';
import { GraphService } from './graph/pipeline';
import { GraphRouter } from './graph/router';
import type { GraphRoute } from './graph/types';
import { NotificationHub } from './notifications';
import { batchHandler } from './resources/batch';
import { graphRoutes } from './resources';
import { createRequestListener } from './server';
import { SimWorldView, worldView } from './world';

export interface SimulatorOptions extends EngineOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Address to bind (default 127.0.0.1). */
  host?: string;
  /** Folder of the local CA (default `<project>/.local/tls`). */
  tlsDir?: string;
}

export interface RunningSimulator {
  /** Base URL, e.g. `https://127.0.0.1:53211`; hosts are path prefixes below it. */
  url: string;
  /** CA file clients must trust (NODE_EXTRA_CA_CERTS). */
  caFile: string;
  /** The world as loaded, with every tenant's base URLs and every app's credentials. */
  world: SimWorldView;
  control: SimulatorControl;
  stop(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const engine = await Engine.create(options);
  const host = options.host ?? '127.0.0.1';
  const ca = await ensureLocalCa(options.tlsDir);
  const certificate = await ca.issue(['localhost', '127.0.0.1', '::1', ...(host === '127.0.0.1' || host === '::1' || host === '0.0.0.0' ? [] : [host])]);

  const notifications = new NotificationHub(engine);
  engine.endpointValidator = notifications;
  const graph = new GraphService(engine, new GraphRouter(graphRoutes as GraphRoute[]), batchHandler);
  const control = new ControlApi(engine, graph, notifications);
  const server: Server = createServer({ cert: certificate.cert, key: certificate.key }, createRequestListener(engine, graph, control));
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  engine.url = `https://${urlHost}:${port}`;

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    notifications.stop();
    engine.persistNow();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  };

  return {
    url: engine.url,
    caFile: ca.caFile,
    world: worldView(engine.world, engine.url),
    control: new SimulatorControl(engine.url, ca.caFile),
    stop,
  };
}

export { SimulatorControl } from './control/client';
export type { AdminRequest, AdminResponse, MintTokenRequest, TenantDump } from './control/client';
export type { CounterRow, FaultSettings, FaultSettingsInput, ScriptedFaultInput } from './faults';
export type { DeliveryRecord, LifecycleEvent } from './notifications';
export type { LoggedRequest, RequestLogFilter } from './requestLog';
export type { EngineOptions, NotificationRetryOptions, Violation } from './engine';
export { DEFAULT_POLICY_SIZE_LIMIT_BYTES } from './engine';
export { CLOUD_TABLE, SIM_CLOUDS } from './clouds';
export type { SimCloud } from './clouds';
export { DEFAULT_WORLD_FILE, loadWorld, syntheticWorld } from './world';
export type { SimAppView, SimTenantView, SimWorldView, World } from './world';
export { SimulatorError } from './errors';
export type { SimulatorErrorCode } from './errors';

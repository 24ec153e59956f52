// What the plan and reconcile benchmarks share: their command line, a world with one tenant already
// configured for N partnerships, the same admin drift, the baseline they are measured against (the
// desired-state loop), the figures they print, and the relaunch that makes the process trust the
// local CA.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { SimulatorControl, World } from '../../infra/local/simulator';
import { ensureTrustFile } from '../../infra/local/tls';
import type { CloudName } from '../../shared/clouds';
import type { RequestCounter } from '../../shared/graph';
import type { DesiredCollaboration } from '../../shared/partnership';
import { applyPlan, needsOf, partnerSettingsDiff, partnerSettingsFor, plan, teamsTypesNeeded, type PartnershipTarget, type TenantAdapters } from '../../shared/plan';
import type { PartnerSettings, TenantState } from '../../shared/tenant';
import { worldWithExtraTenants } from './tenant';

type BenchOptions = { json: boolean } & Record<string, number | boolean>;

const flagOf = (key: string): string => `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;

/**
 * `--json` and one numeric flag per other key of `defaults`, named after it in kebab case
 * (`latencyMs` ← `--latency-ms N`); an unknown flag or a value that is not a number is refused.
 */
export function parseBenchArgs<Options extends BenchOptions>(args: string[], defaults: Options): Options {
  const options: Record<string, number | boolean> = { ...defaults };
  const numeric = new Map(Object.keys(defaults).filter((key) => key !== 'json').map((key) => [flagOf(key), key]));
  for (let i = 0; i < args.length; i += 1) {
    const flag = args[i];
    const key = numeric.get(flag);
    if (flag === '--json') options.json = true;
    else if (key !== undefined) {
      const value = Number(args[++i]);
      if (args[i] === undefined || !Number.isFinite(value)) throw new Error(`${flag} needs a number`);
      options[key] = value;
    } else throw new Error(`unknown option ${flag} (use --json, ${[...numeric.keys()].map((name) => `${name} N`).join(', ')})`);
  }
  return options as Options;
}

/** mulberry32: a small deterministic PRNG, so every run drifts the same partnerships. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every 20th generated partner in China, every other 10th in US Gov, the rest Global. */
export const partnerCloudOf = (index: number): CloudName => (index % 20 === 0 ? 'China' : index % 10 === 0 ? 'GCCHigh' : 'Global');

/**
 * The default world plus one generated partner tenant per partnership (clouds by partnerCloudOf),
 * the tenant `tenantId` already configured for every one of them.
 */
export function configuredWorld(tenantId: string, partnerships: DesiredCollaboration[]): World {
  const world = worldWithExtraTenants(partnerships.length, partnerCloudOf);
  return {
    ...world,
    tenants: world.tenants.map((tenant) =>
      tenant.id === tenantId
        ? {
            ...tenant,
            policy: {
              // The values of CLOUDS.USGov and CLOUDS.China.
              allowedCloudEndpoints: ['microsoftonline.us' as const, 'partner.microsoftonline.cn' as const],
              partners: partnerships.map((desired) => ({ tenantId: desired.partnerTenantId, ...partnerSettingsFor(desired) })),
            },
          }
        : tenant,
    ),
  };
}

/** `share` of `count` positions, chosen at random from `seed` (the same ones every run). */
export function driftedSet(count: number, share: number, seed: number): number[] {
  const next = seededRandom(seed);
  const chosen = new Set<number>();
  while (chosen.size < Math.round(count * share)) chosen.add(Math.floor(next() * count));
  return [...chosen];
}

/** As an admin in the portal: a third of the partners deleted, the rest with inbound B2B blocked. */
export async function driftPartners(control: SimulatorControl, tenantId: string, partnerTenantIds: string[]): Promise<void> {
  let index = 0;
  for (const partner of partnerTenantIds) {
    const path = `/policies/crossTenantAccessPolicy/partners/${partner}`;
    const response =
      index++ % 3 === 0
        ? await control.admin(tenantId, { method: 'DELETE', path })
        : await control.admin(tenantId, {
            method: 'PATCH',
            path,
            body: {
              b2bCollaborationInbound: {
                usersAndGroups: { accessType: 'blocked', targets: [{ target: 'AllUsers', targetType: 'user' }] },
                applications: { accessType: 'blocked', targets: [{ target: 'AllApplications', targetType: 'application' }] },
              },
            },
          });
    if (response.status >= 300) throw new Error(`drift of ${path} failed: ${response.status} ${JSON.stringify(response.body)}`);
  }
}

/** What a benchmark reports for one side: item operations (each $batch item counts: Graph throttles by item), HTTP requests, wall time. */
export interface BenchFigures {
  operations: number;
  requests: number;
  ms: number;
}

export const BASELINE_NAME = 'desired-state loop';

/** Operations and requests of a Graph and a Teams counter together. */
export function countedBy(graph: RequestCounter, teams: RequestCounter): { operations: number; requests: number } {
  return { operations: graph.operations + teams.operations, requests: graph.total + teams.total };
}

/** "N× fewer item operations, M× faster" (the ratios of the baseline to ours). */
export function ratios(baseline: BenchFigures, ours: BenchFigures): { fewerOperations: number; faster: number } {
  return { fewerOperations: baseline.operations / Math.max(1, ours.operations), faster: baseline.ms / Math.max(1, ours.ms) };
}

const PARTNERS = '/policies/crossTenantAccessPolicy/partners';

/**
 * The baseline: what a desired-state tool does today (Microsoft365DSC's cross-tenant access and
 * Teams resources run by a DSC loop). Per run, the policy's cloud endpoints and each Teams
 * configuration the partnerships need are read once, compared, and written only when they differ;
 * then, one partnership after another, its partner configuration is read (GET), compared with the
 * desired settings (the same comparison the product makes), and written only when it differs
 * (PATCH of what differs, or POST when the entry is gone). One request per item, no $batch.
 * Answers how many writes it made.
 */
export async function desiredStateLoop(adapters: TenantAdapters, targets: readonly PartnershipTarget[], localCloud: CloudName): Promise<{ writes: number }> {
  const { graph } = adapters;
  let writes = 0;
  const needs = needsOf(targets, localCloud);
  const endpoints = await graph.getAllowedCloudEndpoints();
  const missing = [...needs.endpoints.keys()].filter((endpoint) => !endpoints.includes(endpoint));
  if (missing.length > 0) {
    await graph.setAllowedCloudEndpoints([...endpoints, ...missing]);
    writes += 1;
  }
  const teamsTypes = teamsTypesNeeded(needs);
  if (teamsTypes.length > 0) {
    const teams = await adapters.teams.read(teamsTypes);
    const state: TenantState = {
      readAt: new Date().toISOString(),
      allowedCloudEndpoints: [...endpoints, ...missing],
      partners: {},
      identitySync: {},
      teams,
      guests: {},
      syncSources: {},
      coverage: { identitySyncFor: [], teams: teamsTypes, guests: false, syncSourcesFor: [] },
    };
    const teamsPlan = plan(targets.map((target) => ({ ...target, areas: ['teams' as const] })), state, { localCloud });
    if (teamsPlan.operations.length > 0) writes += (await applyPlan(adapters, teamsPlan)).applied.length;
  }
  for (const target of targets) {
    const tenantId = target.desired.partnerTenantId;
    const wanted = partnerSettingsFor(target.desired);
    let actual: PartnerSettings | undefined;
    try {
      actual = await graph.request<PartnerSettings>('GET', `${PARTNERS}/${tenantId}`);
    } catch (error) {
      if ((error as { code?: string }).code !== 'tenant.object-missing') throw error;
    }
    if (!actual) {
      await graph.request('POST', PARTNERS, { tenantId, ...wanted });
      writes += 1;
      continue;
    }
    const differs = partnerSettingsDiff(actual, wanted);
    if (Object.keys(differs).length > 0) {
      await graph.request('PATCH', `${PARTNERS}/${tenantId}`, differs);
      writes += 1;
    }
  }
  return { writes };
}

/**
 * The process must trust the local CA from its start (MSAL insists on HTTPS): true when it does;
 * otherwise runs benchmark `name` again in a child that does and returns false once it succeeded.
 */
export async function trustedOrRelaunched(name: string, args: string[]): Promise<boolean> {
  const { file, ca } = await ensureTrustFile({ existing: process.env.NODE_EXTRA_CA_CERTS });
  const current = process.env.NODE_EXTRA_CA_CERTS;
  if (current && readFileSync(current, 'utf8').includes(ca.caCert.trim())) return true;
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, [process.argv[1], name, ...args], { stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: file } });
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode ?? 1));
  });
  if (code !== 0) throw new Error(`benchmark failed (exit ${code})`);
  return false;
}

// What a refused request must not change: every row (with its ETag, so an update shows) of a
// deployment's Partnerships, Keys, Nonces, Events and Subscriptions tables, and the simulator's
// tenants. Compare two snapshots with `changedBetween`.
import { TableClient } from '@azure/data-tables';
import type { LocalStack, LocalStackDeployment } from '../../infra/local/stack';
import { EVENTS_TABLE, KEYS_TABLE, NONCES_TABLE, PARTNERSHIPS_TABLE, SUBSCRIPTIONS_TABLE } from '../../shared/tables';

export const WATCHED_TABLES = [PARTNERSHIPS_TABLE, KEYS_TABLE, NONCES_TABLE, EVENTS_TABLE, SUBSCRIPTIONS_TABLE] as const;

export interface DeploymentSnapshot {
  tables: Record<string, string[]>;
  tenants: Record<string, string>;
}

export async function snapshotDeployment(stack: LocalStack, deployment: LocalStackDeployment): Promise<DeploymentSnapshot> {
  const tables: Record<string, string[]> = {};
  for (const name of WATCHED_TABLES) {
    const client = TableClient.fromConnectionString(stack.azurite.connectionString, `${deployment.tablePrefix}${name}`, { allowInsecureConnection: true });
    const rows: string[] = [];
    try {
      for await (const entity of client.listEntities()) rows.push(`${entity.partitionKey}/${entity.rowKey}@${entity.etag}`);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error; // a table not created yet holds nothing
    }
    tables[name] = rows.sort();
  }
  const tenants: Record<string, string> = {};
  for (const tenant of stack.simulator.world.tenants) tenants[tenant.id] = JSON.stringify(await stack.simulator.control.state(tenant.id));
  return { tables, tenants };
}

/** What differs between two snapshots, as short lines ([] when nothing changed). */
export function changedBetween(before: DeploymentSnapshot, after: DeploymentSnapshot): string[] {
  const changes: string[] = [];
  for (const name of WATCHED_TABLES) {
    const was = new Set(before.tables[name]);
    const is = new Set(after.tables[name]);
    for (const row of is) if (!was.has(row)) changes.push(`${name}: ${row} written`);
    for (const row of was) if (!is.has(row)) changes.push(`${name}: ${row} removed`);
  }
  for (const [tenantId, state] of Object.entries(after.tenants)) if (before.tenants[tenantId] !== state) changes.push(`tenant ${tenantId} changed`);
  return changes;
}

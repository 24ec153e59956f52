// Durable state in Azure Table storage, one table per task hub (`{hub}Instances`) and one
// partition per instance, so that everything an orchestration episode changes commits in ONE
// entity group transaction guarded by the instance row's ETag:
//   RowKey "state"                       the instance: name, status, input/output, custom status…
//   RowKey "h|{execution}|{episode}|{n}" the history events one episode appended (JSON, chunked)
//   RowKey "i|{time}|{seq}|{rand}"       inbox: start, raised events, terminate — work that came
//                                        from outside and is not yet part of the history
// Activity results, timer firings and sub-orchestration results are not stored until the episode
// that consumes them commits: the history itself records what was scheduled, so after a crash
// the host re-runs unfinished activities (at least once) and re-arms timers.
import { TableClient, TransactionAction, odata } from '@azure/data-tables';
import { randomBytes } from 'node:crypto';
import { HistoryEvent, RuntimeStatus } from './history';
import { Entity, EntityResult, StorageMetrics, createTableClient, getText, putText, splitText } from '../storage/tables';

export const STATE_ROW = 'state';
const HISTORY_PREFIX = 'h|';
const INBOX_PREFIX = 'i|';
/** Azure Tables: at most 100 operations and 4 MiB in one transaction. */
export const MAX_TRANSACTION_OPERATIONS = 100;
const MAX_TRANSACTION_BYTES = 3_800_000;
/** Chunks (of ≤30K chars) per history row, keeping a row under Azure's 1 MiB entity limit. */
const CHUNKS_PER_ROW = 15;

export interface ParentRef {
  name: string;
  instanceId: string;
  executionId: string;
  taskScheduledId: number;
}

export interface InstanceRecord {
  instanceId: string;
  name: string;
  executionId: string;
  runtimeStatus: RuntimeStatus;
  /** JSON texts (null when absent). */
  input: string | null;
  output: string | null;
  customStatus: string | null;
  createdTime: Date;
  lastUpdatedTime: Date;
  completedTime?: Date;
  parent?: ParentRef;
  /** Episodes committed in the current execution (numbers the history rows). */
  episodes: number;
  /** Status before a suspension (to restore on resume). */
  suspendedFrom?: RuntimeStatus;
  etag?: string;
}

export interface InboxItem {
  rowKey: string;
  event: HistoryEvent;
}

export interface LoadedInstance {
  record: InstanceRecord;
  history: HistoryEvent[];
  inbox: InboxItem[];
  /** Row keys of the current execution's history rows. */
  historyRowKeys: string[];
  /** History rows of earlier executions (left by continue-as-new), to clean up. */
  staleRowKeys: string[];
}

export interface StatusQuery {
  runtimeStatus?: RuntimeStatus[];
  createdTimeFrom?: Date;
  createdTimeTo?: Date;
  instanceIdPrefix?: string;
  top?: number;
  continuationToken?: string;
}

export class EpisodeTooLargeError extends Error {
  override readonly name = 'EpisodeTooLargeError';
}

export class ConcurrencyError extends Error {
  override readonly name = 'ConcurrencyError';
}

let inboxSequence = 0;

export function newInboxRowKey(now = Date.now()): string {
  inboxSequence = (inboxSequence + 1) % 1_000_000;
  return `${INBOX_PREFIX}${now.toString().padStart(15, '0')}|${inboxSequence.toString().padStart(6, '0')}|${randomBytes(4).toString('hex')}`;
}

export class DurableStore {
  readonly table: TableClient;
  readonly tableName: string;

  constructor(connectionString: string, hubName: string, metrics: StorageMetrics) {
    this.tableName = `${hubName}Instances`;
    this.table = createTableClient(this.tableName, { connectionString, metrics });
  }

  /** Reads one instance's partition: state, current-execution history, inbox. One round trip per 1000 rows. */
  async load(instanceId: string): Promise<LoadedInstance | undefined> {
    let stateEntity: EntityResult | undefined;
    const historyRows: Entity[] = [];
    const inbox: InboxItem[] = [];
    const iterator = this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${instanceId}` } });
    for await (const entity of iterator) {
      const rowKey = entity.rowKey ?? '';
      if (rowKey === STATE_ROW) stateEntity = entity;
      else if (rowKey.startsWith(HISTORY_PREFIX)) historyRows.push({ ...entity, partitionKey: instanceId, rowKey });
      else if (rowKey.startsWith(INBOX_PREFIX)) inbox.push({ rowKey, event: JSON.parse(getText(entity, 'Event') ?? 'null') as HistoryEvent });
    }
    if (!stateEntity) return undefined;
    const record = toRecord(stateEntity);
    const history: HistoryEvent[] = [];
    const staleRowKeys: string[] = [];
    const historyRowKeys: string[] = [];
    historyRows.sort((a, b) => (a.rowKey < b.rowKey ? -1 : 1));
    let buffer = '';
    for (const row of historyRows) {
      if (!row.rowKey.startsWith(`${HISTORY_PREFIX}${record.executionId}|`)) {
        staleRowKeys.push(row.rowKey);
        continue;
      }
      historyRowKeys.push(row.rowKey);
      buffer += readChunks(row);
      if (row.Last === true) {
        history.push(...(JSON.parse(buffer) as HistoryEvent[]));
        buffer = '';
      }
    }
    inbox.sort((a, b) => (a.rowKey < b.rowKey ? -1 : 1));
    return { record, history, inbox, historyRowKeys, staleRowKeys };
  }

  /** Point read of the instance row. */
  async readState(instanceId: string): Promise<InstanceRecord | undefined> {
    try {
      const entity = await this.table.getEntity<Record<string, unknown>>(instanceId, STATE_ROW);
      return toRecord(entity);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  /**
   * Creates (or, given the old row's etag, replaces) an instance with its first inbox events, in
   * one transaction. Rows of a replaced execution are deleted by `deleteRowKeys` (same batch).
   * Resolves with the new etag and the inbox row keys.
   */
  async createInstance(
    record: InstanceRecord,
    inboxEvents: HistoryEvent[],
    options: { replaceEtag?: string; deleteRowKeys?: string[] } = {},
  ): Promise<{ etag: string; inbox: InboxItem[] }> {
    const stateEntity = toEntity(record);
    const actions: TransactionAction[] = [
      options.replaceEtag ? ['update', stateEntity, 'Replace', { etag: options.replaceEtag }] : ['create', stateEntity],
    ];
    const inbox = inboxEvents.map((event) => ({ rowKey: newInboxRowKey(), event }));
    for (const item of inbox) actions.push(['create', inboxEntity(record.instanceId, item)]);
    for (const rowKey of options.deleteRowKeys ?? []) actions.push(['delete', { partitionKey: record.instanceId, rowKey }]);
    const etag = await this.submit(actions, 0);
    return { etag, inbox };
  }

  /** Adds one event to an instance's inbox. */
  async appendInbox(instanceId: string, event: HistoryEvent): Promise<InboxItem> {
    const item = { rowKey: newInboxRowKey(), event };
    await this.table.createEntity(inboxEntity(instanceId, item));
    return item;
  }

  /**
   * Commits one episode: the instance row (ETag-guarded), the episode's history events, removal
   * of the inbox rows it consumed, and new inbox rows (continue-as-new) — all or nothing.
   */
  async commitEpisode(args: {
    record: InstanceRecord;
    historyEvents: HistoryEvent[];
    historyExecutionId: string;
    episode: number;
    consumedInbox: string[];
    newInbox?: InboxItem[];
    deleteRowKeys?: string[];
  }): Promise<{ etag: string; historyRowKeys: string[] }> {
    const { record } = args;
    if (!record.etag) throw new Error(`commitEpisode(${record.instanceId}) needs the instance row's etag`);
    const actions: TransactionAction[] = [['update', toEntity(record), 'Replace', { etag: record.etag }]];
    const rows = args.historyEvents.length > 0 ? historyRows(record.instanceId, args.historyExecutionId, args.episode, args.historyEvents) : [];
    for (const row of rows) actions.push(['create', row]);
    for (const rowKey of args.consumedInbox) actions.push(['delete', { partitionKey: record.instanceId, rowKey }]);
    for (const item of args.newInbox ?? []) actions.push(['create', inboxEntity(record.instanceId, item)]);
    for (const rowKey of args.deleteRowKeys ?? []) actions.push(['delete', { partitionKey: record.instanceId, rowKey }]);
    const etag = await this.submit(actions, 0);
    return { etag, historyRowKeys: rows.map((row) => row.rowKey) };
  }

  /** Deletes rows (best effort clean-up of stale history), in batches. */
  async deleteRows(instanceId: string, rowKeys: string[]): Promise<void> {
    for (let i = 0; i < rowKeys.length; i += MAX_TRANSACTION_OPERATIONS) {
      const batch = rowKeys.slice(i, i + MAX_TRANSACTION_OPERATIONS);
      await this.table.submitTransaction(batch.map((rowKey) => ['delete', { partitionKey: instanceId, rowKey }] as TransactionAction));
    }
  }

  /** One page of instance rows matching the query. */
  async list(query: StatusQuery): Promise<{ records: InstanceRecord[]; continuationToken?: string }> {
    const filters = [odata`RowKey eq ${STATE_ROW}`];
    if (query.runtimeStatus && query.runtimeStatus.length > 0) {
      filters.push(`(${query.runtimeStatus.map((s) => odata`RuntimeStatus eq ${s}`).join(' or ')})`);
    }
    if (query.createdTimeFrom) filters.push(odata`CreatedTime ge ${query.createdTimeFrom}`);
    if (query.createdTimeTo) filters.push(odata`CreatedTime le ${query.createdTimeTo}`);
    if (query.instanceIdPrefix) {
      const prefix = query.instanceIdPrefix;
      const upper = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
      filters.push(odata`PartitionKey ge ${prefix} and PartitionKey lt ${upper}`);
    }
    const pages = this.table
      .listEntities<Record<string, unknown>>({ queryOptions: { filter: filters.join(' and ') } })
      .byPage({ maxPageSize: query.top && query.top > 0 ? query.top : 1000, continuationToken: query.continuationToken });
    const page = await pages.next();
    if (page.done || !page.value) return { records: [] };
    const records = page.value.map((entity) => toRecord(entity));
    return { records, continuationToken: page.value.continuationToken };
  }

  /** Row keys of every row of an instance. */
  async rowKeys(instanceId: string): Promise<string[]> {
    const rowKeys: string[] = [];
    const iterator = this.table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${instanceId}`, select: ['RowKey'] } });
    for await (const entity of iterator) rowKeys.push(entity.rowKey as string);
    return rowKeys;
  }

  /** Deletes every row of an instance; resolves with the number of rows removed. */
  async purge(instanceId: string): Promise<number> {
    const rowKeys = await this.rowKeys(instanceId);
    // Delete the instance row last, so a half-done purge still finds the instance.
    const others = rowKeys.filter((k) => k !== STATE_ROW);
    await this.deleteRows(instanceId, others);
    if (rowKeys.includes(STATE_ROW)) await this.deleteRows(instanceId, [STATE_ROW]);
    return rowKeys.length;
  }

  private async submit(actions: TransactionAction[], stateIndex: number): Promise<string> {
    if (actions.length > MAX_TRANSACTION_OPERATIONS) {
      throw new EpisodeTooLargeError(`an episode needs ${actions.length} table operations; one transaction allows ${MAX_TRANSACTION_OPERATIONS}`);
    }
    const bytes = actions.reduce((sum, action) => sum + JSON.stringify(action[1]).length * 2, 0);
    if (bytes > MAX_TRANSACTION_BYTES) {
      throw new EpisodeTooLargeError(`an episode writes about ${Math.round(bytes / 1024)} KiB; one storage transaction allows 4 MiB`);
    }
    try {
      const response = await this.table.submitTransaction(actions);
      const etag = response.subResponses[stateIndex]?.etag;
      if (!etag) throw new Error('the storage transaction returned no etag for the instance row');
      return etag;
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 412 || status === 409) {
        throw new ConcurrencyError(`instance ${String(actions[0][1].partitionKey)} changed in storage (HTTP ${status})`);
      }
      throw error;
    }
  }
}

function historyRows(instanceId: string, executionId: string, episode: number, events: HistoryEvent[]): Entity[] {
  const chunks = splitText(JSON.stringify(events));
  const rows: Entity[] = [];
  for (let r = 0; r * CHUNKS_PER_ROW < chunks.length; r++) {
    const rowChunks = chunks.slice(r * CHUNKS_PER_ROW, (r + 1) * CHUNKS_PER_ROW);
    const row: Entity = {
      partitionKey: instanceId,
      rowKey: `${HISTORY_PREFIX}${executionId}|${episode.toString().padStart(8, '0')}|${r.toString().padStart(3, '0')}`,
      Chunks: rowChunks.length,
      Last: (r + 1) * CHUNKS_PER_ROW >= chunks.length,
    };
    rowChunks.forEach((chunk, i) => (row[`D${i}`] = chunk));
    rows.push(row);
  }
  return rows;
}

function readChunks(row: EntityResult): string {
  const count = Number(row.Chunks ?? 0);
  let text = '';
  for (let i = 0; i < count; i++) text += String(row[`D${i}`] ?? '');
  return text;
}

function inboxEntity(instanceId: string, item: InboxItem): Entity {
  const entity: Entity = { partitionKey: instanceId, rowKey: item.rowKey, Kind: item.event.EventType };
  putText(entity, 'Event', JSON.stringify(item.event));
  return entity;
}

function toEntity(record: InstanceRecord): Entity {
  const entity: Entity = {
    partitionKey: record.instanceId,
    rowKey: STATE_ROW,
    Name: record.name,
    ExecutionId: record.executionId,
    RuntimeStatus: record.runtimeStatus,
    CreatedTime: record.createdTime,
    LastUpdatedTime: record.lastUpdatedTime,
    Episodes: record.episodes,
  };
  if (record.completedTime) entity.CompletedTime = record.completedTime;
  if (record.suspendedFrom) entity.SuspendedFrom = record.suspendedFrom;
  if (record.parent) {
    entity.ParentName = record.parent.name;
    entity.ParentInstanceId = record.parent.instanceId;
    entity.ParentExecutionId = record.parent.executionId;
    entity.ParentTaskScheduledId = record.parent.taskScheduledId;
  }
  putText(entity, 'Input', record.input);
  putText(entity, 'Output', record.output);
  putText(entity, 'CustomStatus', record.customStatus);
  return entity;
}

function toRecord(entity: EntityResult): InstanceRecord {
  const record: InstanceRecord = {
    instanceId: entity.partitionKey as string,
    name: String(entity.Name ?? ''),
    executionId: String(entity.ExecutionId ?? ''),
    runtimeStatus: String(entity.RuntimeStatus ?? 'Pending') as RuntimeStatus,
    input: getText(entity, 'Input'),
    output: getText(entity, 'Output'),
    customStatus: getText(entity, 'CustomStatus'),
    createdTime: toDate(entity.CreatedTime),
    lastUpdatedTime: toDate(entity.LastUpdatedTime),
    episodes: Number(entity.Episodes ?? 0),
    etag: entity.etag as string | undefined,
  };
  if (entity.CompletedTime) record.completedTime = toDate(entity.CompletedTime);
  if (typeof entity.SuspendedFrom === 'string') record.suspendedFrom = entity.SuspendedFrom as RuntimeStatus;
  if (typeof entity.ParentInstanceId === 'string') {
    record.parent = {
      name: String(entity.ParentName ?? ''),
      instanceId: entity.ParentInstanceId,
      executionId: String(entity.ParentExecutionId ?? ''),
      taskScheduledId: Number(entity.ParentTaskScheduledId ?? -1),
    };
  }
  return record;
}

function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'string' || typeof value === 'number') return new Date(value);
  if (value && typeof value === 'object' && 'value' in value) return new Date(String((value as { value: unknown }).value));
  return new Date(0);
}

// Pieces several pages show: a problem with its fix, a plan as a table, a capability check, a
// file handed to the browser as a download.
import { ApiError } from './api';
import { h, json, messageBar } from './dom';
import { fixFor } from './fixes';
import { labelOf } from './form';
import type { CapabilityCheck, PlanOperation } from './types';

export function problemBar(error: unknown): HTMLElement {
  if (error instanceof ApiError) {
    const problem = error.problem;
    const fix = problem.code ? fixFor(problem.code) : undefined;
    return messageBar('error', h('strong', {}, problem.title ?? 'Error'), ' ', problem.detail ?? '', fix ? h('p', {}, h('strong', {}, 'How to fix: '), fix) : null);
  }
  return messageBar('error', String((error as Error)?.message ?? error));
}

export function planTable(operations: PlanOperation[], caption: string): HTMLElement {
  if (operations.length === 0) return h('p', { class: 'plan-empty' }, 'Nothing would be written: the tenant already holds everything this partnership needs.');
  return h(
    'table',
    { class: 'grid plan' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...['#', 'Change', 'Kind', 'Before', 'After'].map((text) => h('th', { scope: 'col' }, text)))),
    h(
      'tbody',
      {},
      ...operations.map((operation, index) =>
        h('tr', {}, h('td', {}, index + 1), h('td', {}, operation.description), h('td', {}, h('code', {}, operation.kind)), h('td', {}, json(operation.before)), h('td', {}, json(operation.after))),
      ),
    ),
  );
}

const SIDES: Record<string, string> = { local: 'this tenant', partner: 'the partner', both: 'both tenants' };

/** Whose environment a verdict is about, in words. */
export function sideOf(side: string | undefined): string {
  return SIDES[side ?? ''] ?? '—';
}

/** The capabilities a check judged (only those asked, unless `all`), each with its verdict and side. */
export function capabilityTable(check: CapabilityCheck, options: { all: boolean; caption: string; id?: string }): HTMLElement {
  const rows = Object.entries(check.capabilities).filter(([, verdict]) => options.all || verdict.requested);
  return h(
    'table',
    { class: 'grid capabilities', ...(options.id ? { id: options.id } : {}) },
    h('caption', {}, options.caption),
    h('thead', {}, h('tr', {}, ...['Capability', 'Verdict', 'Configured on / refused by', 'Why'].map((text) => h('th', { scope: 'col' }, text)))),
    h(
      'tbody',
      {},
      ...rows.map(([key, verdict]) =>
        h(
          'tr',
          { 'data-capability': key, 'data-allowed': String(verdict.allowed) },
          h('td', {}, labelOf(key)),
          h('td', {}, h('fluent-badge', { appearance: 'tint', color: verdict.allowed ? 'success' : 'danger' }, verdict.allowed ? 'Allowed' : 'Refused')),
          h('td', {}, sideOf(verdict.side)),
          h('td', {}, verdict.message, verdict.allowed ? null : h('div', {}, h('code', {}, verdict.code))),
        ),
      ),
    ),
  );
}

/** Hands `content` to the browser as a file download. */
export function download(fileName: string, content: string, type: string, id: string): void {
  const link = h('a', { href: URL.createObjectURL(new Blob([content], { type })), download: fileName, id }, fileName);
  link.hidden = true;
  document.body.appendChild(link);
  link.click();
  link.remove();
}

// The console's pages. Each renders into <main> and keeps itself current (the detail page polls).
import { api, ApiError, CONSOLE_BASE, query, type Problem } from './api';
import { append, badge, button, clear, h, json, messageBar, time } from './dom';
import { csvCell } from './csv';
import { fixFor } from './fixes';
import { generateForm, labelOf, type GeneratedForm, type JsonSchema } from './form';

export interface Bootstrap {
  user: { name: string; displayName: string };
  tenantId: string;
  cloud: string;
}

interface Summary {
  id: string;
  role: 'initiator' | 'responder';
  status: string;
  driftStatus: string | null;
  partnerTenantId: string;
  partnerCloud: string;
  updatedAt: string;
  displayName?: string;
}

interface Details extends Summary {
  partnerDeploymentUrl: string;
  desired: Record<string, unknown> & { displayName?: string };
  pairingCode?: string;
  invitation?: { from: string; keyThumbprint: string; receivedAt: string; expiresAt: string };
  steps: { at: string; type: string; message: string; status?: string; data?: Record<string, unknown> }[];
  lastError?: { code: string; message: string; details?: Record<string, unknown> } | null;
  owned?: Record<string, unknown>[];
  createdAt: string;
}

interface PlanOperation {
  kind: string;
  description: string;
  before?: unknown;
  after?: unknown;
}

interface StoredEvent {
  partnershipId: string;
  id: string;
  at: string;
  type: string;
  actor: string;
  message: string;
  before?: unknown;
  after?: unknown;
}

const FINAL = new Set(['Active', 'Rejected', 'Expired', 'Failed', 'RolledBack', 'Removed']);
export const POLL_INTERVAL_MS = 1_500;

/** Stops the current page's timers when another page is shown. */
let stopPage: (() => void) | undefined;
export function leavePage(): void {
  stopPage?.();
  stopPage = undefined;
}

function heading(main: HTMLElement, text: string, ...extra: (Node | string)[]): void {
  clear(main);
  append(main, h('h1', {}, text), ...extra);
  document.title = `${text} — Cross-cloud partnerships`;
}

function problemBar(error: unknown): HTMLElement {
  if (error instanceof ApiError) {
    const problem = error.problem;
    const fix = problem.code ? fixFor(problem.code) : undefined;
    return messageBar('error', h('strong', {}, problem.title ?? 'Error'), ' ', problem.detail ?? '', fix ? h('p', {}, h('strong', {}, 'How to fix: '), fix) : null);
  }
  return messageBar('error', String((error as Error)?.message ?? error));
}

function partnerName(row: Summary): string {
  return row.displayName ?? row.partnerTenantId;
}

function pageLink(row: Summary): string {
  const invitation = row.role === 'responder' && row.status === 'Draft';
  return `${CONSOLE_BASE}/${invitation ? 'invitations' : 'partnerships'}/${encodeURIComponent(row.id)}`;
}

function planTable(operations: PlanOperation[], caption: string): HTMLElement {
  if (operations.length === 0) return h('p', { class: 'plan-empty' }, 'Nothing would be written: the tenant already holds everything this partnership needs.');
  return h(
    'table',
    { class: 'grid plan' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '#'), h('th', { scope: 'col' }, 'Change'), h('th', { scope: 'col' }, 'Kind'), h('th', { scope: 'col' }, 'Before'), h('th', { scope: 'col' }, 'After'))),
    h('tbody', {}, ...operations.map((operation, index) => h('tr', {}, h('td', {}, index + 1), h('td', {}, operation.description), h('td', {}, h('code', {}, operation.kind)), h('td', {}, json(operation.before)), h('td', {}, json(operation.after))))),
  );
}

// ---------------------------------------------------------------------------------------------
// Partnerships list

export async function listPage(main: HTMLElement): Promise<void> {
  const params = new URLSearchParams(location.search);
  const status = params.get('status') ?? '';
  const statuses = ['', 'Draft', 'ConfiguringLocal', 'AwaitingPartner', 'ConfiguringTeams', 'Verifying', 'Active', 'Rejected', 'Expired', 'Failed', 'RolledBack', 'Offboarding', 'Removed'];
  const filter = h('select', { id: 'status-filter', name: 'status' }, ...statuses.map((value) => h('option', { value }, value || 'All statuses')));
  filter.value = status;
  filter.addEventListener('change', () => {
    const next = new URL(location.href);
    if (filter.value) next.searchParams.set('status', filter.value);
    else next.searchParams.delete('status');
    next.searchParams.delete('continuationToken');
    history.pushState(null, '', next);
    void listPage(main);
  });
  const body = h('div', { id: 'list-body' }, h('fluent-spinner', { size: 'small', 'aria-label': 'Loading partnerships' }));
  heading(
    main,
    'Partnerships',
    h('div', { class: 'toolbar' }, h('fluent-anchor-button', { appearance: 'primary', href: `${CONSOLE_BASE}/new` }, 'New partnership'), h('div', { class: 'field inline' }, h('label', { for: 'status-filter' }, 'Status'), filter)),
    body,
  );
  try {
    const page = await api<{ partnerships: Summary[]; continuationToken?: string }>(
      'GET',
      `/partnerships${query({ status: status || undefined, $top: 50, continuationToken: params.get('continuationToken') ?? undefined })}`,
    );
    // Until the list filters on the server, the filter applies here too.
    const rows = page.partnerships.filter((row) => !status || row.status === status);
    clear(body);
    if (rows.length === 0) {
      append(body, h('p', { class: 'empty' }, status ? `No partnership is ${status}.` : 'No partnership yet. Start one with "New partnership".'));
    } else {
      append(
        body,
        h(
          'table',
          { class: 'grid', id: 'partnerships' },
          h('caption', { class: 'visually-hidden' }, 'Partnerships of this tenant'),
          h('thead', {}, h('tr', {}, ...['Partner', 'Cloud', 'Side', 'Status', 'Drift', 'Updated'].map((text) => h('th', { scope: 'col' }, text)))),
          h(
            'tbody',
            {},
            ...rows.map((row) =>
              h(
                'tr',
                { 'data-id': row.id },
                h('td', {}, h('a', { href: pageLink(row) }, partnerName(row))),
                h('td', {}, row.partnerCloud),
                h('td', {}, row.role === 'initiator' ? 'We asked' : 'They asked'),
                h('td', {}, badge(row.status)),
                h('td', {}, badge(row.driftStatus)),
                h('td', {}, time(row.updatedAt)),
              ),
            ),
          ),
        ),
      );
    }
    if (page.continuationToken) {
      const next = new URL(location.href);
      next.searchParams.set('continuationToken', page.continuationToken);
      append(body, h('p', {}, h('a', { href: `${next.pathname}${next.search}`, id: 'next-page' }, 'Next page')));
    }
  } catch (error) {
    clear(body);
    append(body, problemBar(error));
  }
}

// ---------------------------------------------------------------------------------------------
// New partnership

export async function newPage(main: HTMLElement, boot: Bootstrap): Promise<void> {
  heading(main, 'New partnership', h('p', { class: 'lead' }, `This tenant is in the ${boot.cloud} cloud. Fill in what the partnership should allow; the capability rules are checked as you go, and the plan shows exactly what would be written here before anything is.`));
  const description = await (await fetch('/api/openapi.json', { credentials: 'same-origin' })).json();
  const schema = description.components.schemas.PartnershipRequest as JsonSchema;
  const preflightBox = h('section', { id: 'preflight', 'aria-live': 'polite', 'aria-label': 'Capability check' });
  const result = h('section', { id: 'result', 'aria-live': 'polite' });
  let timer: number | undefined;
  const form: GeneratedForm = generateForm(schema, {
    onChange: () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => void preflight(), 250);
    },
  });
  const preflight = async (): Promise<void> => {
    const values = form.values();
    if (typeof values.partnerCloud !== 'string') {
      clear(preflightBox);
      return;
    }
    try {
      const answer = await api<{ allowed: boolean; violations: { code: string; field?: string; message: string }[] }>('POST', '/preflight', { partnerCloud: values.partnerCloud, request: values });
      clear(preflightBox);
      append(
        preflightBox,
        answer.allowed
          ? messageBar('success', `${boot.cloud} ↔ ${String(values.partnerCloud)}: the capability rules allow this request so far.`)
          : messageBar('warning', h('strong', {}, 'The capability rules refuse this request:'), h('ul', {}, ...answer.violations.map((violation) => h('li', { 'data-code': violation.code }, violation.message)))),
      );
    } catch (error) {
      clear(preflightBox);
      append(preflightBox, problemBar(error));
    }
  };
  const showProblem = (error: unknown): void => {
    clear(result);
    if (error instanceof ApiError) {
      const problem: Problem = error.problem;
      for (const issue of problem.issues ?? []) form.errorAt(issue.field, issue.message);
      for (const violation of problem.violations ?? []) if (violation.field) form.errorAt(violation.field, violation.message);
    }
    append(result, problemBar(error));
  };
  const previewButton = button('Preview plan', { appearance: 'primary', id: 'preview', type: 'submit' });
  const formElement = h('form', { id: 'new-partnership', novalidate: true }, form.element, h('div', { class: 'actions' }, previewButton));
  formElement.addEventListener('submit', (event) => {
    event.preventDefault();
    void preview();
  });
  const preview = async (): Promise<void> => {
    form.clearErrors();
    clear(result);
    append(result, h('fluent-spinner', { size: 'small', 'aria-label': 'Planning' }));
    const body = form.values();
    try {
      const planned = await api<{ operations: PlanOperation[]; desired: Record<string, unknown> }>('POST', '/partnerships?dryRun=true', body);
      clear(result);
      const confirm = button('Confirm and start the handshake', { appearance: 'primary', id: 'confirm' });
      confirm.addEventListener('click', () => void start(body));
      append(
        result,
        h('h2', { id: 'plan-heading' }, 'Plan preview'),
        h('p', {}, `What this deployment would write in this tenant (${planned.operations.length} change${planned.operations.length === 1 ? '' : 's'}). Nothing has been written yet; the partner's side is planned there once its administrator approves.`),
        planTable(planned.operations, 'Changes in this tenant'),
        h('div', { class: 'actions' }, confirm),
      );
      (document.getElementById('plan-heading') as HTMLElement | null)?.scrollIntoView();
    } catch (error) {
      showProblem(error);
    }
  };
  const start = async (body: Record<string, unknown>): Promise<void> => {
    try {
      const created = await api<{ id: string; pairingCode: string; status: string }>('POST', '/partnerships', body);
      clear(result);
      append(
        result,
        h(
          'section',
          { class: 'pairing', 'aria-labelledby': 'pairing-heading' },
          h('h2', { id: 'pairing-heading' }, 'Pairing code'),
          h('p', { class: 'pairing-code', id: 'pairing-code' }, created.pairingCode),
          h('p', {}, "Read this code to the partner's administrator over a channel you trust (a phone or video call where you recognise each other). They enter it to approve the invitation; it proves the invitation came from this deployment. Do not send it by the same e-mail or chat as the invitation link."),
          h('p', {}, h('a', { href: `${CONSOLE_BASE}/partnerships/${encodeURIComponent(created.id)}`, id: 'follow' }, 'Follow the handshake')),
        ),
      );
      formElement.hidden = true;
    } catch (error) {
      showProblem(error);
    }
  };
  append(main, formElement, preflightBox, result);
}

// ---------------------------------------------------------------------------------------------
// Incoming invitation

export async function invitationPage(main: HTMLElement, id: string): Promise<void> {
  heading(main, 'Incoming invitation', h('fluent-spinner', { size: 'small', 'aria-label': 'Loading' }));
  let details: Details;
  try {
    details = await api<Details>('GET', `/partnerships/${encodeURIComponent(id)}`);
  } catch (error) {
    append(main, problemBar(error));
    return;
  }
  if (details.role !== 'responder' || details.status !== 'Draft') {
    location.replace(`${CONSOLE_BASE}/partnerships/${encodeURIComponent(id)}`);
    return;
  }
  const planBox = h('section', { id: 'invitation-plan', 'aria-labelledby': 'plan-heading' }, h('h2', { id: 'plan-heading' }, 'What it would change here'), h('fluent-spinner', { size: 'small', 'aria-label': 'Planning' }));
  const outcome = h('section', { id: 'outcome', 'aria-live': 'polite' });
  /** One decision form: a field, a button; the answer goes to the partnership's page, a refusal shows here. */
  const decision = (action: 'approve' | 'reject', control: HTMLInputElement | HTMLTextAreaElement, label: string, hint: string, body: () => Record<string, string>): HTMLElement => {
    const form = h(
      'form',
      { id: `${action}-form`, novalidate: true },
      h('h2', {}, action === 'approve' ? 'Approve' : 'Reject'),
      h('div', { class: 'field' }, h('label', { for: control.id }, label), h('div', { class: 'hint', id: `${control.id}-hint` }, hint), control),
      h('div', { class: 'actions' }, button(action === 'approve' ? 'Approve' : 'Reject', { appearance: action === 'approve' ? 'primary' : 'secondary', type: 'submit', id: action })),
    );
    control.setAttribute('aria-describedby', `${control.id}-hint`);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void (async () => {
        try {
          await api('POST', `/partnerships/${encodeURIComponent(id)}/${action}`, body());
          location.assign(`${CONSOLE_BASE}/partnerships/${encodeURIComponent(id)}`);
        } catch (error) {
          clear(outcome);
          append(outcome, problemBar(error));
        }
      })();
    });
    return form;
  };
  const codeInput = h('input', { id: 'pairing-code-input', name: 'pairingCode', autocomplete: 'off', spellcheck: 'false', class: 'code-input' });
  const approve = decision('approve', codeInput, 'Pairing code', "The code the inviting administrator reads to you, e.g. K7QF-2M9D. It must match this invitation's key.", () => ({ pairingCode: codeInput.value }));
  const reasonInput = h('textarea', { id: 'reject-reason', name: 'reason', rows: 2 });
  const reject = decision('reject', reasonInput, 'Reason', 'Sent to the partner; their deployment undoes what it prepared.', () => ({ reason: reasonInput.value }));
  heading(
    main,
    'Incoming invitation',
    h(
      'section',
      { 'aria-labelledby': 'who-heading' },
      h('h2', { id: 'who-heading' }, 'Who asks'),
      h(
        'dl',
        { class: 'facts', id: 'inviter' },
        h('dt', {}, 'Tenant'),
        h('dd', {}, details.partnerTenantId),
        h('dt', {}, 'Cloud'),
        h('dd', {}, details.partnerCloud),
        h('dt', {}, 'Deployment'),
        h('dd', {}, originOf(details.invitation?.from ?? details.partnerDeploymentUrl)),
        h('dt', {}, 'Key fingerprint'),
        h('dd', {}, h('code', { id: 'key-fingerprint' }, details.invitation?.keyThumbprint ?? '—')),
        h('dt', {}, 'Expires'),
        h('dd', {}, time(details.invitation?.expiresAt)),
      ),
    ),
    h('section', { 'aria-labelledby': 'ask-heading' }, h('h2', { id: 'ask-heading' }, 'What they ask for'), requestFacts(details.desired)),
    planBox,
    h('div', { class: 'decide' }, approve, reject),
    outcome,
  );
  try {
    const planned = await api<{ operations: PlanOperation[] }>('GET', `/partnerships/${encodeURIComponent(id)}/plan`);
    planBox.querySelector('fluent-spinner')?.remove();
    append(planBox, planTable(planned.operations, 'Changes in this tenant if approved'));
  } catch (error) {
    planBox.querySelector('fluent-spinner')?.remove();
    append(planBox, problemBar(error));
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** A request as facts: one row per setting (dotted path in words → value), as this side would apply it. */
function requestFacts(desired: Record<string, unknown>): HTMLElement {
  const rows: [string, string][] = [];
  const walk = (value: unknown, path: string[]): void => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
    } else {
      const text = Array.isArray(value) ? (value.length === 0 ? '(none)' : value.join(', ')) : typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value);
      rows.push([path.map(labelOf).join(' › '), text]);
    }
  };
  walk(desired, []);
  return h('dl', { class: 'facts', id: 'request-facts' }, ...rows.flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, value)]));
}

// ---------------------------------------------------------------------------------------------
// Partnership detail

export async function detailPage(main: HTMLElement, id: string): Promise<void> {
  heading(main, 'Partnership', h('fluent-spinner', { size: 'small', 'aria-label': 'Loading' }));
  const header = h('section', { id: 'summary' });
  const timeline = h('ol', { class: 'timeline', id: 'timeline', 'aria-label': 'Timeline' });
  const errorBox = h('section', { id: 'last-error', 'aria-live': 'polite' });
  const driftBox = h('section', { id: 'drift', 'aria-labelledby': 'drift-heading' });
  const changes = h('section', { id: 'changes', 'aria-labelledby': 'changes-heading' }, h('h2', { id: 'changes-heading' }, 'Settings this partnership owns: before and after'));
  const offboard = offboardingForm(id);
  let shownSteps = -1;
  let shownStatus = '';
  let stopped = false;
  let timer: number | undefined;
  stopPage = () => {
    stopped = true;
    window.clearTimeout(timer);
  };
  heading(main, 'Partnership', header, errorBox, h('h2', {}, 'Timeline'), h('p', { class: 'hint' }, 'Both sides’ steps as this deployment recorded them; updates live.'), timeline, driftBox, changes, offboard);

  const renderDrift = (details: Details): void => {
    clear(driftBox);
    const report = button('Check for drift (report)', { id: 'reconcile-report' });
    const enforce = button('Repair drift now (enforce)', { id: 'reconcile-enforce', appearance: 'primary' });
    const outcome = h('div', { id: 'reconcile-outcome', 'aria-live': 'polite' });
    const run = async (mode: 'report' | 'enforce'): Promise<void> => {
      clear(outcome);
      append(outcome, h('fluent-spinner', { size: 'small', 'aria-label': 'Reconciling' }));
      try {
        const answer = await api<{ driftStatus: string; drift: { description?: string; kind?: string }[]; repaired?: boolean }>('POST', `/partnerships/${encodeURIComponent(id)}/reconcile?mode=${mode}`);
        clear(outcome);
        append(
          outcome,
          answer.drift.length === 0
            ? messageBar('success', 'No drift: the tenant holds every setting of this partnership.')
            : messageBar(
                mode === 'enforce' ? 'success' : 'warning',
                h('strong', {}, mode === 'enforce' ? `Repaired ${answer.drift.length} difference(s):` : `${answer.drift.length} difference(s) found:`),
                h('ul', {}, ...answer.drift.map((item) => h('li', {}, item.description ?? item.kind ?? JSON.stringify(item)))),
              ),
        );
        timer = window.setTimeout(() => void refresh(), 0);
      } catch (error) {
        clear(outcome);
        append(outcome, problemBar(error));
      }
    };
    report.addEventListener('click', () => void run('report'));
    enforce.addEventListener('click', () => void run('enforce'));
    append(
      driftBox,
      h('h2', { id: 'drift-heading' }, 'Drift'),
      h('p', {}, 'Current drift: ', h('span', { id: 'drift-status' }, badge(details.driftStatus))),
      details.status === 'Active' ? h('div', { class: 'actions' }, report, enforce) : h('p', { class: 'hint' }, 'Reconcile runs once the partnership is Active.'),
      outcome,
    );
  };

  const renderChanges = async (): Promise<void> => {
    try {
      const page = await api<{ events: StoredEvent[] }>('GET', `/events${query({ partnership: id, type: 'operation.applied', $top: 200 })}`);
      changes.querySelector('table, p')?.remove();
      append(
        changes,
        page.events.length === 0
          ? h('p', { class: 'hint' }, 'Nothing written yet.')
          : h(
              'table',
              { class: 'grid', id: 'before-after' },
              h('caption', { class: 'visually-hidden' }, 'Changes written by this partnership'),
              h('thead', {}, h('tr', {}, ...['When', 'Change', 'Before', 'After'].map((text) => h('th', { scope: 'col' }, text)))),
              h('tbody', {}, ...page.events.map((event) => h('tr', {}, h('td', {}, time(event.at)), h('td', {}, event.message), h('td', {}, json(event.before)), h('td', {}, json(event.after))))),
            ),
      );
    } catch (error) {
      append(changes, problemBar(error));
    }
  };

  const refresh = async (): Promise<void> => {
    if (stopped) return;
    let details: Details;
    try {
      details = await api<Details>('GET', `/partnerships/${encodeURIComponent(id)}`);
    } catch (error) {
      clear(header);
      append(header, problemBar(error));
      timer = window.setTimeout(() => void refresh(), POLL_INTERVAL_MS * 2);
      return;
    }
    clear(header);
    append(
      header,
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Partner'),
        h('dd', {}, details.desired.displayName ?? details.partnerTenantId),
        h('dt', {}, 'Partner tenant'),
        h('dd', {}, details.partnerTenantId),
        h('dt', {}, 'Cloud'),
        h('dd', {}, details.partnerCloud),
        h('dt', {}, 'Side'),
        h('dd', {}, details.role === 'initiator' ? 'This tenant asked' : 'The partner asked'),
        h('dt', {}, 'Status'),
        h('dd', { id: 'status' }, badge(details.status)),
        details.pairingCode && details.status === 'AwaitingPartner' ? h('dt', {}, 'Pairing code') : null,
        details.pairingCode && details.status === 'AwaitingPartner' ? h('dd', { class: 'pairing-code small' }, details.pairingCode) : null,
      ),
    );
    clear(errorBox);
    if (details.lastError) {
      const fix = fixFor(details.lastError.code);
      append(errorBox, messageBar('error', h('strong', {}, 'Last error: '), details.lastError.message, ' ', h('code', {}, details.lastError.code), fix ? h('p', {}, h('strong', {}, 'How to fix: '), fix) : null));
    }
    if (details.steps.length !== shownSteps) {
      clear(timeline);
      for (const step of details.steps) {
        append(timeline, h('li', { 'data-type': step.type }, time(step.at), ' ', h('span', { class: 'step-type' }, step.type), ' ', step.status ? badge(step.status) : null, h('div', {}, step.message)));
      }
      shownSteps = details.steps.length;
    }
    if (details.status !== shownStatus) {
      shownStatus = details.status;
      renderDrift(details);
      void renderChanges();
    } else {
      const drift = document.getElementById('drift-status');
      if (drift && drift.textContent !== (details.driftStatus ?? '—')) {
        clear(drift);
        append(drift, badge(details.driftStatus));
      }
    }
    timer = window.setTimeout(() => void refresh(), FINAL.has(details.status) ? POLL_INTERVAL_MS * 3 : POLL_INTERVAL_MS);
  };
  await refresh();
}

function offboardingForm(id: string): HTMLElement {
  const deleteGuests = h('input', { type: 'checkbox', id: 'offboard-delete-guests', name: 'deleteGuests' });
  const reason = h('textarea', { id: 'offboard-reason', name: 'reason', rows: 2, 'aria-describedby': 'offboard-reason-hint' });
  const outcome = h('div', { id: 'offboard-outcome', 'aria-live': 'polite' });
  const form = h(
    'form',
    { id: 'offboard-form', novalidate: true, 'aria-labelledby': 'offboard-heading' },
    h('h2', { id: 'offboard-heading' }, 'Offboard'),
    h('p', { class: 'hint' }, 'Ends the partnership on both sides: each deployment removes what this partnership added and restores what it changed.'),
    h('div', { class: 'field checkbox' }, deleteGuests, h('label', { for: 'offboard-delete-guests' }, 'Also delete the guest accounts this partnership invited')),
    h('div', { class: 'field' }, h('label', { for: 'offboard-reason' }, 'Reason'), h('div', { class: 'hint', id: 'offboard-reason-hint' }, 'Sent to the partner.'), reason),
    h('div', { class: 'actions' }, button('Offboard', { type: 'submit', id: 'offboard' })),
    outcome,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      clear(outcome);
      try {
        await api('DELETE', `/partnerships/${encodeURIComponent(id)}`, { deleteGuests: deleteGuests.checked, ...(reason.value.trim() ? { reason: reason.value.trim() } : {}) });
        append(outcome, messageBar('success', 'Offboarding started; the timeline shows its steps.'));
      } catch (error) {
        append(outcome, problemBar(error));
      }
    })();
  });
  return form;
}

// ---------------------------------------------------------------------------------------------
// Audit

const AUDIT_COLUMNS = ['at', 'actor', 'type', 'message', 'partnershipId', 'before', 'after'] as const;

export async function auditPage(main: HTMLElement): Promise<void> {
  const params = new URLSearchParams(location.search);
  const input = (name: string, label: string, hint: string, type = 'text'): HTMLInputElement => {
    const element = h('input', { id: `audit-${name}`, name, type, 'aria-describedby': `audit-${name}-hint` });
    element.value = params.get(name) ?? '';
    inputs.push(h('div', { class: 'field' }, h('label', { for: `audit-${name}` }, label), h('div', { class: 'hint', id: `audit-${name}-hint` }, hint), element));
    return element;
  };
  const inputs: HTMLElement[] = [];
  const partnership = input('partnership', 'Partnership', 'A partnership id.');
  const actor = input('actor', 'Who', 'e.g. admin:alice@contoso.com, partner:<tenant id>, timer, reconcile.');
  const type = input('type', 'What', 'An event type, e.g. status.changed, operation.applied, drift.detected.');
  const since = input('since', 'Since', 'An ISO date and time, e.g. 2025-01-31T09:00:00Z.');
  const filters = (): Record<string, string | undefined> => ({
    partnership: partnership.value.trim() || undefined,
    actor: actor.value.trim() || undefined,
    type: type.value.trim() || undefined,
    since: since.value.trim() || undefined,
  });
  const form = h('form', { id: 'audit-filter', class: 'filters', novalidate: true }, ...inputs, h('div', { class: 'actions' }, button('Filter', { type: 'submit', appearance: 'primary', id: 'audit-apply' }), button('Export CSV', { id: 'audit-export' })));
  const body = h('div', { id: 'audit-body', 'aria-live': 'polite' });
  heading(main, 'Audit', h('p', { class: 'lead' }, 'Every change and message recorded by this deployment: when, who, what, and the before and after.'), form, body);

  const rows: StoredEvent[] = [];
  let continuation: string | undefined;
  const tbody = h('tbody', {});
  const more = button('Load more', { id: 'audit-more' });
  const render = (): void => {
    clear(body);
    if (rows.length === 0) {
      append(body, h('p', { class: 'empty' }, 'No event matches.'));
      return;
    }
    append(
      body,
      h(
        'table',
        { class: 'grid', id: 'audit' },
        h('caption', { class: 'visually-hidden' }, 'Audit events'),
        h('thead', {}, h('tr', {}, ...['When', 'Who', 'What', 'Partnership', 'Before', 'After'].map((text) => h('th', { scope: 'col' }, text)))),
        tbody,
      ),
      continuation ? h('div', { class: 'actions' }, more) : null,
    );
  };
  const load = async (reset: boolean): Promise<void> => {
    if (reset) {
      rows.length = 0;
      clear(tbody);
      continuation = undefined;
    }
    try {
      const page = await api<{ events: StoredEvent[]; continuationToken?: string }>('GET', `/events${query({ ...filters(), $top: 100, continuationToken: continuation })}`);
      const fresh = [...page.events].sort((a, b) => b.at.localeCompare(a.at));
      rows.push(...fresh);
      for (const event of fresh) {
        append(
          tbody,
          h(
            'tr',
            { 'data-actor': event.actor },
            h('td', {}, time(event.at)),
            h('td', { class: 'actor' }, event.actor),
            h('td', {}, h('code', {}, event.type), h('div', {}, event.message)),
            h('td', {}, h('a', { href: `${CONSOLE_BASE}/partnerships/${encodeURIComponent(event.partnershipId)}` }, event.partnershipId.slice(0, 8))),
            h('td', {}, event.before === undefined ? '—' : h('details', {}, h('summary', {}, 'Before'), json(event.before))),
            h('td', {}, event.after === undefined ? '—' : h('details', {}, h('summary', {}, 'After'), json(event.after))),
          ),
        );
      }
      continuation = page.continuationToken;
      render();
    } catch (error) {
      clear(body);
      append(body, problemBar(error));
    }
  };
  more.addEventListener('click', () => void load(false));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URL(location.href);
    next.search = query(filters());
    history.replaceState(null, '', next);
    void load(true);
  });
  document.getElementById('audit-export')?.addEventListener('click', () => void exportCsv(filters()));
  await load(true);
}

/** Every matching event (all pages) as a CSV download. */
async function exportCsv(filters: Record<string, string | undefined>): Promise<void> {
  const all: StoredEvent[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await api<{ events: StoredEvent[]; continuationToken?: string }>('GET', `/events${query({ ...filters, $top: 200, continuationToken })}`);
    all.push(...page.events);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  all.sort((a, b) => a.at.localeCompare(b.at));
  const csv = [AUDIT_COLUMNS.join(','), ...all.map((event) => AUDIT_COLUMNS.map((column) => csvCell(event[column])).join(','))].join('\r\n');
  const link = h('a', { href: URL.createObjectURL(new Blob([csv], { type: 'text/csv' })), download: 'audit.csv', id: 'audit-download' }, 'audit.csv');
  link.hidden = true;
  document.body.appendChild(link);
  link.click();
  link.remove();
}

// The console's pages. Each renders into <main> and keeps itself current (the detail page polls).
import { api, ApiError, CONSOLE_BASE, query, type Problem } from './api';
import { csvCell } from './csv';
import { detailPage as renderDetail } from './detail';
import { append, badge, button, clear, h, json, messageBar, time } from './dom';
import { generateForm, labelOf, type GeneratedForm, type JsonSchema } from './form';
import type { Bootstrap, CapabilityCheck, Details, PlanOperation, StoredEvent, Summary } from './types';
import { capabilityTable, download, planTable, problemBar, sideOf } from './views';

export type { Bootstrap } from './types';

const STATUSES = ['Draft', 'ConfiguringLocal', 'AwaitingPartner', 'ConfiguringTeams', 'Verifying', 'Active', 'Rejected', 'Expired', 'Failed', 'RolledBack', 'Offboarding', 'Removed'];

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

function partnerName(row: Summary): string {
  return row.displayName ?? row.partnerTenantId;
}

function pageLink(row: Summary): string {
  const invitation = row.role === 'responder' && row.status === 'Draft';
  return `${CONSOLE_BASE}/${invitation ? 'invitations' : 'partnerships'}/${encodeURIComponent(row.id)}`;
}

// ---------------------------------------------------------------------------------------------
// Partnerships list

export async function listPage(main: HTMLElement): Promise<void> {
  const params = new URLSearchParams(location.search);
  const status = params.get('status') ?? '';
  const filter = h('select', { id: 'status-filter', name: 'status' }, h('option', { value: '' }, 'All statuses'), ...STATUSES.map((value) => h('option', { value }, value)));
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
    // The list is paged and filtered by the API: { partnerships, continuationToken?, nextLink? }; the
    // page's own $top (kept in the page links) picks the page size, the API bounds it.
    const top = params.get('$top') ?? undefined;
    const page = await api<{ partnerships: Summary[]; continuationToken?: string; nextLink?: string }>(
      'GET',
      `/partnerships${query({ status: status || undefined, $top: top ?? 50, continuationToken: params.get('continuationToken') ?? undefined })}`,
    );
    clear(body);
    if (page.partnerships.length === 0) {
      append(body, h('p', { class: 'empty' }, status ? `No partnership is ${status}.` : params.get('continuationToken') ? 'No more partnerships.' : 'No partnership yet. Start one with "New partnership".'));
    } else {
      append(
        body,
        h(
          'table',
          { class: 'grid', id: 'partnerships' },
          h('caption', { class: 'visually-hidden' }, 'Partnerships of this tenant'),
          h('thead', {}, h('tr', {}, ...['Partner', 'Environment', 'Side', 'Status', 'Drift', 'Updated'].map((text) => h('th', { scope: 'col' }, text)))),
          h(
            'tbody',
            {},
            ...page.partnerships.map((row) =>
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
    const links: HTMLElement[] = [];
    if (params.get('continuationToken')) {
      const first = new URL(location.href);
      first.searchParams.delete('continuationToken');
      links.push(h('a', { href: `${first.pathname}${first.search}`, id: 'first-page' }, 'First page'));
    }
    if (page.continuationToken) {
      const next = new URL(location.href);
      next.searchParams.set('continuationToken', page.continuationToken);
      links.push(h('a', { href: `${next.pathname}${next.search}`, id: 'next-page' }, 'Next page'));
    }
    if (links.length > 0) append(body, h('nav', { class: 'pager', 'aria-label': 'Pages' }, ...links));
  } catch (error) {
    clear(body);
    append(body, problemBar(error));
  }
}

// ---------------------------------------------------------------------------------------------
// New partnership

export async function newPage(main: HTMLElement, boot: Bootstrap): Promise<void> {
  heading(
    main,
    'New partnership',
    h('p', { class: 'lead' }, `This tenant is in the ${boot.cloud} environment. Fill in what the partnership should allow; the capability rules of both sides are checked as you go, and the plan shows exactly what would be written here before anything is.`),
  );
  const description = await (await fetch('/api/openapi.json', { credentials: 'same-origin' })).json();
  const schema = description.components.schemas.PartnershipRequest as JsonSchema;
  const checkBox = h('section', { id: 'preflight', 'aria-live': 'polite', 'aria-label': 'Capability check' });
  const pairBox = h('section', { id: 'pair', 'aria-label': 'What the two environments allow' });
  const result = h('section', { id: 'result', 'aria-live': 'polite' });
  let timer: number | undefined;
  let shownPair = '';
  let checks = 0;
  const form: GeneratedForm = generateForm(schema, {
    onChange: () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => void check(), 250);
    },
  });
  /** The capability preflight of both sides (the same as `handshake check`) for the request so far. */
  const check = async (): Promise<void> => {
    const values = form.values();
    const partner = typeof values.partnerCloud === 'string' ? values.partnerCloud : '';
    if (!partner) {
      clear(checkBox);
      clear(pairBox);
      shownPair = '';
      return;
    }
    const run = ++checks;
    if (partner !== shownPair) {
      shownPair = partner;
      void showPair(partner);
    }
    try {
      const answer = await api<CapabilityCheck>('POST', '/capabilities/check', values);
      if (run !== checks) return;
      clear(checkBox);
      append(
        checkBox,
        answer.violations.length === 0
          ? messageBar('success', `${answer.local} ↔ ${answer.partner}: the capability rules of both sides allow this request so far.`)
          : messageBar(
              'warning',
              h('strong', {}, 'The capability rules refuse this request:'),
              h('ul', {}, ...answer.violations.map((violation) => h('li', { 'data-code': violation.code }, violation.message, ` (refused by ${sideOf(violation.side)})`))),
            ),
        capabilityTable(answer, { all: false, caption: 'What this request asks, checked for both sides', id: 'asked-capabilities' }),
      );
    } catch (error) {
      if (run !== checks) return;
      clear(checkBox);
      if (error instanceof ApiError && error.problem.issues?.length) {
        // A field that is not valid yet: the check waits for it (the fields are marked on Preview).
        append(checkBox, messageBar('info', 'The capability check waits for valid fields: ', h('ul', {}, ...error.problem.issues.map((issue) => h('li', {}, `${issue.field}: ${issue.message}`)))));
      } else {
        append(checkBox, problemBar(error));
      }
    }
  };
  /** Everything the pair of environments allows, for reference while filling in. */
  const showPair = async (partner: string): Promise<void> => {
    try {
      const pair = await api<CapabilityCheck>('GET', `/capabilities/check${query({ partner })}`);
      if (shownPair !== partner) return;
      clear(pairBox);
      append(pairBox, h('details', {}, h('summary', {}, `What ${pair.local} ↔ ${pair.partner} allows (every capability)`), capabilityTable(pair, { all: true, caption: `Capabilities between ${pair.local} and ${pair.partner}`, id: 'pair-capabilities' })));
    } catch (error) {
      clear(pairBox);
      append(pairBox, problemBar(error));
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
      const planned = await api<{ operations: PlanOperation[]; desired: Record<string, unknown>; capabilities: CapabilityCheck }>('POST', '/partnerships?dryRun=true', body);
      clear(result);
      const confirm = button('Confirm and start the handshake', { appearance: 'primary', id: 'confirm' });
      confirm.addEventListener('click', () => void start(body));
      append(
        result,
        h('h2', { id: 'plan-heading' }, 'Plan preview'),
        h('p', {}, `What this deployment would write in this tenant (${planned.operations.length} change${planned.operations.length === 1 ? '' : 's'}). Nothing has been written yet; the partner's side is planned there once its administrator approves.`),
        planTable(planned.operations, 'Changes in this tenant'),
        capabilityTable(planned.capabilities, { all: false, caption: 'Capabilities asked, allowed on both sides', id: 'plan-capabilities' }),
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
          h(
            'p',
            {},
            "Read this code to the partner's administrator over a channel you trust (a phone or video call where you recognise each other). They type it to approve the invitation: it proves to their deployment that the invitation's key is this deployment's. Never send it with the invitation, and never by the same e-mail or chat. Their deployment allows 5 tries.",
          ),
          h('p', {}, h('a', { href: `${CONSOLE_BASE}/partnerships/${encodeURIComponent(created.id)}`, id: 'follow' }, 'Follow the handshake')),
        ),
      );
      formElement.hidden = true;
      clear(checkBox);
    } catch (error) {
      showProblem(error);
    }
  };
  append(main, formElement, checkBox, pairBox, result);
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
  const outcome = h('section', { id: 'outcome', 'aria-live': 'polite', 'aria-label': 'Outcome' });
  const attempts = h('span', { id: 'attempts-left' });
  const showAttempts = (used: number, max: number): void => {
    attempts.textContent = `${max - used} of ${max} left`;
  };
  if (details.pairingAttempts) showAttempts(details.pairingAttempts.used, details.pairingAttempts.max);
  /** One decision form: a field, a button; the answer goes to the partnership's page, a refusal shows here. */
  const decision = (action: 'approve' | 'reject', control: HTMLInputElement | HTMLTextAreaElement, label: string, hint: string, body: () => Record<string, string>): HTMLElement => {
    const form = h(
      'form',
      { id: `${action}-form`, novalidate: true, 'aria-labelledby': `${action}-heading` },
      h('h2', { id: `${action}-heading` }, action === 'approve' ? 'Approve' : 'Reject'),
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
          // A wrong code costs a try: show how many are left (the last one refuses the invitation for good).
          const now = await api<Details>('GET', `/partnerships/${encodeURIComponent(id)}`).catch(() => undefined);
          if (now?.pairingAttempts) showAttempts(now.pairingAttempts.used, now.pairingAttempts.max);
          if (now && now.status !== 'Draft') location.assign(`${CONSOLE_BASE}/partnerships/${encodeURIComponent(id)}`);
        }
      })();
    });
    return form;
  };
  const codeInput = h('input', { id: 'pairing-code-input', name: 'pairingCode', autocomplete: 'off', spellcheck: 'false', class: 'code-input' });
  const approve = decision(
    'approve',
    codeInput,
    'Pairing code',
    "The 16-character code the inviting administrator reads to you (XXXX-XXXX-XXXX-XXXX). It proves the key below is theirs; a wrong code costs one of the tries, a mistyped shape none.",
    () => ({ pairingCode: codeInput.value }),
  );
  const reasonInput = h('textarea', { id: 'reject-reason', name: 'reason', rows: 2 });
  const reject = decision('reject', reasonInput, 'Reason', 'Sent to the partner; their deployment undoes what it prepared.', () => ({ reason: reasonInput.value }));
  const presented = details.keys?.partnerPresented ?? details.invitation?.keyThumbprint;
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
        h('dt', {}, 'Environment'),
        h('dd', {}, details.partnerCloud),
        h('dt', {}, 'Deployment'),
        h('dd', {}, originOf(details.invitation?.from ?? details.partnerDeploymentUrl)),
        h('dt', {}, 'Key fingerprint'),
        h('dd', {}, h('code', { id: 'key-fingerprint', class: 'thumbprint' }, presented ?? '—'), ' ', badge(details.keys?.partner ? 'Trusted' : 'Not verified')),
        h('dt', {}, 'Verified by'),
        h('dd', {}, details.keys?.partner ? details.keys.partner.source : 'nothing yet: anyone can present a key; the pairing code proves it is the inviting deployment’s'),
        h('dt', {}, 'Pairing-code tries'),
        h('dd', {}, attempts),
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
      const text = Array.isArray(value)
        ? value.length === 0
          ? '(none)'
          : value.map((entry) => (typeof entry === 'string' ? entry : JSON.stringify(entry))).join(', ')
        : typeof value === 'boolean'
          ? value
            ? 'yes'
            : 'no'
          : String(value);
      rows.push([path.map(labelOf).join(' › '), text]);
    }
  };
  walk(desired, []);
  return h('dl', { class: 'facts', id: 'request-facts' }, ...rows.flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, value)]));
}

// ---------------------------------------------------------------------------------------------
// Partnership detail (detail.ts)

export function detailPage(main: HTMLElement, id: string): Promise<void> {
  return renderDetail(main, id, heading, (stop) => (stopPage = stop));
}

// ---------------------------------------------------------------------------------------------
// Audit

const AUDIT_COLUMNS = ['at', 'actor', 'type', 'message', 'partnershipId', 'before', 'after'] as const;

/** Who writes Events rows (docs/console.md): each kind is a filter of its own. */
const ACTOR_KINDS: [string, string][] = [
  ['', 'Anyone'],
  ['admin:*', 'An administrator (admin:…)'],
  ['partner:*', 'The partner (partner:…)'],
  ['orchestration', 'The handshake workflow (orchestration)'],
  ['timer', 'A timer (timer)'],
  ['graph-notification', 'A Graph change notification (graph-notification)'],
  ['reconcile', 'Reconcile, earlier versions (reconcile)'],
];

export async function auditPage(main: HTMLElement): Promise<void> {
  const params = new URLSearchParams(location.search);
  const inputs: HTMLElement[] = [];
  const input = (name: string, label: string, hint: string, value = params.get(name) ?? ''): HTMLInputElement => {
    const element = h('input', { id: `audit-${name}`, name, type: 'text', 'aria-describedby': `audit-${name}-hint` });
    element.value = value;
    inputs.push(h('div', { class: 'field' }, h('label', { for: `audit-${name}` }, label), h('div', { class: 'hint', id: `audit-${name}-hint` }, hint), element));
    return element;
  };
  const partnership = input('partnership', 'Partnership', 'A partnership id.');
  const given = params.get('actor') ?? '';
  const kind = h('select', { id: 'audit-actor-kind', name: 'actorKind', 'aria-describedby': 'audit-actor-kind-hint' }, ...ACTOR_KINDS.map(([value, text]) => h('option', { value }, text)));
  const knownKind = ACTOR_KINDS.some(([value]) => value === given);
  kind.value = knownKind ? given : '';
  inputs.push(h('div', { class: 'field' }, h('label', { for: 'audit-actor-kind' }, 'Who'), h('div', { class: 'hint', id: 'audit-actor-kind-hint' }, 'Which kind of actor.'), kind));
  const actor = input('actor', 'Who exactly', 'One actor, e.g. admin:alice@contoso.com or partner:<tenant id> (overrides the kind).', knownKind ? '' : given);
  const type = input('type', 'What', 'An event type, e.g. status.changed, operation.applied, drift.detected, message.received.');
  const since = input('since', 'Since', 'An ISO date and time, e.g. 2025-01-31T09:00:00Z.');
  const filters = (): Record<string, string | undefined> => ({
    partnership: partnership.value.trim() || undefined,
    actor: actor.value.trim() || kind.value || undefined,
    type: type.value.trim() || undefined,
    since: since.value.trim() || undefined,
  });
  const form = h(
    'form',
    { id: 'audit-filter', class: 'filters', novalidate: true, 'aria-label': 'Filter' },
    ...inputs,
    h('div', { class: 'actions' }, button('Filter', { type: 'submit', appearance: 'primary', id: 'audit-apply' }), button('Export CSV', { id: 'audit-export', type: 'button' })),
  );
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
            { 'data-actor': event.actor, 'data-type': event.type },
            h('td', {}, time(event.at)),
            h('td', { class: 'actor' }, event.actor),
            h('td', {}, h('code', {}, event.type), h('div', {}, event.message)),
            h('td', {}, h('a', { href: `${CONSOLE_BASE}/partnerships/${encodeURIComponent(event.partnershipId)}`, 'aria-label': `Partnership ${event.partnershipId}` }, event.partnershipId.slice(0, 8))),
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
  const apply = (): void => {
    const next = new URL(location.href);
    next.search = query(filters());
    history.replaceState(null, '', next);
    void load(true);
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    apply();
  });
  kind.addEventListener('change', () => {
    actor.value = '';
    apply();
  });
  document.getElementById('audit-export')?.addEventListener('click', () => void exportCsv(filters(), body));
  await load(true);
}

/** Every matching event (all pages) as a CSV download. */
async function exportCsv(filters: Record<string, string | undefined>, body: HTMLElement): Promise<void> {
  try {
    const all: StoredEvent[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await api<{ events: StoredEvent[]; continuationToken?: string }>('GET', `/events${query({ ...filters, $top: 200, continuationToken })}`);
      all.push(...page.events);
      continuationToken = page.continuationToken;
    } while (continuationToken);
    all.sort((a, b) => a.at.localeCompare(b.at));
    const csv = [AUDIT_COLUMNS.join(','), ...all.map((event) => AUDIT_COLUMNS.map((column) => csvCell(event[column])).join(','))].join('\r\n');
    download('audit.csv', csv, 'text/csv', 'audit-download');
  } catch (error) {
    append(body, problemBar(error));
  }
}

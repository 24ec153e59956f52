// A form generated from a JSON Schema — the API's own request schema, as GET /api/openapi.json
// publishes it — so the console asks exactly what the API accepts, with each field's description
// beside it. `errorAt(path)` puts an API error (problem+json issues[].field, a dotted path) next
// to the field it names, or the nearest enclosing one.
import { h } from './dom';

export type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: string[];
  const?: unknown;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  default?: unknown;
  description?: string;
  format?: string;
};

interface Field {
  element: HTMLElement;
  read(): unknown;
}

export interface GeneratedForm {
  element: HTMLElement;
  values(): Record<string, unknown>;
  /** Shows a message next to the field of that path (or its nearest ancestor); false when none. */
  errorAt(path: string, message: string): boolean;
  clearErrors(): void;
}

const idOf = (path: string): string => `f-${path.replace(/[^A-Za-z0-9_-]/g, '_')}`;

/** "partnerTenantId" → "Partner tenant ID" (sentence case, as the admin centers write labels). */
export function labelOf(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(' ')
    .map((word) => ({ id: 'ID', ids: 'IDs', url: 'URL', b2b: 'B2B', acs: 'ACS' })[word.toLowerCase()] ?? word.toLowerCase());
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function generateForm(schema: JsonSchema, options: { onChange?: () => void } = {}): GeneratedForm {
  const errors = new Map<string, HTMLElement>();
  const changed = (): void => options.onChange?.();

  const describe = (path: string, node: JsonSchema): { hint?: HTMLElement; error: HTMLElement; describedBy: string } => {
    const id = idOf(path);
    const hint = node.description ? h('div', { class: 'hint', id: `${id}-hint` }, node.description) : undefined;
    const error = h('div', { class: 'field-error', id: `${id}-error`, 'data-field': path, role: 'alert', hidden: true });
    errors.set(path, error);
    return { hint, error, describedBy: [hint ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' ') };
  };

  const field = (path: string, name: string, node: JsonSchema, required: boolean): Field => {
    const id = idOf(path);
    const label = labelOf(name);
    if (node.anyOf) return choice(path, name, node, required);
    if (node.type === 'object' && node.properties) return group(path, name, node, required);
    const { hint, error, describedBy } = describe(path, node);
    if (node.type === 'boolean') {
      const input = h('input', { type: 'checkbox', id, name: path, 'aria-describedby': describedBy, onchange: changed });
      input.checked = node.default === true;
      return { element: h('div', { class: 'field checkbox' }, input, h('label', { for: id }, label), hint, error), read: () => input.checked };
    }
    if (node.type === 'string' && node.enum) {
      const select = h('select', { id, name: path, 'aria-describedby': describedBy, onchange: changed });
      if (!required || node.default === undefined) select.appendChild(h('option', { value: '' }, required ? 'Choose…' : '(none)'));
      for (const value of node.enum) select.appendChild(h('option', { value }, value));
      if (typeof node.default === 'string') select.value = node.default;
      return { element: h('div', { class: 'field' }, h('label', { for: id }, label, required ? ' *' : ''), hint, select, error), read: () => select.value || undefined };
    }
    if (node.type === 'array') {
      const area = h('textarea', { id, name: path, rows: 3, 'aria-describedby': describedBy, onchange: changed });
      if (Array.isArray(node.default)) area.value = node.default.join('\n');
      return {
        element: h('div', { class: 'field' }, h('label', { for: id }, label), hint, area, error),
        read: () => {
          const lines = area.value.split(/[\n,]/).map((line) => line.trim()).filter(Boolean);
          return lines.length > 0 || node.default === undefined ? (lines.length > 0 ? lines : undefined) : [];
        },
      };
    }
    const input = h('input', { id, name: path, type: node.format === 'uri' ? 'url' : 'text', autocomplete: 'off', 'aria-describedby': describedBy, onchange: changed });
    if (typeof node.default === 'string') input.value = node.default;
    return {
      element: h('div', { class: 'field' }, h('label', { for: id }, label, required ? ' *' : ''), hint, input, error),
      read: () => (input.value.trim() === '' ? undefined : input.value.trim()),
    };
  };

  /** An object: always present when required or defaulted, else behind an "include" switch. */
  const group = (path: string, name: string, node: JsonSchema, required: boolean, bare = false): Field => {
    const { hint, error } = bare ? { hint: undefined, error: undefined } : describe(path, node);
    const requiredChildren = new Set(node.required ?? []);
    const children = Object.entries(node.properties ?? {}).map(([child, childNode]) => ({
      name: child,
      field: field(path ? `${path}.${child}` : child, child, childNode, requiredChildren.has(child)),
    }));
    const body = h('div', { class: 'group-body' }, ...children.map((child) => child.field.element));
    const read = (): Record<string, unknown> => {
      const value: Record<string, unknown> = {};
      for (const child of children) {
        const childValue = child.field.read();
        if (childValue !== undefined) value[child.name] = childValue;
      }
      return value;
    };
    const optional = !required && node.default === undefined;
    if (bare) return { element: h('div', { class: 'choice-fields', 'data-path': path }, body), read };
    if (!optional || (node.required ?? []).length === 0) {
      // Nothing in it is required: shown as is, and left out of the request while empty.
      const readGroup = optional ? () => (Object.keys(read()).length > 0 ? read() : undefined) : read;
      return { element: h('fieldset', { class: 'group', 'data-path': path }, h('legend', {}, labelOf(name)), hint, error, body), read: readGroup };
    }
    const toggleId = `${idOf(path)}-include`;
    const toggle = h('input', { type: 'checkbox', id: toggleId, 'aria-controls': `${idOf(path)}-body`, onchange: () => ((body.hidden = !toggle.checked), changed()) });
    body.id = `${idOf(path)}-body`;
    body.hidden = true;
    return {
      element: h('fieldset', { class: 'group', 'data-path': path }, h('legend', {}, labelOf(name)), h('div', { class: 'field checkbox' }, toggle, h('label', { for: toggleId }, `Include ${labelOf(name).replace(/^[A-Z](?![A-Z])/, (first) => first.toLowerCase())}`)), hint, error, body),
      read: () => (toggle.checked ? read() : undefined),
    };
  };

  /** anyOf: a constant (e.g. "all") or an object (e.g. { groupIds }) — a select, then the object's fields. */
  const choice = (path: string, name: string, node: JsonSchema, required: boolean): Field => {
    const id = idOf(path);
    const options = (node.anyOf ?? []).map((option, index) => {
      if (option.const !== undefined) return { value: `c${index}`, label: String(option.const), read: (): unknown => option.const, element: undefined as HTMLElement | undefined };
      const inner = group(path, name, option, true, true);
      return { value: `c${index}`, label: `Only: ${Object.keys(option.properties ?? {}).map(labelOf).join(', ')}`, read: inner.read, element: inner.element };
    });
    // After the alternatives' own groups, so that errors at this path show beside the select.
    const { hint, error, describedBy } = describe(path, node);
    const select = h('select', { id, name: path, 'aria-describedby': describedBy });
    if (!required) select.appendChild(h('option', { value: '' }, '(none)'));
    for (const option of options) select.appendChild(h('option', { value: option.value }, option.label));
    const details = h('div', { class: 'choice-body' }, ...options.map((option) => option.element));
    const sync = (): void => {
      for (const option of options) if (option.element) option.element.hidden = option.value !== select.value;
    };
    select.addEventListener('change', () => (sync(), changed()));
    sync();
    return {
      element: h('div', { class: 'field' }, h('label', { for: id }, labelOf(name), required ? ' *' : ''), hint, select, error, details),
      read: () => options.find((option) => option.value === select.value)?.read(),
    };
  };

  const root = group('', 'request', { ...schema, default: {} }, true);
  root.element.classList.add('root');
  return {
    element: root.element,
    values: () => root.read() as Record<string, unknown>,
    errorAt(path, message) {
      const parts = path.split('.');
      for (let length = parts.length; length >= 1; length--) {
        const target = errors.get(parts.slice(0, length).join('.'));
        if (target) {
          target.hidden = false;
          target.textContent = target.textContent ? `${target.textContent} ${message}` : message;
          const control = document.getElementById(idOf(parts.slice(0, length).join('.')));
          control?.setAttribute('aria-invalid', 'true');
          return true;
        }
      }
      return false;
    },
    clearErrors() {
      for (const [path, element] of errors) {
        element.hidden = true;
        element.textContent = '';
        document.getElementById(idOf(path))?.removeAttribute('aria-invalid');
      }
    },
  };
}

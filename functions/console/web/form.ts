// A form generated from a JSON Schema — the API's own request schema, as GET /api/openapi.json
// publishes it — so the console asks exactly what the API accepts, with each field's description
// beside it. Choices (enums, "all" or a list) are selects, lists of values are one per line,
// lists of objects (guests and their teams) are rows an admin adds and removes, a map keyed by an
// enum (redirect URLs per environment) is one field per key. `errorAt(path)` puts an API error
// (problem+json issues[].field, a dotted path with list positions) next to the field it names, or
// the nearest enclosing one.
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
  propertyNames?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
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

export const idOf = (path: string): string => `f-${path.replace(/[^A-Za-z0-9_-]/g, '_')}`;

const WORDS: Record<string, string> = { id: 'ID', ids: 'IDs', url: 'URL', urls: 'URLs', b2b: 'B2B', acs: 'ACS', upn: 'UPN', m365: 'M365' };

/** "partnerTenantId" → "Partner tenant ID" (sentence case, as the admin centers write labels). */
export function labelOf(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(' ')
    .map((word) => WORDS[word.toLowerCase()] ?? word.toLowerCase());
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "Cross cloud meetings" → "cross cloud meetings" (an acronym such as "ACS" stays). */
const lowerFirst = (label: string): string => label.replace(/^[A-Z](?![A-Z])/, (first) => first.toLowerCase());

/** "Partner guests" → "partner guest": what one row of a list is called. */
function singular(label: string): string {
  const lower = lowerFirst(label);
  return lower.endsWith('s') ? lower.slice(0, -1) : lower;
}

/** Controls that may be marked invalid (a fieldset may not). */
const FORM_CONTROLS = new Set(['INPUT', 'SELECT', 'TEXTAREA']);

const isEmptyValue = (value: unknown): boolean =>
  value === undefined || (Array.isArray(value) && value.length === 0) || (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);

const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The alternatives of a choice as options: a constant, each value of an enum, or an object with fields. */
function scalarValues(option: JsonSchema): unknown[] | undefined {
  if (option.const !== undefined) return [option.const];
  if (option.enum) return option.enum;
  return undefined;
}

export function generateForm(schema: JsonSchema, options: { onChange?: () => void } = {}): GeneratedForm {
  const errors = new Map<string, HTMLElement>();
  /** List path → the keys of its rows, in order (a row keeps its key when another is removed). */
  const lists = new Map<string, () => string[]>();
  const changed = (): void => options.onChange?.();

  const describe = (path: string, node: JsonSchema): { hint?: HTMLElement; error: HTMLElement; describedBy: string } => {
    const id = idOf(path);
    const hint = node.description ? h('div', { class: 'hint', id: `${id}-hint` }, node.description) : undefined;
    const error = h('div', { class: 'field-error', id: `${id}-error`, 'data-field': path, role: 'alert', hidden: true });
    errors.set(path, error);
    return { hint, error, describedBy: [hint ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' ') };
  };

  const field = (path: string, name: string, node: JsonSchema, required: boolean, label = labelOf(name)): Field => {
    const id = idOf(path);
    if (node.anyOf) {
      const values = node.anyOf.map(scalarValues);
      if (values.every(Boolean)) return select(path, label, { ...node, enum: values.flat().map(String) }, required);
      return choice(path, label, node, required);
    }
    if (node.type === 'object' && node.properties) return group(path, label, node, required);
    if (node.type === 'object' && node.propertyNames?.enum && typeof node.additionalProperties === 'object') return keyed(path, label, node);
    if (node.type === 'array' && node.items) return list(path, label, node, required);
    const { hint, error, describedBy } = describe(path, node);
    if (node.type === 'boolean') {
      const input = h('input', { type: 'checkbox', id, name: path, 'aria-describedby': describedBy, onchange: changed });
      input.checked = node.default === true;
      // An optional switch without a default is sent only when it is on.
      const read = (): unknown => (required || node.default !== undefined ? input.checked : input.checked || undefined);
      return { element: h('div', { class: 'field checkbox' }, input, h('label', { for: id }, label), hint, error), read };
    }
    if (node.enum) return select(path, label, node, required, { hint, error, describedBy });
    const input = h('input', { id, name: path, type: node.format === 'uri' ? 'url' : 'text', autocomplete: 'off', 'aria-describedby': describedBy, onchange: changed });
    if (typeof node.default === 'string') input.value = node.default;
    return {
      element: h('div', { class: 'field' }, h('label', { for: id }, label, required ? ' *' : ''), hint, input, error),
      read: () => (input.value.trim() === '' ? undefined : input.value.trim()),
    };
  };

  /** One value of a fixed set: a select (an optional one starts at "(none)"). */
  const select = (path: string, label: string, node: JsonSchema, required: boolean, described = describe(path, node)): Field => {
    const id = idOf(path);
    const { hint, error, describedBy } = described;
    const control = h('select', { id, name: path, 'aria-describedby': describedBy, onchange: changed });
    if (!required || node.default === undefined) control.appendChild(h('option', { value: '' }, required ? 'Choose…' : '(none)'));
    for (const value of node.enum ?? []) control.appendChild(h('option', { value }, value));
    if (typeof node.default === 'string') control.value = node.default;
    return { element: h('div', { class: 'field' }, h('label', { for: id }, label, required ? ' *' : ''), hint, control, error), read: () => control.value || undefined };
  };

  /**
   * An object. Required (or the root): always there. Optional with required fields: behind an
   * "include" switch. Optional without: shown as is, and left out of the request while nothing
   * in it differs from its default.
   */
  const group = (path: string, label: string, node: JsonSchema, required: boolean, bare = false): Field => {
    const { hint, error } = bare ? { hint: undefined, error: undefined } : describe(path, node);
    const requiredChildren = new Set(node.required ?? []);
    const children = Object.entries(node.properties ?? {}).map(([child, childNode]) => ({
      name: child,
      node: childNode,
      field: field(path ? `${path}.${child}` : child, child, childNode, requiredChildren.has(child)),
    }));
    const body = h('div', { class: 'group-body' }, ...children.map((child) => child.field.element));
    const read = (): Record<string, unknown> => {
      const value: Record<string, unknown> = {};
      for (const child of children) {
        const childValue = child.field.read();
        // A value equal to the schema's default is what the API assumes anyway.
        if (childValue === undefined || (child.node.default !== undefined && sameValue(childValue, child.node.default))) continue;
        value[child.name] = childValue;
      }
      return value;
    };
    if (bare) return { element: h('div', { class: 'choice-fields', 'data-path': path }, body), read };
    const optional = !required && node.default === undefined;
    if (!optional || requiredChildren.size === 0) {
      const readGroup = required ? read : () => (isEmptyValue(read()) ? undefined : read());
      return { element: h('fieldset', { class: 'group', 'data-path': path }, h('legend', {}, label), hint, error, body), read: readGroup };
    }
    const toggleId = `${idOf(path)}-include`;
    const toggle = h('input', { type: 'checkbox', id: toggleId, 'aria-controls': `${idOf(path)}-body`, onchange: () => ((body.hidden = !toggle.checked), changed()) });
    body.id = `${idOf(path)}-body`;
    body.hidden = true;
    return {
      element: h(
        'fieldset',
        { class: 'group', 'data-path': path },
        h('legend', {}, label),
        h('div', { class: 'field checkbox' }, toggle, h('label', { for: toggleId }, `Include ${lowerFirst(label)}`)),
        hint,
        error,
        body,
      ),
      read: () => (toggle.checked ? read() : undefined),
    };
  };

  /** A map keyed by a fixed set (e.g. one redirect URL per environment): one optional field per key. */
  const keyed = (path: string, label: string, node: JsonSchema): Field => {
    const { hint, error } = describe(path, node);
    const valueSchema = node.additionalProperties as JsonSchema;
    const children = (node.propertyNames?.enum ?? []).map((key) => ({ key, field: field(`${path}.${key}`, key, valueSchema, false, key) }));
    return {
      element: h('fieldset', { class: 'group', 'data-path': path }, h('legend', {}, label), hint, error, h('div', { class: 'group-body' }, ...children.map((child) => child.field.element))),
      read: () => {
        const value: Record<string, unknown> = {};
        for (const child of children) {
          const childValue = child.field.read();
          if (childValue !== undefined) value[child.key] = childValue;
        }
        return isEmptyValue(value) ? undefined : value;
      },
    };
  };

  /** A list: values of a fixed set are checkboxes, objects are rows, anything else one value per line. */
  const list = (path: string, label: string, node: JsonSchema, required: boolean): Field => {
    const items = node.items as JsonSchema;
    const objectItem = items.type === 'object' && items.properties ? items : items.anyOf?.find((option) => option.type === 'object' && option.properties);
    if (objectItem) return rows(path, label, node, objectItem, Boolean(items.anyOf?.some((option) => option.type === 'string')));
    const id = idOf(path);
    const { hint, error, describedBy } = describe(path, node);
    if (items.enum) {
      const boxes = items.enum.map((value) => h('input', { type: 'checkbox', id: `${id}-${value}`, name: path, value, onchange: changed }));
      return {
        element: h(
          'fieldset',
          { class: 'group options', id, 'aria-describedby': describedBy },
          h('legend', {}, label),
          hint,
          h('div', { class: 'option-list' }, ...boxes.map((box) => h('div', { class: 'field checkbox' }, box, h('label', { for: box.id }, box.value)))),
          error,
        ),
        read: () => {
          const checked = boxes.filter((box) => box.checked).map((box) => box.value);
          return checked.length > 0 ? checked : undefined;
        },
      };
    }
    const area = h('textarea', { id, name: path, rows: 3, 'aria-describedby': describedBy, onchange: changed });
    if (Array.isArray(node.default)) area.value = node.default.join('\n');
    return {
      element: h('div', { class: 'field' }, h('label', { for: id }, label, required ? ' *' : ''), hint, area, error),
      read: () => {
        const lines = area.value.split(/[\n,]/).map((line) => line.trim()).filter(Boolean);
        return lines.length > 0 ? lines : undefined;
      },
    };
  };

  /**
   * A list of objects: one row per item, added and removed by the admin. When the list also takes
   * a plain string (a guest given by UPN alone), a row with only its required field is sent as that string.
   */
  const rows = (path: string, label: string, node: JsonSchema, item: JsonSchema, acceptsString: boolean): Field => {
    const id = idOf(path);
    const { hint, error } = describe(path, node);
    const one = singular(label);
    const container = h('div', { class: 'rows', id: `${id}-rows` });
    const current: { key: string; element: HTMLElement; field: Field }[] = [];
    let next = 0;
    lists.set(path, () => current.map((row) => row.key));
    const requiredKeys = item.required ?? [];
    const add = (): void => {
      const key = String(next++);
      const rowPath = `${path}.${key}`;
      const title = `${one.charAt(0).toUpperCase()}${one.slice(1)} ${current.length + 1}`;
      const rowField = group(rowPath, title, item, true, true);
      // An error about the whole item (e.g. a UPN given alone) shows in its row.
      const { error: rowError } = describe(rowPath, {});
      const remove = h('button', { type: 'button', class: 'link-button', id: `${idOf(rowPath)}-remove` }, `Remove ${lowerFirst(title)}`);
      const element = h('fieldset', { class: 'row', 'data-path': rowPath }, h('legend', {}, title), rowError, rowField.element, h('div', { class: 'actions' }, remove));
      const row = { key, element, field: rowField };
      remove.addEventListener('click', () => {
        current.splice(current.indexOf(row), 1);
        element.remove();
        changed();
      });
      current.push(row);
      container.appendChild(element);
    };
    const addButton = h('button', { type: 'button', class: 'link-button', id: `${id}-add` }, `Add ${one}`);
    addButton.addEventListener('click', () => {
      add();
      (container.lastElementChild?.querySelector('input, select, textarea') as HTMLElement | null)?.focus();
    });
    return {
      element: h('fieldset', { class: 'group list', 'data-path': path }, h('legend', {}, label), hint, error, container, h('div', { class: 'actions' }, addButton)),
      read: () => {
        const values = current
          .map((row) => row.field.read() as Record<string, unknown>)
          .filter((value) => !isEmptyValue(value))
          .map((value) => (acceptsString && requiredKeys.length === 1 && Object.keys(value).length === 1 && requiredKeys[0] in value ? value[requiredKeys[0]] : value));
        return values.length > 0 ? values : undefined;
      },
    };
  };

  /** anyOf with an object: a select of the alternatives, then the chosen object's fields. */
  const choice = (path: string, label: string, node: JsonSchema, required: boolean): Field => {
    const id = idOf(path);
    const alternatives = (node.anyOf ?? []).flatMap((option, index) => {
      const values = scalarValues(option);
      if (values) return values.map((value, valueIndex) => ({ value: `c${index}-${valueIndex}`, label: String(value), read: (): unknown => value, element: undefined as HTMLElement | undefined }));
      const inner = group(path, label, option, true, true);
      const named = Object.entries(option.properties ?? {})
        .filter(([, child]) => child.default === undefined)
        .map(([name]) => labelOf(name));
      return [{ value: `c${index}`, label: `Listed: ${named.join(', ')}`, read: inner.read, element: inner.element }];
    });
    // After the alternatives' own fields, so that errors at this path show beside the select.
    const { hint, error, describedBy } = describe(path, node);
    const control = h('select', { id, name: path, 'aria-describedby': describedBy });
    if (!required) control.appendChild(h('option', { value: '' }, '(none)'));
    for (const option of alternatives) control.appendChild(h('option', { value: option.value }, option.label));
    const details = h('div', { class: 'choice-body' }, ...alternatives.map((option) => option.element));
    const sync = (): void => {
      for (const option of alternatives) if (option.element) option.element.hidden = option.value !== control.value;
    };
    control.addEventListener('change', () => (sync(), changed()));
    sync();
    return {
      element: h('div', { class: 'field' }, h('label', { for: id }, label, required ? ' *' : ''), hint, control, error, details),
      read: () => alternatives.find((option) => option.value === control.value)?.read(),
    };
  };

  /** An API path (list positions) as this form's path (row keys). */
  const formPath = (path: string): string => {
    const parts = path.split('.');
    const out: string[] = [];
    for (let index = 0; index < parts.length; index++) {
      out.push(parts[index]);
      const keys = lists.get(out.join('.'));
      const position = parts[index + 1];
      if (keys && position !== undefined && /^\d+$/.test(position)) {
        const key = keys()[Number(position)];
        if (key !== undefined) {
          out.push(key);
          index++;
        }
      }
    }
    return out.join('.');
  };

  const root = group('', 'Partnership request', { ...schema, default: {} }, true);
  root.element.classList.add('root');
  return {
    element: root.element,
    values: () => root.read() as Record<string, unknown>,
    errorAt(path, message) {
      const parts = formPath(path).split('.');
      for (let length = parts.length; length >= 1; length--) {
        const target = errors.get(parts.slice(0, length).join('.'));
        if (target?.isConnected) {
          target.hidden = false;
          target.textContent = target.textContent ? `${target.textContent} ${message}` : message;
          const control = document.getElementById(idOf(parts.slice(0, length).join('.')));
          if (control && FORM_CONTROLS.has(control.tagName)) control.setAttribute('aria-invalid', 'true');
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

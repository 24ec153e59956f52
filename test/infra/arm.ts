// A small evaluator of ARM template expressions ("[concat(parameters('x'), '-', uniqueString(...))]"),
// enough for this project's template: the tests evaluate default names, app settings and outputs
// per cloud and check every parameters()/variables() reference. Functions follow the ARM
// template function reference; uniqueString is deterministic here (13 characters of a-z and 2-7,
// as ARM's), reference() answers stand-in runtime values.
import { createHash } from 'node:crypto';

export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

export type Node =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'call'; name: string; args: Node[]; access: Access[] };
type Access = { kind: 'property'; name: string } | { kind: 'index'; index: Node };

/** True when a JSON string is an ARM expression (not an escaped "[[" literal). */
export function isExpression(text: string): boolean {
  return text.startsWith('[') && text.endsWith(']') && !text.startsWith('[[');
}

export function parseExpression(text: string): Node {
  const source = text.slice(1, -1).trim();
  let position = 0;
  const skip = (): void => {
    while (/\s/.test(source[position] ?? '')) position += 1;
  };
  const fail = (what: string): never => {
    throw new Error(`ARM expression ${text}: ${what} at ${position}`);
  };
  const expect = (char: string): void => {
    skip();
    if (source[position] !== char) fail(`expected "${char}"`);
    position += 1;
  };
  const node = (): Node => {
    skip();
    const char = source[position];
    if (char === "'") {
      let value = '';
      position += 1;
      for (;;) {
        if (position >= source.length) fail('unterminated string');
        if (source[position] === "'") {
          if (source[position + 1] === "'") {
            value += "'";
            position += 2;
            continue;
          }
          position += 1;
          break;
        }
        value += source[position++];
      }
      return { kind: 'string', value };
    }
    if (/[-0-9]/.test(char ?? '')) {
      const match = /^-?\d+/.exec(source.slice(position))!;
      position += match[0].length;
      return { kind: 'number', value: Number(match[0]) };
    }
    const name = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(source.slice(position));
    if (!name) return fail('expected a function');
    position += name[0].length;
    expect('(');
    const args: Node[] = [];
    skip();
    if (source[position] === ')') position += 1;
    else {
      for (;;) {
        args.push(node());
        skip();
        if (source[position] === ',') {
          position += 1;
          continue;
        }
        expect(')');
        break;
      }
    }
    const access: Access[] = [];
    for (;;) {
      skip();
      if (source[position] === '.') {
        position += 1;
        const property = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(position));
        if (!property) fail('expected a property name');
        position += property![0].length;
        access.push({ kind: 'property', name: property![0] });
      } else if (source[position] === '[') {
        position += 1;
        access.push({ kind: 'index', index: node() });
        expect(']');
      } else break;
    }
    return { kind: 'call', name: name[0], args, access };
  };
  const result = node();
  skip();
  if (position !== source.length) fail('unexpected text');
  return result;
}

/** Every call in an expression, nested ones included. */
export function calls(node: Node): Array<Extract<Node, { kind: 'call' }>> {
  if (node.kind !== 'call') return [];
  return [node, ...node.args.flatMap(calls), ...node.access.flatMap((entry) => (entry.kind === 'index' ? calls(entry.index) : []))];
}

/** Every string in a JSON document that is an expression, with its path. */
export function expressionsIn(value: unknown, path = ''): Array<{ path: string; text: string }> {
  if (typeof value === 'string') return isExpression(value) ? [{ path, text: value }] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => expressionsIn(item, `${path}/${index}`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [...(isExpression(key) ? [{ path: `${path}/(key)`, text: key }] : []), ...expressionsIn(item, `${path}/${key}`)]);
  }
  return [];
}

/** The Azure cloud a deployment runs in: what environment() answers there (az cloud show). */
export interface AzureEnvironment {
  name: 'AzureCloud' | 'AzureUSGovernment' | 'AzureChinaCloud';
  suffixes: { storage: string; keyvaultDns: string };
  authentication: { loginEndpoint: string };
  /** App Service default domain (not in environment(); the stand-in reference() uses it). */
  appServiceDomain: string;
}

export const AZURE_ENVIRONMENTS: Record<'Global' | 'USGov' | 'China', AzureEnvironment> = {
  Global: { name: 'AzureCloud', suffixes: { storage: 'core.windows.net', keyvaultDns: '.vault.azure.net' }, authentication: { loginEndpoint: 'https://login.microsoftonline.com/' }, appServiceDomain: 'azurewebsites.net' },
  USGov: { name: 'AzureUSGovernment', suffixes: { storage: 'core.usgovcloudapi.net', keyvaultDns: '.vault.usgovcloudapi.net' }, authentication: { loginEndpoint: 'https://login.microsoftonline.us/' }, appServiceDomain: 'azurewebsites.us' },
  China: { name: 'AzureChinaCloud', suffixes: { storage: 'core.chinacloudapi.cn', keyvaultDns: '.vault.azure.cn' }, authentication: { loginEndpoint: 'https://login.chinacloudapi.cn/' }, appServiceDomain: 'chinacloudsites.cn' },
};

export interface EvaluationContext {
  environment: AzureEnvironment;
  resourceGroupId: string;
  subscriptionTenantId: string;
  location: string;
  /** Parameter values given (a parameter file); defaults fill the rest. */
  parameterValues: Record<string, Value>;
}

interface Template {
  parameters?: Record<string, { defaultValue?: Value }>;
  variables?: Record<string, Value>;
}

/** Evaluates expressions of one template in one context (parameters and variables resolved lazily). */
export class ArmEvaluator {
  private readonly parameterCache = new Map<string, Value>();
  private readonly variableCache = new Map<string, Value>();

  constructor(
    private readonly template: Template,
    private readonly context: EvaluationContext,
  ) {}

  parameter(name: string): Value {
    if (this.parameterCache.has(name)) return this.parameterCache.get(name)!;
    const declared = this.template.parameters?.[name];
    if (!declared) throw new Error(`parameters('${name}') is not declared`);
    const value = name in this.context.parameterValues ? this.context.parameterValues[name] : this.resolve(declared.defaultValue ?? null);
    this.parameterCache.set(name, value);
    return value;
  }

  variable(name: string): Value {
    if (this.variableCache.has(name)) return this.variableCache.get(name)!;
    if (!this.template.variables || !(name in this.template.variables)) throw new Error(`variables('${name}') is not declared`);
    const value = this.resolve(this.template.variables[name]);
    this.variableCache.set(name, value);
    return value;
  }

  /** A JSON value with every expression in it evaluated. */
  resolve(value: Value | undefined): Value {
    if (typeof value === 'string') return isExpression(value) ? this.evaluate(parseExpression(value)) : value.startsWith('[[') ? value.slice(1) : value;
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [String(this.resolve(key)), this.resolve(item)]));
    }
    return value ?? null;
  }

  evaluate(node: Node): Value {
    if (node.kind !== 'call') return node.value;
    let value = this.call(node.name, node.args);
    for (const entry of node.access) {
      const key = entry.kind === 'property' ? entry.name : this.evaluate(entry.index);
      if (value === null || typeof value !== 'object') throw new Error(`cannot read ${String(key)} of ${JSON.stringify(value)}`);
      value = (value as Record<string, Value>)[String(key)];
      if (value === undefined) throw new Error(`no property ${String(key)}`);
    }
    return value;
  }

  private call(name: string, argNodes: Node[]): Value {
    // `if` evaluates only the branch taken.
    if (name.toLowerCase() === 'if') {
      return this.evaluate(argNodes[0]) ? this.evaluate(argNodes[1]) : this.evaluate(argNodes[2]);
    }
    const args = argNodes.map((arg) => this.evaluate(arg));
    const text = (index: number): string => String(args[index]);
    switch (name.toLowerCase()) {
      case 'parameters':
        return this.parameter(text(0));
      case 'variables':
        return this.variable(text(0));
      case 'concat':
        return args.map(String).join('');
      case 'format':
        return text(0).replace(/\{(\d+)\}/g, (_, index: string) => String(args[Number(index) + 1]));
      case 'take':
        return text(0).slice(0, Number(args[1]));
      case 'replace':
        return text(0).split(text(1)).join(text(2));
      case 'tolower':
        return text(0).toLowerCase();
      case 'equals':
        return JSON.stringify(args[0]) === JSON.stringify(args[1]);
      case 'not':
        return !args[0];
      case 'empty':
        return args[0] === null || args[0] === '' || (Array.isArray(args[0]) && args[0].length === 0) || (typeof args[0] === 'object' && args[0] !== null && Object.keys(args[0]).length === 0);
      case 'uniquestring':
        return uniqueString(args.map(String));
      case 'guid':
        return guidOf(args.map(String));
      case 'resourcegroup':
        return { id: this.context.resourceGroupId, location: this.context.location, name: this.context.resourceGroupId.split('/').pop()! };
      case 'subscription':
        return { tenantId: this.context.subscriptionTenantId, subscriptionId: this.context.resourceGroupId.split('/')[2], id: this.context.resourceGroupId.split('/resourceGroups/')[0] };
      case 'environment':
        return { name: this.context.environment.name, suffixes: { ...this.context.environment.suffixes }, authentication: { ...this.context.environment.authentication } };
      case 'resourceid':
        return `${this.context.resourceGroupId}/providers/${text(0)}/${args.slice(1).map(String).join('/')}`;
      case 'subscriptionresourceid':
        return `${this.context.resourceGroupId.split('/resourceGroups/')[0]}/providers/${text(0)}/${args.slice(1).map(String).join('/')}`;
      case 'reference':
        return this.reference(text(0));
      default:
        throw new Error(`function ${name}() is not known to the test evaluator`);
    }
  }

  /** Stand-in runtime values of the resources the template reads back. */
  private reference(id: string): Value {
    const name = id.split('/').pop()!;
    const seed = (what: string): string => guidOf([id, what]);
    if (id.includes('/Microsoft.ManagedIdentity/userAssignedIdentities/')) return { principalId: seed('principal'), clientId: seed('client'), tenantId: this.context.subscriptionTenantId };
    if (id.includes('/Microsoft.Web/sites/')) return { defaultHostName: `${name}.${this.context.environment.appServiceDomain}` };
    if (id.includes('/Microsoft.KeyVault/vaults/')) return { vaultUri: `https://${name}${this.context.environment.suffixes.keyvaultDns}/` };
    if (id.includes('/Microsoft.Insights/components/')) return { ConnectionString: `InstrumentationKey=${seed('ikey')};IngestionEndpoint=https://${this.context.location}.in.applicationinsights.example/` };
    throw new Error(`reference('${id}') has no stand-in`);
  }
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** 13 characters of [a-z2-7], like ARM's uniqueString (its hash differs; the shape is what matters). */
export function uniqueString(parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('|')).digest();
  return Array.from(digest.subarray(0, 13), (byte) => BASE32[byte % 32]).join('');
}

function guidOf(parts: string[]): string {
  const hex = createHash('sha1').update(parts.join('|')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

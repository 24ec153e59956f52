// infra/azure/azuredeploy.json and its parameter files, checked offline: against the official ARM
// JSON schemas (copied into test/infra/arm-schemas with their source note), then by evaluating the
// template per cloud — every parameters()/variables() reference declared, the app settings are the
// ones the app reads and load into a valid configuration, default names keep Azure's naming rules,
// the outputs, the security switches, and no cloud-specific host written into a resource.
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, SETTINGS } from '../../shared/config';
import { signInSettings } from '../../shared/console/principal';
import { requiredGraphPermissions } from '../../shared/deploy/permissions';
import { ArmEvaluator, AZURE_ENVIRONMENTS, calls, expressionsIn, parseExpression, type Value } from './arm';

const ROOT = join(__dirname, '..', '..');
const TEMPLATE_FILE = join(ROOT, 'infra', 'azure', 'azuredeploy.json');
const PARAMETERS_DIR = join(ROOT, 'infra', 'azure', 'parameters');
const SCHEMAS_DIR = join(__dirname, 'arm-schemas');

type Resource = { type: string; apiVersion: string; name: string; properties?: Record<string, Value>; scope?: string; kind?: string; identity?: Record<string, Value> } & Record<string, Value>;
interface Template {
  parameters: Record<string, { type: string; defaultValue?: Value; allowedValues?: Value[]; minLength?: number; maxLength?: number }>;
  variables: Record<string, Value>;
  resources: Resource[];
  outputs: Record<string, { type: string; value: string }>;
}

const template = JSON.parse(readFileSync(TEMPLATE_FILE, 'utf8')) as Template;
const parameterFiles = Object.fromEntries(
  readdirSync(PARAMETERS_DIR).map((file) => [file.replace(/\.json$/, ''), JSON.parse(readFileSync(join(PARAMETERS_DIR, file), 'utf8')) as { parameters: Record<string, { value: Value }> }]),
);
/** Which Azure cloud each example parameter file deploys to. */
const FILE_CLOUD: Record<string, keyof typeof AZURE_ENVIRONMENTS> = { global: 'Global', usgov: 'USGov', china: 'China' };

/**
 * Settings the template sets for the Functions platform, not for the app's code (the app reads
 * SETTINGS of shared/config.ts): the runtime, the package, telemetry and the host's own
 * identity-based storage connection.
 */
const PLATFORM_SETTINGS: Record<string, string> = {
  FUNCTIONS_EXTENSION_VERSION: 'Functions runtime v4',
  FUNCTIONS_WORKER_RUNTIME: 'Node.js worker',
  WEBSITE_RUN_FROM_PACKAGE: 'run the zip as the app (read-only)',
  APPLICATIONINSIGHTS_CONNECTION_STRING: 'telemetry to Application Insights',
  AzureWebJobsStorage__credential: 'host storage through the managed identity',
  AzureWebJobsStorage__blobServiceUri: 'host storage: blobs (leases)',
  AzureWebJobsStorage__queueServiceUri: 'host storage: queues (Durable Functions)',
  MICROSOFT_PROVIDER_AUTHENTICATION_SECRET: "App Service Authentication: the console app registration's client secret (a Key Vault reference)",
};

/** The API versions chosen (older stable ones, available in all three clouds; see docs/deployment.md). */
const API_VERSIONS: Record<string, string> = {
  'Microsoft.ManagedIdentity/userAssignedIdentities': '2023-01-31',
  'Microsoft.Storage/storageAccounts': '2023-05-01',
  'Microsoft.KeyVault/vaults': '2023-07-01',
  'Microsoft.OperationalInsights/workspaces': '2022-10-01',
  'Microsoft.Insights/components': '2020-02-02',
  'Microsoft.Web/serverfarms': '2023-12-01',
  'Microsoft.Web/sites': '2023-12-01',
  'Microsoft.Web/sites/config': '2023-12-01',
  'Microsoft.Authorization/roleAssignments': '2022-04-01',
};

function evaluator(cloud: keyof typeof AZURE_ENVIRONMENTS, parameterValues: Record<string, Value> = {}): ArmEvaluator {
  return new ArmEvaluator(template as never, {
    environment: AZURE_ENVIRONMENTS[cloud],
    resourceGroupId: '/subscriptions/5f1c2d3e-0000-4000-8000-00000000aaaa/resourceGroups/rg-handshake',
    subscriptionTenantId: '44444444-4444-4444-8444-444444444444',
    location: 'westeurope',
    parameterValues,
  });
}

function valuesOf(file: string): Record<string, Value> {
  return Object.fromEntries(Object.entries(parameterFiles[file].parameters).map(([name, entry]) => [name, entry.value]));
}

/** The one resource of that type (for a site's config, the one of that name: appsettings, authsettingsV2). */
function resourceOf(type: string, configName?: string): Resource {
  const found = template.resources.filter((resource) => resource.type === type && (!configName || resource.name.endsWith(`/${configName}')]`)));
  expect(found).toHaveLength(1);
  return found[0];
}

function explain(errors: ErrorObject[]): string {
  const real = errors.filter((error) => !error.schemaPath.startsWith('#/definitions/expression/') && !['anyOf', 'oneOf', 'if'].includes(error.keyword));
  const pool = real.length ? real : errors;
  const depthOf = (error: ErrorObject): number => error.instancePath.split('/').length + (error.keyword === 'additionalProperties' ? 1 : 0);
  const depth = Math.max(...pool.map(depthOf));
  return [...new Set(pool.filter((error) => depthOf(error) === depth).map((error) => `${error.instancePath || '/'} ${error.message}${error.params.additionalProperty ? `: "${error.params.additionalProperty}"` : ''}`))].join('\n');
}

describe('the ARM template against the official schemas', () => {
  const ajv = new Ajv({ allowUnionTypes: true, strict: false });
  addFormats(ajv);
  const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
  const compile = (file: string) => {
    if (!compiled.has(file)) compiled.set(file, ajv.compile(JSON.parse(readFileSync(join(SCHEMAS_DIR, file), 'utf8'))));
    return compiled.get(file)!;
  };

  it('the template is a valid deployment template (closed objects: no misspelt or read-only property)', () => {
    const validate = compile('deploymentTemplate.schema.json');
    const valid = validate(template);
    expect(valid ? '' : explain(validate.errors!)).toBe('');
  });

  it('a misspelt property is caught (the schemas are strict enough to matter)', () => {
    const validate = compile('deploymentTemplate.schema.json');
    const broken = structuredClone(template);
    const site = broken.resources.find((resource) => resource.type === 'Microsoft.Web/sites')!;
    (site.properties!.siteConfig as Record<string, Value>).ftpState = 'Disabled';
    expect(validate(broken)).toBe(false);
    expect(explain(validate.errors!)).toMatch(/siteConfig must NOT have additional properties: "ftpState"/);
  });

  it.each(Object.keys(FILE_CLOUD))('parameters/%s.json is a valid parameter file of this template', (file) => {
    const validate = compile('deploymentParameters.schema.json');
    const valid = validate(parameterFiles[file]);
    expect(valid ? '' : explain(validate.errors!)).toBe('');
    for (const [name, { value }] of Object.entries(parameterFiles[file].parameters)) {
      const declared = template.parameters[name];
      expect({ name, declared: Boolean(declared) }).toEqual({ name, declared: true });
      if (declared.allowedValues) expect(declared.allowedValues).toContain(value);
      if (typeof value === 'string' && declared.minLength !== undefined) expect(value.length).toBeGreaterThanOrEqual(declared.minLength);
      if (typeof value === 'string' && declared.maxLength !== undefined) expect(value.length).toBeLessThanOrEqual(declared.maxLength);
    }
  });

  it('one parameter file per cloud, and no other', () => {
    expect(Object.keys(parameterFiles).sort()).toEqual(Object.keys(FILE_CLOUD).sort());
  });

  it('uses the older stable apiVersion of each type (available in Azure Government and Azure China too)', () => {
    for (const resource of template.resources) expect({ type: resource.type, apiVersion: resource.apiVersion }).toEqual({ type: resource.type, apiVersion: API_VERSIONS[resource.type] });
    for (const { text } of expressionsIn(template)) {
      for (const call of calls(parseExpression(text)).filter((entry) => entry.name === 'reference' && entry.args.length > 1)) {
        expect(Object.values(API_VERSIONS)).toContain((call.args[1] as { value: string }).value);
      }
    }
  });
});

describe('the template, evaluated', () => {
  it('every expression parses, and every parameters()/variables() it names is declared', () => {
    const expressions = expressionsIn(template);
    expect(expressions.length).toBeGreaterThan(40);
    const undeclared: string[] = [];
    for (const { path, text } of expressions) {
      for (const call of calls(parseExpression(text))) {
        const [first] = call.args;
        if (call.name === 'parameters' && !(first?.kind === 'string' && first.value in template.parameters)) undeclared.push(`${path}: ${text}`);
        if (call.name === 'variables' && !(first?.kind === 'string' && first.value in template.variables)) undeclared.push(`${path}: ${text}`);
      }
    }
    expect(undeclared).toEqual([]);
  });

  it('a reference to an undeclared parameter would be found', () => {
    const broken = { ...template, outputs: { ...template.outputs, oops: { type: 'string', value: "[parameters('tenantid2')]" } } };
    const names = expressionsIn(broken).flatMap(({ text }) => calls(parseExpression(text))).filter((call) => call.name === 'parameters').map((call) => (call.args[0] as { value: string }).value);
    expect(names.filter((name) => !(name in template.parameters))).toEqual(['tenantid2']);
  });

  it.each(Object.entries(FILE_CLOUD))('%s: every app setting is one the app reads or the platform needs, and they load into a valid configuration', (file, cloud) => {
    const arm = evaluator(cloud, valuesOf(file));
    const settings = arm.resolve(resourceOf('Microsoft.Web/sites/config', 'appsettings').properties!) as Record<string, string>;
    const known = new Set<string>([...Object.values(SETTINGS), ...Object.keys(PLATFORM_SETTINGS)]);
    expect(Object.keys(settings).filter((name) => !known.has(name))).toEqual([]);
    for (const value of Object.values(settings)) expect(typeof value).toBe('string');

    const config = loadConfig(settings);
    expect(config).toMatchObject({
      tenantId: valuesOf(file).tenantId,
      cloud: valuesOf(file).tenantCloud,
      credential: { kind: 'managedIdentity', clientId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      storage: { connectionString: '', tableEndpoint: `https://${arm.parameter('storageAccountName')}.table.${AZURE_ENVIRONMENTS[cloud].suffixes.storage}` },
      deploymentKey: { kind: 'keyVault', vaultUrl: `https://${arm.parameter('keyVaultName')}${AZURE_ENVIRONMENTS[cloud].suffixes.keyvaultDns}/`, secretName: 'handshake-deployment-key' },
      publicBaseUrl: `https://${arm.parameter('functionAppName')}.${AZURE_ENVIRONMENTS[cloud].appServiceDomain}`,
      reconcileMode: 'report',
      reconcileSchedule: '0 */15 * * * *',
      teamsAdapter: cloud === 'China' ? 'manual' : 'rest',
    });
    // The host and the app use the same identity and account.
    expect(settings.AzureWebJobsStorage__clientId).toBe(settings.MANAGED_IDENTITY_CLIENT_ID);
    expect(settings.AzureWebJobsStorage__blobServiceUri).toBe(`https://${arm.parameter('storageAccountName')}.blob.${AZURE_ENVIRONMENTS[cloud].suffixes.storage}`);
    // Nothing the app requires is left out: without the template's settings it would not load.
    const required = ['TENANT_ID', 'TENANT_CLOUD', 'AzureWebJobsStorage__tableServiceUri'];
    for (const name of required) expect(() => loadConfig({ ...settings, [name]: undefined })).toThrow(name);
  });

  it('China defaults to manual Teams mode when teamsMode is not given; Global and US Gov to rest; the cloud defaults from the Azure cloud', () => {
    expect(parameterFiles.china.parameters.teamsMode).toBeUndefined();
    expect(evaluator('China', { tenantCloud: 'China' }).parameter('teamsMode')).toBe('manual');
    expect(evaluator('Global', { tenantCloud: 'Global' }).parameter('teamsMode')).toBe('rest');
    expect(evaluator('China').parameter('tenantCloud')).toBe('China');
    expect(evaluator('USGov').parameter('tenantCloud')).toBe('GCCHigh');
    expect(evaluator('Global').parameter('tenantCloud')).toBe('Global');
    expect(template.parameters.tenantCloud.allowedValues).toEqual(['Global', 'GCC', 'GCCHigh', 'DoD', 'China']);
  });

  it('a public URL given replaces the app host in PUBLIC_BASE_URL and the outputs', () => {
    const arm = evaluator('Global', { publicUrl: 'https://handshake.contoso.com' });
    const settings = arm.resolve(resourceOf('Microsoft.Web/sites/config', 'appsettings').properties!) as Record<string, string>;
    expect(settings.PUBLIC_BASE_URL).toBe('https://handshake.contoso.com');
    expect(arm.resolve(template.outputs.webhookUrl.value)).toBe('https://handshake.contoso.com/api/handshake/messages');
  });

  const NAME_RULES: Array<{ parameter: string; what: string; rule: RegExp }> = [
    { parameter: 'storageAccountName', what: 'storage account: 3-24 lower-case letters and digits', rule: /^[a-z0-9]{3,24}$/ },
    { parameter: 'keyVaultName', what: 'Key Vault: 3-24, letter first, letter or digit last, no "--"', rule: /^(?!.*--)[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/ },
    { parameter: 'functionAppName', what: 'Function App: 2-60 letters, digits, hyphens, not at the ends', rule: /^[a-zA-Z0-9][a-zA-Z0-9-]{0,58}[a-zA-Z0-9]$/ },
    { parameter: 'planName', what: 'App Service plan: 1-60 letters, digits, hyphens', rule: /^[a-zA-Z0-9-]{1,60}$/ },
    { parameter: 'identityName', what: 'managed identity: 3-128, letter or digit first', rule: /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}$/ },
    { parameter: 'workspaceName', what: 'Log Analytics workspace: 4-63, letter or digit at both ends', rule: /^[a-zA-Z0-9][a-zA-Z0-9-]{2,61}[a-zA-Z0-9]$/ },
    { parameter: 'appInsightsName', what: 'Application Insights: 1-260, none of %&\\?/', rule: /^[^%&\\?/]{1,260}$/ },
  ];

  it.each([...new Set(['handshake', 'cch', 'contoso-hs', 'woodgrove11', ...Object.keys(FILE_CLOUD).map((file) => String(valuesOf(file).namePrefix))])])(
    'default names for prefix "%s" keep Azure\'s length and character rules',
    (prefix) => {
      const { minLength, maxLength } = template.parameters.namePrefix;
      expect(prefix.length).toBeGreaterThanOrEqual(minLength!);
      expect(prefix.length).toBeLessThanOrEqual(maxLength!);
      for (const cloud of Object.keys(AZURE_ENVIRONMENTS) as Array<keyof typeof AZURE_ENVIRONMENTS>) {
        const arm = evaluator(cloud, { namePrefix: prefix });
        for (const { parameter, what, rule } of NAME_RULES) {
          const name = String(arm.parameter(parameter));
          expect({ what, name, ok: rule.test(name) }).toEqual({ what, name, ok: true });
        }
      }
    },
  );

  it('outputs: the app URL, the webhook URL (the partner route) and the identity\'s principal id', () => {
    const arm = evaluator('USGov', valuesOf('usgov'));
    const app = `https://${arm.parameter('functionAppName')}.azurewebsites.us`;
    expect(arm.resolve(template.outputs.appUrl.value)).toBe(app);
    expect(arm.resolve(template.outputs.webhookUrl.value)).toBe(`${app}/api/handshake/messages`);
    expect(readFileSync(join(ROOT, 'functions', 'handshake.ts'), 'utf8')).toContain("route: 'handshake/messages'");
    const identity = `${'/subscriptions/5f1c2d3e-0000-4000-8000-00000000aaaa/resourceGroups/rg-handshake'}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${arm.parameter('identityName')}`;
    expect(template.outputs.identityPrincipalId.value).toBe("[reference(variables('identityId'), '2023-01-31').principalId]");
    expect(arm.variable('identityId')).toBe(identity);
    expect(arm.resolve(template.outputs.identityPrincipalId.value)).toMatch(/^[0-9a-f-]{36}$/);
    // What `handshake setup --outputs` reads.
    for (const name of ['identityPrincipalId', 'tenantId', 'tenantCloud', 'teamsMode']) expect(template.outputs[name]?.type).toBe('string');
  });

  it('HTTPS only, TLS 1.2+, FTP off, shared-key storage access off, Key Vault in RBAC mode, user-assigned identity, Node 20 on Functions v4', () => {
    const site = resourceOf('Microsoft.Web/sites');
    expect(site.kind).toBe('functionapp,linux');
    expect(site.properties).toMatchObject({ httpsOnly: true, siteConfig: { linuxFxVersion: 'Node|20', ftpsState: 'Disabled', minTlsVersion: '1.2', scmMinTlsVersion: '1.2', alwaysOn: true } });
    expect(site.identity).toEqual({ type: 'UserAssigned', userAssignedIdentities: { "[variables('identityId')]": {} } });
    expect(resourceOf('Microsoft.Web/serverfarms').properties).toEqual({ reserved: true });
    expect(resourceOf('Microsoft.Storage/storageAccounts').properties).toMatchObject({ minimumTlsVersion: 'TLS1_2', supportsHttpsTrafficOnly: true, allowSharedKeyAccess: false, allowBlobPublicAccess: false });
    expect(resourceOf('Microsoft.KeyVault/vaults').properties).toMatchObject({ enableRbacAuthorization: true });
    const settings = resourceOf('Microsoft.Web/sites/config', 'appsettings').properties!;
    expect(settings).toMatchObject({ FUNCTIONS_EXTENSION_VERSION: '~4', FUNCTIONS_WORKER_RUNTIME: 'node', WEBSITE_RUN_FROM_PACKAGE: "[parameters('packageUrl')]" });
    expect(Object.keys(settings).filter((name) => /ConnectionString|AccountKey|_KEY$|CLIENT_SECRET/i.test(name) && name !== 'APPLICATIONINSIGHTS_CONNECTION_STRING')).toEqual([]);
  });

  it.each(Object.entries(FILE_CLOUD))("%s: App Service Authentication for the console only with a client id: Entra in the deployment's cloud and tenant, anonymous callers let through, the secret a Key Vault reference", (file, cloud) => {
    const auth = resourceOf('Microsoft.Web/sites/config', 'authsettingsV2');
    // Without a client id: no sign-in in front, and the app does not trust a principal header.
    const off = evaluator(cloud, valuesOf(file));
    expect(off.resolve(auth.condition as string)).toBe(false);
    const offSettings = off.resolve(resourceOf('Microsoft.Web/sites/config', 'appsettings').properties!) as Record<string, string>;
    expect(offSettings).toMatchObject({ TRUST_APP_SERVICE_PRINCIPAL: 'false', MICROSOFT_PROVIDER_AUTHENTICATION_SECRET: '' });
    expect(signInSettings(offSettings)).toMatchObject({ trustPrincipal: false });

    const clientId = '3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c';
    const on = evaluator(cloud, { ...valuesOf(file), consoleClientId: clientId });
    expect(on.resolve(auth.condition as string)).toBe(true);
    const tenantId = String(on.parameter('tenantId'));
    const loginHost = { Global: 'login.microsoftonline.com', USGov: 'login.microsoftonline.us', China: 'login.chinacloudapi.cn' }[cloud];
    expect(on.resolve(auth.properties!)).toEqual({
      platform: { enabled: true },
      // Partner webhooks, Graph notifications and function-key callers reach the app without a session.
      globalValidation: { requireAuthentication: false, unauthenticatedClientAction: 'AllowAnonymous' },
      identityProviders: {
        azureActiveDirectory: {
          enabled: true,
          registration: { openIdIssuer: `https://${loginHost}/${tenantId}/v2.0`, clientId, clientSecretSettingName: 'MICROSOFT_PROVIDER_AUTHENTICATION_SECRET' },
          validation: { allowedAudiences: [`api://${clientId}`, clientId] },
        },
      },
      login: { tokenStore: { enabled: false }, cookieExpiration: { convention: 'FixedTime', timeToExpiration: '08:00:00' }, allowedExternalRedirectUrls: [] },
    });
    const settings = on.resolve(resourceOf('Microsoft.Web/sites/config', 'appsettings').properties!) as Record<string, string>;
    // The secret is never in the template: the setting App Service reads refers to the vault.
    expect(settings.MICROSOFT_PROVIDER_AUTHENTICATION_SECRET).toBe(`@Microsoft.KeyVault(VaultName=${on.parameter('keyVaultName')};SecretName=console-client-secret)`);
    expect(template.parameters.consoleClientSecretName.type).toBe('string');
    expect(signInSettings(settings)).toEqual({ trustPrincipal: true, adminRole: 'Partnerships.Admin' });
    // Another role name, given as a parameter, is the one the app requires.
    const renamed = evaluator(cloud, { ...valuesOf(file), consoleClientId: clientId, consoleAdminRole: 'Handshake.Operator' });
    expect(signInSettings(renamed.resolve(resourceOf('Microsoft.Web/sites/config', 'appsettings').properties!) as Record<string, string>)).toEqual({ trustPrincipal: true, adminRole: 'Handshake.Operator' });
  });

  it('the identity holds the built-in roles it needs, on the storage account and the vault only', () => {
    const arm = evaluator('Global', valuesOf('global'));
    const assignments = template.resources.filter((resource) => resource.type === 'Microsoft.Authorization/roleAssignments').map((resource) => {
      const properties = arm.resolve(resource.properties!) as Record<string, string>;
      return { scope: String(arm.resolve(resource.scope!)), role: properties.roleDefinitionId.split('/').pop(), principalType: properties.principalType };
    });
    const storage = `Microsoft.Storage/storageAccounts/${arm.parameter('storageAccountName')}`;
    const vault = `Microsoft.KeyVault/vaults/${arm.parameter('keyVaultName')}`;
    expect(assignments).toEqual([
      { scope: storage, role: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b', principalType: 'ServicePrincipal' }, // Storage Blob Data Owner
      { scope: storage, role: '974c5e8b-45b9-4653-ba55-5f855dd0fb88', principalType: 'ServicePrincipal' }, // Storage Queue Data Contributor
      { scope: storage, role: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3', principalType: 'ServicePrincipal' }, // Storage Table Data Contributor
      { scope: vault, role: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7', principalType: 'ServicePrincipal' }, // Key Vault Secrets Officer
    ]);
  });

  it('no cloud-specific host is written into the template: they come from environment() and the app\'s cloud table', () => {
    const text = readFileSync(TEMPLATE_FILE, 'utf8');
    for (const host of ['core.windows.net', 'core.usgovcloudapi.net', 'chinacloudapi', 'azurewebsites', 'vault.azure', 'usgovcloudapi', 'graph.microsoft', 'microsoftonline', 'applicationinsights.azure']) {
      expect({ host, found: text.includes(host) }).toEqual({ host, found: false });
    }
    expect(text).toContain('environment().suffixes.storage');
  });

  it('the product needs fewer Graph permissions in China (no synchronisation APIs there)', () => {
    expect(requiredGraphPermissions('China').length).toBeLessThan(requiredGraphPermissions('Global').length);
  });
});

// The credential of a deployment: managed identity in Azure, client secret or certificate
// elsewhere (and against the simulator, whose authority is not a Microsoft host).
import { ClientCertificateCredential, ClientSecretCredential, ManagedIdentityCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/core-auth';
import type { CloudEndpoints } from '../clouds';
import type { CredentialConfig } from '../config';

export function createCredential(
  config: CredentialConfig,
  tenantId: string,
  endpoints: Pick<CloudEndpoints, 'loginBaseUrl'>,
): TokenCredential {
  const authority = {
    authorityHost: endpoints.loginBaseUrl,
    // Instance discovery only knows Microsoft's authorities; an overridden one (the simulator) must skip it.
    disableInstanceDiscovery: !isMicrosoftAuthority(endpoints.loginBaseUrl),
  };
  switch (config.kind) {
    case 'clientSecret':
      return new ClientSecretCredential(tenantId, config.clientId, config.clientSecret, authority);
    case 'certificate':
      return new ClientCertificateCredential(tenantId, config.clientId, { certificatePath: config.certificatePath }, authority);
    case 'managedIdentity':
      return config.clientId ? new ManagedIdentityCredential({ clientId: config.clientId }) : new ManagedIdentityCredential();
  }
}

const MICROSOFT_AUTHORITIES = ['login.microsoftonline.com', 'login.microsoftonline.us', 'login.chinacloudapi.cn'];

function isMicrosoftAuthority(url: string): boolean {
  try {
    return MICROSOFT_AUTHORITIES.includes(new URL(url).hostname);
  } catch {
    return false;
  }
}

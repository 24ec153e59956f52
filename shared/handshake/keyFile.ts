// The deployment key of the local stack: a JSON file holding the private JWK, mode 0600.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { DomainError } from '../errors';
import { deploymentKeyFromPrivateJwk, generateDeploymentKey, PersistentDeploymentKeyStore, type DeploymentKey } from './keys';

const KEY_FILE_VERSION = 1;
const OWNER_ONLY = 0o600;

export interface FileDeploymentKeyStoreOptions {
  /** Path of the key file; created (with its folder) on first use. */
  path: string;
}

/**
 * Keeps the deployment key in a file readable by its owner only. The first `getDeploymentKey`
 * creates it; later calls and later processes read the same key. Two processes starting at once
 * agree on one key: the file appears atomically (hard link of a complete temporary file), and the
 * loser of the race reads the winner's file. A file others can read is refused (POSIX), as ssh does.
 */
export class FileDeploymentKeyStore extends PersistentDeploymentKeyStore {
  readonly path: string;

  constructor(options: FileDeploymentKeyStoreOptions) {
    if (!options.path) throw new DomainError('config.invalid', 'The deployment key file needs a path.');
    super();
    this.path = options.path;
  }

  protected async create(): Promise<DeploymentKey> {
    const { key, privateJwk } = await generateDeploymentKey();
    const content = JSON.stringify({ version: KEY_FILE_VERSION, createdAt: new Date().toISOString(), privateJwk }, null, 2);
    await fs.mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = join(dirname(this.path), `.${basename(this.path)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const handle = await fs.open(temporary, 'wx', OWNER_ONLY);
      try {
        await handle.chmod(OWNER_ONLY); // the umask cannot widen it, but make the intent explicit
        await handle.writeFile(content + '\n', 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await fs.link(temporary, this.path);
        return key;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    } catch (error) {
      if (error instanceof DomainError) throw error;
      throw new DomainError('config.invalid', `Could not create the deployment key file ${this.path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`, { cause: error });
    } finally {
      await fs.rm(temporary, { force: true });
    }
    // Another process created the file first: use its key.
    const created = await this.read();
    if (!created) throw new DomainError('config.invalid', `The deployment key file ${this.path} vanished while it was being created.`);
    return created;
  }

  protected async read(): Promise<DeploymentKey | undefined> {
    let text: string;
    try {
      const stat = await fs.stat(this.path);
      if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
        throw new DomainError(
          'config.invalid',
          `The deployment key file ${this.path} is accessible to other users (mode ${(stat.mode & 0o777).toString(8)}); make it 600.`,
        );
      }
      text = await fs.readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      if (error instanceof DomainError) throw error;
      throw new DomainError('config.invalid', `Could not read the deployment key file ${this.path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`, { cause: error });
    }
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      throw new DomainError('config.invalid', `The deployment key file ${this.path} is not JSON.`);
    }
    const privateJwk = (document as { privateJwk?: unknown } | null)?.privateJwk;
    return deploymentKeyFromPrivateJwk(privateJwk, `the key file ${this.path}`);
  }
}

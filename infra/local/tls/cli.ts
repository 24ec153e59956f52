// Prints the file to put in NODE_EXTRA_CA_CERTS (creating the local CA on first use): the CA
// itself, or a bundle of the CA and the file NODE_EXTRA_CA_CERTS already names. Scripts start
// processes with it: NODE_EXTRA_CA_CERTS="$(node dist/infra/local/tls/cli.js)" jest
import { ensureTrustFile } from './index';

ensureTrustFile({ dir: process.argv[2] }).then(
  ({ file }) => {
    process.stdout.write(`${file}\n`);
  },
  (error: unknown) => {
    process.stderr.write(`Could not create the local CA: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);

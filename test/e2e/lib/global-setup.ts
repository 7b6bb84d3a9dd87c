/**
 * jest globalSetup for the e2e suite: installs the pinned n8n on the first run (about 5-10 minutes,
 * progress on stderr), reuses it afterwards, and makes the folder this run keeps its files in.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export default function globalSetup(): void {
	const root = path.resolve(__dirname, '../../..');
	execFileSync(path.join(root, 'scripts/install-n8n.sh'), { stdio: ['ignore', 'ignore', 'inherit'] });
	// Set in this (parent) process, so every test file and worker inherits it.
	process.env.HANDOFF_E2E_RUN_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-e2e-run-'));
}

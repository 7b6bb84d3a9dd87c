/**
 * jest globalTeardown for the e2e suite: kills any n8n process group a crashed or timed-out test
 * left behind, then removes the run folder (kept when HANDOFF_E2E_KEEP=1, to read n8n's logs).
 */
import * as fs from 'fs';
import * as path from 'path';

export default function globalTeardown(): void {
	const dir = process.env.HANDOFF_E2E_RUN_DIR;
	if (!dir || !fs.existsSync(dir)) return;
	const pidFile = path.join(dir, 'pids');
	const pids = fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8').split('\n').filter(Boolean) : [];
	for (const pid of pids) {
		try {
			process.kill(-Number(pid), 'SIGKILL'); // each n8n leads its own process group
			console.warn(`e2e teardown: killed leftover n8n process group ${pid}`);
		} catch {
			// already stopped, as it should be
		}
	}
	if (process.env.HANDOFF_E2E_KEEP === '1') console.log(`e2e files kept in ${dir}`);
	else fs.rmSync(dir, { recursive: true, force: true });
}

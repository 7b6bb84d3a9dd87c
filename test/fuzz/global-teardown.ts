/**
 * jest globalTeardown of `npm run test:fuzz`: the e2e suite's (kills any n8n a failed test left,
 * removes the run folder), except that the fuzz reports are kept: they are what the run is for.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import e2eTeardown from '../e2e/lib/global-teardown';

export default function globalTeardown(): void {
	const dir = process.env.HANDOFF_E2E_RUN_DIR;
	const reports = dir ? path.join(dir, 'fuzz') : '';
	let kept = '';
	if (reports && fs.existsSync(reports) && process.env.HANDOFF_E2E_KEEP !== '1') {
		kept = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-fuzz-reports-'));
		for (const file of fs.readdirSync(reports)) fs.copyFileSync(path.join(reports, file), path.join(kept, file));
	}
	e2eTeardown();
	if (kept) console.log(`fuzz reports kept in ${kept}`);
}

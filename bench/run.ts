/**
 * `npm run bench` (or `npm run bench:quick`, with --quick): runs the bench once, prints the tables,
 * writes the JSON results, and leaves nothing running (n8n, simulators, the floor relay).
 * Timing is reported, never judged: the exit code says only whether the bench ran.
 */
import { benchConfig } from './config';
import { textReport, writeJson } from './report';
import { runBench } from './suite';
import globalTeardown from '../test/e2e/lib/global-teardown';
import { N8nInstance, runDir } from '../test/e2e/lib/n8n';

async function main(): Promise<void> {
	const config = benchConfig(process.argv.includes('--quick') || undefined);
	runDir(); // this run's folder (n8n user folders, the packed package), removed at the end
	console.log(`bench: ${JSON.stringify(config)}`);
	const results = await runBench(config);
	writeJson(results, config.outFile);
	console.log(textReport(results));
	console.log(`\nbench: results in ${config.outFile}`);
}

async function cleanUp(): Promise<void> {
	await N8nInstance.stopAll().catch(() => undefined);
	globalTeardown(); // kills any n8n group left behind, removes the run folder (kept with HANDOFF_E2E_KEEP=1)
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.once(signal, () => {
		console.error(`bench: ${signal}, stopping`);
		void cleanUp().finally(() => process.exit(130));
	});
}

main()
	.then(cleanUp)
	.then(() => process.exit(0))
	.catch(async (error) => {
		console.error(`bench failed: ${error?.stack ?? error}`);
		await cleanUp();
		process.exit(1);
	});

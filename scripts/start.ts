/**
 * `npm start`: a playground with no accounts (see scripts/start/playground.ts). Starts a simulator of
 * every platform, a real n8n (the pinned 2.40.7, installed into a cache on first use) with this
 * package, imports and publishes every template in templates/ wired to the simulators, and prints
 * one line per stage, then how to chat as the customer and as the agent in each pairing, then the
 * addresses. Ctrl-C stops everything.
 *
 * Ports: a free one each by default; N8N_PORT, LANDBOT_SIM_PORT, TILEDESK_SIM_PORT, LIVECHAT_SIM_PORT,
 * BOTPRESS_SIM_PORT, BOTPRESS_LIVECHAT_SIM_PORT, SALESFORCE_SIM_PORT, SALESFORCE_ENHANCED_CHAT_SIM_PORT,
 * SLACK_SIM_PORT (the Slack simulator's Web API and control API; n8n reaches it through a TLS proxy on
 * a free port), CHATWOOT_SIM_PORT, CRISP_SIM_PORT, OWN_APP_PORT choose them.
 * LANDBOT_IDLE_UNASSIGN_MS: when Landbot unassigns a silent handoff (default 3 minutes; 0 = never).
 * HANDOFF_E2E_KEEP=1 keeps n8n's folder (database, log) after Ctrl-C.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { N8nInstance } from '../test/e2e/lib/n8n';
import { type PlaygroundPorts, startPlayground } from './start/playground';

const PORT_VARIABLES: Record<keyof PlaygroundPorts, string> = {
	n8n: 'N8N_PORT',
	landbot: 'LANDBOT_SIM_PORT',
	tiledesk: 'TILEDESK_SIM_PORT',
	livechat: 'LIVECHAT_SIM_PORT',
	botpress: 'BOTPRESS_SIM_PORT',
	botpressLiveChat: 'BOTPRESS_LIVECHAT_SIM_PORT',
	salesforce: 'SALESFORCE_SIM_PORT',
	salesforceEnhancedChat: 'SALESFORCE_ENHANCED_CHAT_SIM_PORT',
	slack: 'SLACK_SIM_PORT',
	chatwoot: 'CHATWOOT_SIM_PORT',
	crisp: 'CRISP_SIM_PORT',
	ownApp: 'OWN_APP_PORT',
};

function number(name: string): number | undefined {
	const text = process.env[name];
	if (text === undefined || text === '') return undefined;
	const value = Number(text);
	if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${name}=${text}: not a port number`);
	return value;
}

async function main(): Promise<void> {
	const ports = Object.fromEntries(Object.entries(PORT_VARIABLES).map(([key, name]) => [key, number(name)])) as Partial<PlaygroundPorts>;
	const idle = process.env.LANDBOT_IDLE_UNASSIGN_MS;
	const idleUnassignMs = idle === undefined || idle === '' ? undefined : Number(idle);
	if (idleUnassignMs !== undefined && !(idleUnassignMs >= 0)) throw new Error(`LANDBOT_IDLE_UNASSIGN_MS=${idle}: not a number of ms`);
	// n8n's folder (database, log) and the packed package: a folder of this run.
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-playground-'));
	process.env.HANDOFF_E2E_RUN_DIR = dir;
	const removeDir = () => {
		if (process.env.HANDOFF_E2E_KEEP === '1') console.log(`n8n's folder is kept: ${dir}`);
		else fs.rmSync(dir, { recursive: true, force: true });
	};

	console.log('n8n-nodes-handoff playground: simulators of Landbot, Tiledesk, LiveChat, Botpress, Salesforce Live Agent, Salesforce Enhanced Chat, Slack, Chatwoot and Crisp, and a real n8n');
	let stopping = false;
	let stopPlayground: (() => Promise<void>) | undefined;
	const onSignal = () => {
		if (stopping) return;
		stopping = true;
		console.log('\nStopping…');
		// Still starting: n8n leads its own process group, so Ctrl-C did not reach it; stop it here.
		void (stopPlayground ?? (() => N8nInstance.stopAll()))()
			.catch((error) => console.error(error))
			.finally(() => {
				removeDir();
				process.exit(0);
			});
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);

	let playground;
	try {
		playground = await startPlayground({ ports, idleUnassignMs });
	} catch (error) {
		if (stopping) return; // Ctrl-C during start-up: onSignal finishes
		removeDir();
		throw error;
	}
	stopPlayground = playground.stop;
	if (stopping) return void playground.stop();

	const guide = playground.guide();
	const guideFile = path.join(dir, 'walkthrough.txt');
	fs.writeFileSync(guideFile, guide);
	console.log(`\n${guide}`);
	console.log(playground.summary());
	console.log(`  (the same commands: ${guideFile})\n\nCtrl-C stops everything.`);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});

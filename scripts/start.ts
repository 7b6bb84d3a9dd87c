/**
 * `npm start`: a playground with no accounts. Starts the Landbot and Tiledesk simulators, a real
 * n8n (the pinned 2.40.7, installed into a cache on first use) with this package, imports and
 * publishes the relay templates 1–5 wired to the simulators, and prints how to chat as the
 * customer and as the agent. Ctrl-C stops everything.
 */
import { N8nInstance, OWNER, packPackage } from '../test/e2e/lib/n8n';
import {
	HEADER_SECRET_NAME,
	headerSecretCredential,
	landbotCredential,
	requestIdFor,
	startPlatforms,
	tiledeskCredential,
	waitForLandbotTrigger,
	waitForTiledeskTrigger,
} from '../test/e2e/lib/relay';
import { PLACEHOLDERS, TEMPLATE_CREDENTIALS, TEMPLATE_FILES, loadTemplate, webhookPath } from '../test/e2e/lib/templates';

const N8N_PORT = Number(process.env.N8N_PORT ?? 5678);
const LANDBOT_PORT = Number(process.env.LANDBOT_SIM_PORT ?? 4501);
const TILEDESK_PORT = Number(process.env.TILEDESK_SIM_PORT ?? 4502);
const BOT_ID = '777';
const RESUME_BLOCK = 'Nwelcome_back';
// Landbot unassigns silent conversations after some minutes; three here, so template 4 can be seen at work.
const IDLE_UNASSIGN_MS = Number(process.env.LANDBOT_IDLE_UNASSIGN_MS ?? 3 * 60_000);

async function main(): Promise<void> {
	console.log('Starting the Landbot and Tiledesk simulators…');
	const p = await startPlatforms({
		timeScale: 1,
		landbot: { port: LANDBOT_PORT, idleUnassignMs: IDLE_UNASSIGN_MS },
		tiledeskPort: TILEDESK_PORT,
	});
	let n8n: N8nInstance | undefined;
	const stop = async () => {
		console.log('\nStopping…');
		await n8n?.stop();
		await p.stop();
		process.exit(0);
	};
	process.on('SIGINT', () => void stop());
	process.on('SIGTERM', () => void stop());

	const channel = { [PLACEHOLDERS.landbotChannelId]: String(p.channelId) };
	const templates = {
		handoffStart: loadTemplate(TEMPLATE_FILES.handoffStart),
		landbotToTiledesk: loadTemplate(TEMPLATE_FILES.landbotToTiledesk, channel),
		tiledeskToLandbot: loadTemplate(TEMPLATE_FILES.tiledeskToLandbot),
		timeoutReassign: loadTemplate(TEMPLATE_FILES.timeoutReassign, channel),
		handback: loadTemplate(TEMPLATE_FILES.handback, {
			[PLACEHOLDERS.landbotBotId]: BOT_ID,
			[PLACEHOLDERS.landbotBlockId]: RESUME_BLOCK,
		}),
	};
	const block = headerSecretCredential(TEMPLATE_CREDENTIALS.landbotWebhookBlock);

	console.log('Starting n8n with the package and templates 1–5 (the first run installs n8n: a few minutes)…');
	n8n = await N8nInstance.start({
		port: N8N_PORT,
		tarball: await packPackage(),
		credentials: [landbotCredential(p), tiledeskCredential(p), block.credential],
		workflows: Object.values(templates),
		// One production execution at a time keeps a burst of messages in order (see the templates' notes).
		env: { N8N_CONCURRENCY_PRODUCTION_LIMIT: '1', N8N_LOG_LEVEL: 'info' },
	});
	await Promise.all([
		n8n.waitForWebhook(webhookPath(templates.handoffStart, 'Handoff requested')),
		waitForLandbotTrigger(n8n, p, webhookPath(templates.landbotToTiledesk, 'Customer message in a handoff')),
		waitForLandbotTrigger(n8n, p, webhookPath(templates.timeoutReassign, 'Handoff interrupted')),
		waitForTiledeskTrigger(n8n, p, webhookPath(templates.tiledeskToLandbot, 'Agent message'), ['message.create']),
		waitForTiledeskTrigger(n8n, p, webhookPath(templates.handback, 'Conversation closed'), ['request.close']),
	]);

	const customer = p.landbot.createCustomer({ channel_id: p.channelId, name: 'Ada', email: 'ada@example.com' });
	const cid = customer.id as number;
	p.landbot.botSays(cid, { text: 'Hi! I am the shop bot. How can I help?' });
	const landbot = `http://127.0.0.1:${LANDBOT_PORT}/_control`;
	const tiledesk = `http://127.0.0.1:${TILEDESK_PORT}/_control`;
	const rid = requestIdFor(p, cid);
	const json = "-H 'content-type: application/json'";
	const handoffUrl = n8n.webhookUrl(webhookPath(templates.handoffStart, 'Handoff requested'));

	console.log(`
Ready.
  n8n editor      ${n8n.baseUrl}   (log in as ${OWNER.email} / ${OWNER.password})
  Landbot sim     http://127.0.0.1:${LANDBOT_PORT}/v1   control: ${landbot}
  Tiledesk sim    http://127.0.0.1:${TILEDESK_PORT}      control: ${tiledesk}
  n8n logs        ${n8n.logFile}

Customer ${cid} (Ada) is talking with the bot. Play the conversation:

  # Ada asks for a human: the bot's Webhook block calls template 1
  curl -s -X POST ${landbot}/customers/${cid}/webhook_block ${json} \\
    -d '{"url":"${handoffUrl}","headers":{"${HEADER_SECRET_NAME}":"${block.value}"},"body":{"customer_id":"@id","name":"@name"}}'

  # Ada writes (template 2 relays it to the agent)
  curl -s -X POST ${landbot}/customers/${cid}/says ${json} -d '{"text":"My parcel never arrived"}'

  # The agent answers (template 3 relays it to Ada)
  curl -s -X POST ${tiledesk}/requests/${rid}/agent_says ${json} -d '{"agentId":"${p.agentId}","text":"Sorry! Let me check."}'

  # What each side sees
  curl -s ${landbot}/customers/${cid}
  curl -s ${tiledesk}/requests/${rid}/messages

  # The agent closes: template 5 gives Ada back to the bot at block ${RESUME_BLOCK}
  curl -s -X POST ${tiledesk}/requests/${rid}/close ${json} -d '{"agentId":"${p.agentId}"}'

Stay silent for ${Math.round(IDLE_UNASSIGN_MS / 1000)} s during the handoff and Landbot unassigns Ada; her next message is
relayed all the same and template 4 assigns her again. Ctrl-C stops everything.
`);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});

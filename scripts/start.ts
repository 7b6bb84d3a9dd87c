/**
 * `npm start`: a playground with no accounts. Starts the Landbot, Tiledesk and LiveChat simulators,
 * a real n8n (the pinned 2.40.7, installed into a cache on first use) with this package, imports and
 * publishes the relay templates 1–5 (Landbot ↔ Tiledesk) and 7–11 (Landbot ↔ LiveChat) wired to the
 * simulators, and prints how to chat as the customer and as the agents. Ctrl-C stops everything.
 *
 * Each pairing has its own Landbot web channel: Landbot Triggers of both pairings on one channel
 * would relay every customer message twice (to Tiledesk and to LiveChat) and re-assign twice.
 */
import {
	LIVECHAT_NODES,
	LIVECHAT_PLACEHOLDERS,
	LIVECHAT_TEMPLATE_FILES,
	liveChatCredential,
	startLiveChat,
	waitForLiveChatTrigger,
} from '../test/e2e/lib/livechat';
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
const LIVECHAT_PORT = Number(process.env.LIVECHAT_SIM_PORT ?? 4503);
const BOT_ID = '777';
const RESUME_BLOCK = 'Nwelcome_back';
// Landbot unassigns silent conversations after some minutes; three here, so template 4 can be seen at work.
const IDLE_UNASSIGN_MS = Number(process.env.LANDBOT_IDLE_UNASSIGN_MS ?? 3 * 60_000);

async function main(): Promise<void> {
	console.log('Starting the Landbot, Tiledesk and LiveChat simulators…');
	const p = await startPlatforms({
		timeScale: 1,
		landbot: { port: LANDBOT_PORT, idleUnassignMs: IDLE_UNASSIGN_MS },
		tiledeskPort: TILEDESK_PORT,
	});
	const lc = await startLiveChat({ timeScale: 1, port: LIVECHAT_PORT }).catch(async (error) => {
		await p.stop();
		throw error;
	});
	// The LiveChat pairing's own web channel (see the note at the top).
	const lcChannelId = p.landbot.createChannel({ name: 'Web bot (LiveChat)', type: 'landbot' }).id;
	let n8n: N8nInstance | undefined;
	const stop = async () => {
		console.log('\nStopping…');
		await n8n?.stop();
		await Promise.all([p.stop(), lc.livechat.stop()]);
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
	const lcChannel = { [PLACEHOLDERS.landbotChannelId]: String(lcChannelId) };
	const lcTemplates = {
		handoffStart: loadTemplate(LIVECHAT_TEMPLATE_FILES.handoffStart, { [LIVECHAT_PLACEHOLDERS.groupId]: String(lc.groupId) }),
		landbotToLiveChat: loadTemplate(LIVECHAT_TEMPLATE_FILES.landbotToLiveChat, lcChannel),
		liveChatToLandbot: loadTemplate(LIVECHAT_TEMPLATE_FILES.liveChatToLandbot),
		timeoutReassign: loadTemplate(LIVECHAT_TEMPLATE_FILES.timeoutReassign, lcChannel),
		handback: loadTemplate(LIVECHAT_TEMPLATE_FILES.handback, {
			[PLACEHOLDERS.landbotBotId]: BOT_ID,
			[PLACEHOLDERS.landbotBlockId]: RESUME_BLOCK,
			[LIVECHAT_PLACEHOLDERS.relayAgentId]: lc.relayAgent.id,
		}),
	};
	// One Webhook block secret for both pairings (templates 1 and 7 use the same credential).
	const block = headerSecretCredential(TEMPLATE_CREDENTIALS.landbotWebhookBlock);

	console.log('Starting n8n with the package and templates 1–5 and 7–11 (the first run installs n8n: a few minutes)…');
	n8n = await N8nInstance.start({
		port: N8N_PORT,
		tarball: await packPackage(),
		credentials: [landbotCredential(p), tiledeskCredential(p), liveChatCredential(lc), block.credential],
		workflows: [...Object.values(templates), ...Object.values(lcTemplates)],
		// One production execution at a time keeps a burst of messages in order (see the templates' notes).
		env: { N8N_LOG_LEVEL: 'info' },
	});
	await Promise.all([
		n8n.waitForWebhook(webhookPath(templates.handoffStart, 'Handoff requested')),
		waitForLandbotTrigger(n8n, p, webhookPath(templates.landbotToTiledesk, 'Customer message in a handoff')),
		waitForLandbotTrigger(n8n, p, webhookPath(templates.timeoutReassign, 'Handoff interrupted')),
		waitForTiledeskTrigger(n8n, p, webhookPath(templates.tiledeskToLandbot, 'Agent message'), ['message.create']),
		waitForTiledeskTrigger(n8n, p, webhookPath(templates.handback, 'Conversation closed'), ['request.close']),
		n8n.waitForWebhook(webhookPath(lcTemplates.handoffStart, LIVECHAT_NODES.handoffRequested)),
		waitForLandbotTrigger(n8n, p, webhookPath(lcTemplates.landbotToLiveChat, LIVECHAT_NODES.customerMessage)),
		waitForLandbotTrigger(n8n, p, webhookPath(lcTemplates.timeoutReassign, LIVECHAT_NODES.handoffInterrupted)),
		waitForLiveChatTrigger(n8n, lc, webhookPath(lcTemplates.liveChatToLandbot, LIVECHAT_NODES.agentMessage), ['incoming_event']),
		waitForLiveChatTrigger(n8n, lc, webhookPath(lcTemplates.handback, LIVECHAT_NODES.chatEnded), ['chat_deactivated', 'chat_transferred']),
	]);

	const customer = p.landbot.createCustomer({ channel_id: p.channelId, name: 'Ada', email: 'ada@example.com' });
	const cid = customer.id as number;
	p.landbot.botSays(cid, { text: 'Hi! I am the shop bot. How can I help?' });
	const landbot = `http://127.0.0.1:${LANDBOT_PORT}/_control`;
	const tiledesk = `http://127.0.0.1:${TILEDESK_PORT}/_control`;
	const rid = requestIdFor(p, cid);
	const json = "-H 'content-type: application/json'";
	const handoffUrl = n8n.webhookUrl(webhookPath(templates.handoffStart, 'Handoff requested'));

	const bea = p.landbot.createCustomer({ channel_id: lcChannelId, name: 'Bea', email: 'bea@example.com' });
	const bid = bea.id as number;
	p.landbot.botSays(bid, { text: 'Hi! I am the shop bot. How can I help?' });
	const livechat = `http://127.0.0.1:${LIVECHAT_PORT}/_control`;
	const lcHandoffUrl = n8n.webhookUrl(webhookPath(lcTemplates.handoffStart, LIVECHAT_NODES.handoffRequested));
	const readChatId = `node -p "JSON.parse(require('fs').readFileSync(0, 'utf8')).customer.custom_fields.handoff_conversation"`;

	console.log(`
Ready.
  n8n editor      ${n8n.baseUrl}   (log in as ${OWNER.email} / ${OWNER.password})
  Landbot sim     http://127.0.0.1:${LANDBOT_PORT}/v1   control: ${landbot}
  Tiledesk sim    http://127.0.0.1:${TILEDESK_PORT}      control: ${tiledesk}
  LiveChat sim    http://127.0.0.1:${LIVECHAT_PORT}      control: ${livechat}
  n8n logs        ${n8n.logFile}

Landbot ↔ Tiledesk (templates 1–5, channel ${p.channelId}): customer ${cid} (Ada) is talking with the bot. Play the conversation:

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

Landbot ↔ LiveChat (templates 7–11, channel ${lcChannelId}): customer ${bid} (Bea) is talking with the bot.

  # Bea asks for a human: the bot's Webhook block calls template 7 (a LiveChat chat with the bot history)
  curl -s -X POST ${landbot}/customers/${bid}/webhook_block ${json} \\
    -d '{"url":"${lcHandoffUrl}","headers":{"${HEADER_SECRET_NAME}":"${block.value}"},"body":{"customer_id":"@id","name":"@name","email":"@email"}}'

  # The chat's ID, which template 7 stored in Bea's Landbot field handoff_conversation
  CHAT=$(curl -s ${landbot}/customers/${bid} | ${readChatId})

  # Bea writes (template 8 sends it into the chat as Bea, through the Customer Chat API)
  curl -s -X POST ${landbot}/customers/${bid}/says ${json} -d '{"text":"Where is my order?"}'

  # The agent answers (template 9 relays it to Bea)
  curl -s -X POST ${livechat}/chats/$CHAT/agent_says ${json} -d '{"agentId":"${lc.agentId}","text":"Let me look it up."}'

  # What each side sees
  curl -s ${landbot}/customers/${bid}
  curl -s ${livechat}/chats/$CHAT

  # The agent transfers the chat to a group where nobody is free: template 11 tells Bea her place in the queue
  curl -s -X POST ${livechat}/groups ${json} -d '{"name":"Billing","id":9}'
  curl -s -X POST ${livechat}/chats/$CHAT/transfer ${json} -d '{"groupId":9,"requesterId":"${lc.agentId}"}'

  # The agent ends the chat: template 11 gives Bea back to the bot at block ${RESUME_BLOCK}
  curl -s -X POST ${livechat}/chats/$CHAT/deactivate ${json} -d '{"agentId":"${lc.agentId}"}'

Stay silent for ${Math.round(IDLE_UNASSIGN_MS / 1000)} s during a handoff and Landbot unassigns the customer; their next message is
relayed all the same and template 4 (or 10) assigns them again. Ctrl-C stops everything.
`);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});

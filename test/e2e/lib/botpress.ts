/**
 * Helpers for the Botpress ↔ Tiledesk and Botpress ↔ LiveChat end-to-end tests (templates 12 and
 * 13): the Botpress simulator, the credential the templates expect, and connecting the simulator
 * to a published Botpress HITL Trigger the way a bot builder does (endpointBaseUrl, saved with a
 * /ping). The Tiledesk and LiveChat sides come from relay.ts and livechat.ts.
 */
import { BotpressSimulator } from '../../fakes';
import type { BotpressSimulatorOptions } from '../../fakes';
import type { N8nInstance } from './n8n';
import { waitUntil } from './relay';
import type { Template } from './templates';
import { nodeByName } from './templates';

/** Templates 12 (Botpress ↔ Tiledesk) and 13 (Botpress ↔ LiveChat), two workflows each. */
export const BOTPRESS_TEMPLATE_FILES = {
	botpressToTiledesk: '12-botpress-to-tiledesk.json',
	tiledeskToBotpress: '12-tiledesk-to-botpress.json',
	botpressToLiveChat: '13-botpress-to-livechat.json',
	liveChatToBotpress: '13-livechat-to-botpress.json',
} as const;

/** What a user fills in in template 13 besides the LiveChat group (LIVECHAT_PLACEHOLDERS.groupId). */
export const BOTPRESS_PLACEHOLDERS = { liveChatBotId: 'YOUR_LIVECHAT_BOT_ID' } as const;

/** Node names the tests address. */
export const BOTPRESS_NODES = {
	botpressTrigger: 'Botpress HITL',
	tiledeskTrigger: 'Tiledesk events',
	liveChatTrigger: 'LiveChat events',
} as const;

export const BOTPRESS_CREDENTIAL = { id: 'botpress-hitl-credential', name: 'Botpress HITL account', type: 'botpressHitlApi' } as const;

/** The HITL plugin's default line to the agent when the user ends the handoff (the templates' IF nodes test it). */
export const USER_CANCELLED_LINE = '( The user has ended the session. )';

export const SECRET_HEADER = 'X-Handoff-Secret';

export async function startBotpress(opts: BotpressSimulatorOptions = {}): Promise<BotpressSimulator> {
	return await new BotpressSimulator(opts).start();
}

/** The Botpress HITL credential: the simulator's webhook URL, and the shared secret a proxy would add. */
export function botpressCredential(sim: BotpressSimulator, sharedSecret = '') {
	const { id, name, type } = BOTPRESS_CREDENTIAL;
	return { id, name, type, data: { webhookUrl: sim.webhookUrl, headerName: SECRET_HEADER, sharedSecret } };
}

/** The trigger's endpointBaseUrl: `<n8n>/webhook/<webhook ID>` (its five endpoints are below it). */
export function botpressEndpointBase(n8n: N8nInstance, template: Template): string {
	const node = nodeByName(template, BOTPRESS_NODES.botpressTrigger);
	if (!node.webhookId) throw new Error(`"${node.name}" has no webhookId`);
	return n8n.webhookUrl(node.webhookId);
}

/**
 * Points the simulated bot's HITL integration at a published trigger, as a bot builder saves the
 * integration's configuration: Botpress pings, and saving fails until n8n has registered the webhook.
 */
export async function connectBotpress(n8n: N8nInstance, sim: BotpressSimulator, template: Template): Promise<string> {
	const base = botpressEndpointBase(n8n, template);
	const webhookId = base.split('/').pop()!;
	await n8n.waitForWebhook(`${webhookId}/ping`);
	await waitUntil(`Botpress to save endpointBaseUrl ${base}`, () => sim.configure(base).then(() => true, () => false), {
		timeoutMs: 60_000,
		pollMs: 250,
	});
	return base;
}

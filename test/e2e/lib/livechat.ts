/**
 * Helpers for the Landbot ↔ LiveChat end-to-end tests and `npm start`: the LiveChat simulator with
 * its demo set-up (an app with a redirect URI, installed on the license; a group; the relay's agent;
 * an answering agent), the credential templates 7–11 expect, waiting until a published LiveChat
 * Trigger is really live at the simulator, and readers of what the LiveChat agent sees.
 */
import { LiveChatSimulator } from '../../fakes';
import type { LandbotSimulator, LandbotSimulatorOptions, LiveChatEvent } from '../../fakes';
import type { N8nInstance } from './n8n';
import { request } from './n8n';
import { startLandbot, waitUntil } from './relay';

/** Templates 7–11: the Landbot ↔ LiveChat pairing. */
export const LIVECHAT_TEMPLATE_FILES = {
	handoffStart: '7-landbot-livechat-handoff-start.json',
	landbotToLiveChat: '8-landbot-to-livechat.json',
	liveChatToLandbot: '9-livechat-to-landbot.json',
	timeoutReassign: '10-landbot-livechat-timeout-reassign.json',
	handback: '11-livechat-handback.json',
} as const;

/** What a user fills in besides the Landbot placeholders of `PLACEHOLDERS` (templates.ts). */
export const LIVECHAT_PLACEHOLDERS = {
	groupId: 'YOUR_LIVECHAT_GROUP_ID',
	/** The agent whose personal access token the credential holds (template 11 skips its own routing transfer). */
	relayAgentId: 'YOUR_LIVECHAT_AGENT_ID',
} as const;

/** Nodes of the templates the tests and `npm start` address by name. */
export const LIVECHAT_NODES = {
	handoffRequested: 'Handoff requested',
	customerMessage: 'Customer message in a handoff',
	agentMessage: 'Agent message',
	handoffInterrupted: 'Handoff interrupted',
	chatEnded: 'Chat deactivated or transferred',
} as const;

export const LIVECHAT_CREDENTIAL = { id: 'livechat-credential', name: 'LiveChat account', type: 'liveChatApi' } as const;

/** In the app's Authorization block and the credential: the cookie grant checks that they match. */
export const LIVECHAT_REDIRECT_URI = 'http://localhost:5678/';

/** The relay's LiveChat agent (the credential's token): it opens chats, and is not one who answers. */
export const LIVECHAT_RELAY_AGENT = { email: 'relay@livechat.e2e', name: 'Relay Robot' };
/** The agent who answers in the Support group. */
export const LIVECHAT_AGENT = { email: 'alice@livechat.e2e', name: 'Alice Agent' };

export interface LiveChatSide {
	livechat: LiveChatSimulator;
	clientId: string;
	organizationId: string;
	/** The Support group, where chats go. */
	groupId: number;
	/** The credential's agent (not accepting chats). */
	relayAgent: { id: string; accountId: string; pat: string };
	/** The Support agent who answers. */
	agentId: string;
}

export async function startLiveChat(opts: { timeScale: number; port?: number; host?: string }): Promise<LiveChatSide> {
	const livechat = await new LiveChatSimulator({ timeScale: opts.timeScale, port: opts.port, host: opts.host }).start();
	// As the README's set-up says: a redirect URI in the app's Authorization block, the app installed.
	const clientId = livechat.createClient({ name: 'n8n handoff relay', redirectUris: [LIVECHAT_REDIRECT_URI], installed: true }).id;
	const group = livechat.createGroup({ name: 'Support' });
	// The relay's own agent does not take chats: routing gives them to the Support agents.
	const relay = livechat.createAgent({ email: LIVECHAT_RELAY_AGENT.email, name: LIVECHAT_RELAY_AGENT.name, role: 'owner', accepting: false });
	const agent = livechat.createAgent({ email: LIVECHAT_AGENT.email, name: LIVECHAT_AGENT.name, groupIds: [group.id] });
	return {
		livechat,
		clientId,
		organizationId: livechat.organizationId,
		groupId: group.id,
		relayAgent: { id: relay.agent.id, accountId: relay.accountId, pat: relay.pat },
		agentId: agent.agent.id,
	};
}

export function liveChatCredential(side: LiveChatSide) {
	const { id, name, type } = LIVECHAT_CREDENTIAL;
	return {
		id,
		name,
		type,
		data: {
			authType: 'pat',
			accountId: side.relayAgent.accountId,
			personalAccessToken: side.relayAgent.pat,
			organizationId: side.organizationId,
			clientId: side.clientId,
			customerRedirectUri: LIVECHAT_REDIRECT_URI,
			apiUrl: side.livechat.baseUrl,
			apiVersion: 'v3.6',
			accountsUrl: side.livechat.accountsUrl,
		},
	};
}

/** Landbot and LiveChat with a web channel for the relays, and nothing else. */
export interface LandbotLiveChatPlatforms extends LiveChatSide {
	landbot: LandbotSimulator;
	channelId: number;
	stop(): Promise<void>;
}

export async function startLandbotAndLiveChat(opts: {
	timeScale: number;
	landbot?: LandbotSimulatorOptions;
	livechatPort?: number;
}): Promise<LandbotLiveChatPlatforms> {
	const landbot = await startLandbot(opts.timeScale, opts.landbot);
	const side = await startLiveChat({ timeScale: opts.timeScale, port: opts.livechatPort }).catch(async (error) => {
		await landbot.stop();
		throw error;
	});
	const channelId = landbot.createChannel({ name: 'Web bot', type: 'landbot' }).id;
	return {
		...side,
		landbot,
		channelId,
		async stop() {
			await Promise.all([landbot.stop(), side.livechat.stop()]);
		},
	};
}

// ---------------------------------------------------------------- triggers live at the simulator

/**
 * Waits until a published LiveChat Trigger is live: one webhook per action for its URL at the
 * simulator, license webhooks enabled for the Client ID, and n8n accepting a delivery signed with a
 * registered secret (the trigger keeps its secrets in static data, saved after create()). The
 * probe carries a webhook's own secret, action and ID with an empty payload: the trigger answers
 * 400 without an execution once it knows the secret (401 before).
 */
export async function waitForLiveChatTrigger(
	n8n: N8nInstance,
	side: LiveChatSide,
	webhookPath: string,
	actions: string[],
): Promise<void> {
	const url = n8n.webhookUrl(webhookPath);
	await n8n.waitForWebhook(webhookPath);
	const webhooks = await waitUntil(
		`LiveChat webhooks ${actions.join(', ')} for ${url}`,
		() => {
			const ours = side.livechat.getWebhooks().filter((w) => w.url === url);
			const complete = actions.every((a) => ours.some((w) => w.action === a)) && side.livechat.licenseWebhooksEnabled(side.clientId);
			return complete ? ours : undefined;
		},
		{ timeoutMs: 60_000 },
	);
	await waitUntil(`n8n to accept the LiveChat secret at ${url}`, async () => {
		const res = await request(url, {
			method: 'POST',
			body: {
				webhook_id: webhooks[0].id,
				secret_key: webhooks[0].secret_key,
				action: webhooks[0].action,
				organization_id: side.organizationId,
				payload: {},
			},
		}).catch(() => undefined);
		return res?.status === 400;
	});
}

// ---------------------------------------------------------------- what the LiveChat agent sees

/** Every event of a chat, oldest thread first. */
export function chatEvents(side: LiveChatSide, chatId: string): LiveChatEvent[] {
	const chat = side.livechat.getChat(chatId) as { threads: Array<{ events: LiveChatEvent[] }> } | undefined;
	return chat ? chat.threads.flatMap((t) => t.events) : [];
}

/** The chat's customer (LiveChat customer ID), or undefined. */
export function chatCustomer(side: LiveChatSide, chatId: string): string | undefined {
	const chat = side.livechat.getChat(chatId) as { users: Array<{ id: string; type: string }> } | undefined;
	return chat?.users.find((u) => u.type === 'customer')?.id;
}

/** An event as the agent app shows it: its text, or `image <url> <alternative text>` for an image. */
export function liveChatView(e: LiveChatEvent): string {
	if (e.type === 'file') {
		const kind = String(e.content_type ?? '').startsWith('image/') ? 'image' : 'file';
		return `${kind} ${String(e.url)}${e.alternative_text ? ` ${String(e.alternative_text)}` : ''}`;
	}
	return e.text ?? '';
}

export const carriesLiveChatMarker = (e: LiveChatEvent) => typeof e.custom_id === 'string' && e.custom_id.startsWith('n8n-handoff:');

/** A small PNG (a 1×1 pixel), for images sent either way. */
export const TINY_PNG = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
	'base64',
);

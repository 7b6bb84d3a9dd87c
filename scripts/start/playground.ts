/**
 * The playground behind `npm start`, as a function the e2e test runs too: every pairing this package
 * ships, each with its simulators and demo data, a real n8n (the pinned 2.40.7) with the packed
 * package, every template in templates/ imported with its placeholders filled and its credentials,
 * published, and live at the simulators. `stop()` ends everything it started.
 *
 * One Landbot channel per Landbot pairing (Tiledesk, LiveChat, Salesforce Live Agent, Slack,
 * Salesforce Enhanced Chat, Chatwoot, Crisp): the Landbot Triggers of two pairings on one channel
 * would relay every customer message twice and re-assign twice. One Botpress bot per Botpress pairing:
 * a bot's HITL integration has one endpointBaseUrl, so templates 13 use a second Botpress credential
 * (the first bot's is the one the templates name). Tiledesk and LiveChat are shared: every template's
 * helpdesk trigger keeps to its own conversations (its "Conversation from …?" filter), as in one real
 * project or license.
 *
 * Slack: n8n's own Slack node and Slack Trigger hard-code https://slack.com, so n8n runs with the
 * environment of a TLS-intercepting forward proxy (test/e2e/lib/tlsProxy.ts) that hands slack.com to
 * the Slack simulator; everything else n8n calls is on 127.0.0.1, which the proxy's NO_PROXY leaves
 * direct. People reach the simulator on its own plain HTTP port (test/fakes/slack/control.ts).
 *
 * Liveness is read without touching n8n's webhooks: n8n's REST API says when each workflow's triggers
 * are activated (publication status), and the simulators hold what each trigger registered
 * (MessageHooks, REST-hook subscriptions, LiveChat webhooks, Chatwoot account webhooks; the Salesforce
 * Enhanced Chat Trigger registers nothing, it follows the conversations template 19 starts). The Slack
 * Trigger registers nothing either: as a user pastes its URL into the Slack app's Event Subscriptions
 * once the workflow is published, the playground saves it as the app's Request URL once n8n reports
 * template 18 published, and the simulator verifies it with Slack's url_verification challenge (a POST
 * the registered trigger answers). Crisp has no API to register a hook: as a user pastes the Crisp
 * Trigger's Production URL into the plugin's Web Hooks settings, the playground sets it as the
 * plugin's hook once n8n reports template 35 published. Probing webhook URLs before they are
 * registered makes n8n log a stack trace per probe ("… is not registered").
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import type {
	BotpressSimulator,
	LandbotSimulator,
	SalesforceEnhancedChatSimulator,
	SalesforceLiveAgentSimulator,
} from '../../test/fakes';
import {
	BOTPRESS_CREDENTIAL,
	BOTPRESS_PLACEHOLDERS,
	BOTPRESS_TEMPLATE_FILES,
	SECRET_HEADER,
	botpressCredential,
	botpressEndpointBase,
	startBotpress,
} from '../../test/e2e/lib/botpress';
import {
	LIVECHAT_PLACEHOLDERS,
	LIVECHAT_TEMPLATE_FILES,
	type LiveChatSide,
	liveChatCredential,
	startLiveChat,
} from '../../test/e2e/lib/livechat';
import { N8nInstance, OWNER, REPO_ROOT, packPackage, toolchain } from '../../test/e2e/lib/n8n';
import {
	HEADER_SECRET_NAME,
	LANDBOT_TOKEN,
	TILEDESK_OWNER,
	type TiledeskSide,
	headerSecretCredential,
	landbotCredential,
	requestIdFor,
	startLandbot,
	startTiledesk,
	tiledeskCredential,
	waitUntil,
} from '../../test/e2e/lib/relay';
import { SALESFORCE_TEMPLATE_FILES, salesforceCredential, startSalesforce } from '../../test/e2e/lib/salesforce';
import {
	CONVERSATION_FIELD,
	ENHANCED_CHAT_TEMPLATE_FILES,
	enhancedChatCredential,
	startEnhancedChat,
} from '../../test/e2e/lib/salesforceEnhancedChat';
import {
	OUTSIDE_PLAYGROUND,
	PLACEHOLDERS,
	TEMPLATES_DIR,
	TEMPLATE_CREDENTIALS,
	TEMPLATE_FILES,
	type Template,
	loadTemplate,
	webhookPath,
} from '../../test/e2e/lib/templates';
import { SLACK_PLACEHOLDERS, SLACK_TEMPLATE_FILES, slackCredential, slackProxyEnv, THREAD_FIELD } from '../../test/e2e/lib/slack';
import { type TlsProxy, startTlsProxy } from '../../test/e2e/lib/tlsProxy';
import { DEFAULT_AGENT, SlackSimulator } from '../../test/fakes/slack';
import { type SlackServer, serveSlack } from '../../test/fakes/slack/control';
import { CHATWOOT_PLACEHOLDERS, CHATWOOT_TEMPLATE_FILES, type ChatwootSide, chatwootCredential, startChatwoot } from './chatwoot';
import { CRISP_HOOK_EVENTS, CRISP_TEMPLATE_FILES, type CrispSide, crispCredential, pasteHookUrl, startCrisp } from './crisp';
import { type Pairing, renderPairing } from './guide';
import { OwnApp } from './own-app';

export interface PlaygroundPorts {
	n8n: number;
	landbot: number;
	tiledesk: number;
	livechat: number;
	/** The Botpress bot handed off to Tiledesk (templates 12). */
	botpress: number;
	/** The Botpress bot handed off to LiveChat (templates 13). */
	botpressLiveChat: number;
	salesforce: number;
	salesforceEnhancedChat: number;
	/** The Slack simulator's Web API and control API, for people (n8n reaches it through the TLS proxy). */
	slack: number;
	chatwoot: number;
	crisp: number;
	ownApp: number;
}

export interface PlaygroundOptions {
	/** 0 or missing: a free port the OS picks. */
	ports?: Partial<PlaygroundPorts>;
	/** Multiplies the simulators' delays (webhook retries, Landbot's idle unassignment); default 1. */
	timeScale?: number;
	/** Landbot unassigns a silent handoff after this long (before timeScale); 0 = never. Default 3 minutes. */
	idleUnassignMs?: number;
	/** How long the Live Agent simulator holds a poll without news; default 30 s (Salesforce's order of magnitude). */
	salesforcePollTimeoutMs?: number;
	/** Where progress lines go; default console.log. */
	log?: (line: string) => void;
}

export interface PlaygroundWorkflow {
	file: string;
	id: string;
	name: string;
	template: Template;
}

export interface Playground {
	n8n: N8nInstance;
	landbot: LandbotSimulator;
	/** Landbot web channels, one per pairing. */
	channels: { tiledesk: number; livechat: number; salesforce: number; slack: number; salesforceEnhancedChat: number; chatwoot: number; crisp: number };
	tiledesk: TiledeskSide;
	livechat: LiveChatSide;
	botpress: { tiledesk: BotpressSimulator; livechat: BotpressSimulator };
	salesforce: SalesforceLiveAgentSimulator;
	salesforceEnhancedChat: SalesforceEnhancedChatSimulator;
	/** The workspace (its support channel), its HTTP port, and the proxy n8n reaches https://slack.com through. */
	slack: { simulator: SlackSimulator; server: SlackServer; channel: { id: string; name: string }; proxy: TlsProxy };
	/** The account (API inbox, team, agents) whose account webhook template 32's trigger registered. */
	chatwoot: ChatwootSide;
	/** The website (operators, the plugin) whose plugin hook is template 35's Production URL. */
	crisp: CrispSide;
	ownApp: OwnApp;
	/** The walkthrough's customers: Landbot customer IDs, Botpress conversation IDs. */
	people: PlaygroundPeople;
	/** One per file in templates/, in the order of the files. */
	workflows: PlaygroundWorkflow[];
	/** The credentials imported (with their secrets). */
	credentials: Array<{ id: string; name: string; type: string; data: Record<string, unknown> }>;
	/** What to try, per pairing (printed by `guide()`; run by the e2e test). */
	pairings: Pairing[];
	/** From the call to ready. */
	startedInMs: number;
	/** Every pairing's walkthrough, as printed. */
	guide(): string;
	/** Addresses and logins, as printed last. */
	summary(): string;
	stop(): Promise<void>;
}

export interface PlaygroundPeople {
	ada: number;
	bea: number;
	eve: number;
	fay: number;
	gil: number;
	hal: number;
	ivy: number;
	cleo: string;
	dev: string;
}

/** The pairings the playground sets up, in the order it prints them. */
export const PAIRINGS = {
	landbotTiledesk: 'Landbot ↔ Tiledesk',
	ownAppTiledesk: 'Your own app ↔ Tiledesk',
	landbotLiveChat: 'Landbot ↔ LiveChat',
	botpressTiledesk: 'Botpress ↔ Tiledesk',
	botpressLiveChat: 'Botpress ↔ LiveChat',
	landbotSalesforce: 'Landbot ↔ Salesforce Live Agent',
	landbotSlack: 'Landbot ↔ Slack',
	landbotSalesforceEnhancedChat: 'Landbot ↔ Salesforce Enhanced Chat',
	landbotChatwoot: 'Landbot ↔ Chatwoot',
	landbotCrisp: 'Landbot ↔ Crisp',
} as const;

const BOT_ID = '777';
const RESUME_BLOCK = 'Nwelcome_back';
const GREETING = 'Hi! I am the shop bot. How can I help?';
/** What templates 1, 7, 14, 19, 30 and 33 tell the customer once the handoff is set up. */
const AGENT_COMING = 'An agent will be with you shortly.';
const OWN_APP_USER = { id: 'u-1001', name: 'Uma' };
/** The Slack channel the agents work in (templates 16–18) and what template 18 posts at the handback. */
const SLACK_CHANNEL = { id: 'C0SUPPORT1', name: 'support' };
const HANDED_BACK = 'Handed back to the bot.';
const BOTPRESS_LIVECHAT_CREDENTIAL = {
	id: 'botpress-hitl-livechat-credential',
	name: 'Botpress HITL account (LiveChat bot)',
	type: BOTPRESS_CREDENTIAL.type,
} as const;

/** The cache scripts/install-n8n.sh installs n8n into, and whether it is there already. */
export function n8nCache(): { version: string; dir: string; installed: boolean } {
	const script = fs.readFileSync(path.join(REPO_ROOT, 'scripts/install-n8n.sh'), 'utf8');
	const version = /^N8N_VERSION=(\S+)/m.exec(script)?.[1] ?? '?';
	const cache = process.env.HANDOFF_CACHE || path.join(os.homedir(), '.cache/n8n-nodes-handoff');
	const dir = path.join(cache, `n8n-${version}`);
	return { version, dir, installed: fs.existsSync(path.join(dir, '.installed')) };
}

const tilde = (p: string) => (p.startsWith(os.homedir() + path.sep) ? `~${p.slice(os.homedir().length)}` : p);
const portOf = (url: string) => new URL(url).port;

export async function startPlayground(opts: PlaygroundOptions = {}): Promise<Playground> {
	const log = opts.log ?? ((line: string) => console.log(line));
	const t0 = Date.now();
	const stage = (text: string) => log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${text}`);
	const ports = opts.ports ?? {};
	const timeScale = opts.timeScale ?? 1;

	// ---- n8n itself: installed into the cache once (scripts/install-n8n.sh)
	const cache = n8nCache();
	if (!cache.installed) {
		stage(`installing n8n ${cache.version} into ${tilde(cache.dir)}: once, takes 5-10 minutes (its progress below)`);
	}
	toolchain();
	stage(`n8n ${cache.version} installed${cache.installed ? ' (cached)' : ''} in ${tilde(cache.dir)}`);

	// ---- the simulators and the stand-in app
	const stops: Array<() => Promise<void>> = [];
	let n8n: N8nInstance | undefined;
	let stopped: Promise<void> | undefined;
	const stop = () =>
		(stopped ??= (async () => {
			await n8n?.stop();
			await Promise.allSettled(stops.map((s) => s()));
		})());
	try {
		const blockSecret = headerSecretCredential(TEMPLATE_CREDENTIALS.landbotWebhookBlock);
		const toN8n = headerSecretCredential(TEMPLATE_CREDENTIALS.ownAppToN8n);
		const toApp = headerSecretCredential(TEMPLATE_CREDENTIALS.n8nToOwnApp);
		// What a proxy in front of n8n adds to Botpress's calls (the Botpress HITL credential's shared secret).
		const botpressSecrets = [crypto.randomBytes(24).toString('hex'), crypto.randomBytes(24).toString('hex')];
		const started = <T>(promise: Promise<T>, stopIt: (value: T) => Promise<void>) =>
			promise.then((value) => {
				stops.push(() => stopIt(value));
				return value;
			});
		// The Slack app: a bot token and a signing secret of this run; its bot user in #support with the agent Alice.
		const slack = new SlackSimulator({
			token: `xoxb-${crypto.randomInt(1e9, 1e10)}-${crypto.randomInt(1e9, 1e10)}-${crypto.randomBytes(12).toString('hex')}`,
			signingSecret: crypto.randomBytes(16).toString('hex'),
			subscriptions: ['message.channels'], // the bot events template 18's sticky note has the app subscribe to
			timeScale,
		});
		stops.push(() => slack.stop());
		const slackChannel = slack.createChannel(SLACK_CHANNEL);
		const [landbot, td, lc, bpTiledesk, bpLiveChat, sf, sfe, slackServer, proxy, cw, cr, ownApp] = await Promise.all([
			started(startLandbot(timeScale, { port: ports.landbot, idleUnassignMs: opts.idleUnassignMs ?? 3 * 60_000 }), (s) => s.stop()),
			started(startTiledesk({ timeScale, port: ports.tiledesk }), (s) => s.tiledesk.stop()),
			started(startLiveChat({ timeScale, port: ports.livechat }), (s) => s.livechat.stop()),
			started(startBotpress({ port: ports.botpress, serviceHeaders: { [SECRET_HEADER]: botpressSecrets[0] } }), (s) => s.stop()),
			started(startBotpress({ port: ports.botpressLiveChat, serviceHeaders: { [SECRET_HEADER]: botpressSecrets[1] } }), (s) => s.stop()),
			started(startSalesforce({ port: ports.salesforce, pollTimeoutMs: opts.salesforcePollTimeoutMs }), (s) => s.stop()),
			started(startEnhancedChat({ port: ports.salesforceEnhancedChat, timeScale }), (s) => s.stop()),
			started(serveSlack(slack, { port: ports.slack }), (s) => s.stop()),
			started(startTlsProxy({ handlers: slack.hosts }), (s) => s.stop()),
			started(startChatwoot({ port: ports.chatwoot, timeScale }), (s) => s.chatwoot.stop()),
			started(startCrisp({ port: ports.crisp, timeScale }), (s) => s.crisp.stop()),
			started(new OwnApp({ name: HEADER_SECRET_NAME, value: toApp.value }).start(ports.ownApp ?? 0), (s) => s.stop()),
		]);
		stage(
			`simulators up: Landbot :${portOf(landbot.baseUrl)}, Tiledesk :${portOf(td.tiledesk.baseUrl)}, LiveChat :${portOf(lc.livechat.baseUrl)}, ` +
				`Botpress :${portOf(bpTiledesk.baseUrl)} and :${portOf(bpLiveChat.baseUrl)}, Salesforce Live Agent :${portOf(sf.hostUrl)}, ` +
				`Salesforce Enhanced Chat :${portOf(sfe.baseUrl)}, Slack :${portOf(slackServer.baseUrl)} (n8n's https://slack.com: TLS proxy :${portOf(proxy.url)}), ` +
				`Chatwoot :${portOf(cw.chatwoot.baseUrl)}, Crisp :${portOf(cr.crisp.baseUrl)}, your app :${portOf(ownApp.baseUrl)}`,
		);

		// ---- demo data: a Landbot channel per pairing, the LiveChat bot template 13 writes as
		const channels = {
			tiledesk: landbot.createChannel({ name: 'Web bot (Tiledesk)', type: 'landbot' }).id,
			livechat: landbot.createChannel({ name: 'Web bot (LiveChat)', type: 'landbot' }).id,
			salesforce: landbot.createChannel({ name: 'Web bot (Salesforce Live Agent)', type: 'landbot' }).id,
			slack: landbot.createChannel({ name: 'Web bot (Slack)', type: 'landbot' }).id,
			salesforceEnhancedChat: landbot.createChannel({ name: 'Web bot (Salesforce Enhanced Chat)', type: 'landbot' }).id,
			chatwoot: landbot.createChannel({ name: 'Web bot (Chatwoot)', type: 'landbot' }).id,
			crisp: landbot.createChannel({ name: 'Web bot (Crisp)', type: 'landbot' }).id,
		};
		const liveChatBotId = lc.livechat.createBot({ name: 'Botpress relay', groupIds: [lc.groupId], clientId: lc.clientId }).id;

		// ---- every template, filled in the way its sticky note asks
		const channel = (id: number) => ({ [PLACEHOLDERS.landbotChannelId]: String(id) });
		const backToBot = { [PLACEHOLDERS.landbotBotId]: BOT_ID, [PLACEHOLDERS.landbotBlockId]: RESUME_BLOCK };
		const fill: Record<string, Record<string, string>> = {
			[TEMPLATE_FILES.handoffStart]: {},
			[TEMPLATE_FILES.landbotToTiledesk]: channel(channels.tiledesk),
			[TEMPLATE_FILES.tiledeskToLandbot]: {},
			[TEMPLATE_FILES.timeoutReassign]: channel(channels.tiledesk),
			[TEMPLATE_FILES.handback]: backToBot,
			[TEMPLATE_FILES.ownApp]: { [PLACEHOLDERS.ownAppUrl]: ownApp.agentMessageUrl },
			[LIVECHAT_TEMPLATE_FILES.handoffStart]: { [LIVECHAT_PLACEHOLDERS.groupId]: String(lc.groupId) },
			[LIVECHAT_TEMPLATE_FILES.landbotToLiveChat]: channel(channels.livechat),
			[LIVECHAT_TEMPLATE_FILES.liveChatToLandbot]: {},
			[LIVECHAT_TEMPLATE_FILES.timeoutReassign]: channel(channels.livechat),
			[LIVECHAT_TEMPLATE_FILES.handback]: { ...backToBot, [LIVECHAT_PLACEHOLDERS.relayAgentId]: lc.relayAgent.id },
			[BOTPRESS_TEMPLATE_FILES.botpressToTiledesk]: {},
			[BOTPRESS_TEMPLATE_FILES.tiledeskToBotpress]: {},
			[BOTPRESS_TEMPLATE_FILES.botpressToLiveChat]: {
				[LIVECHAT_PLACEHOLDERS.groupId]: String(lc.groupId),
				[BOTPRESS_PLACEHOLDERS.liveChatBotId]: liveChatBotId,
			},
			[BOTPRESS_TEMPLATE_FILES.liveChatToBotpress]: {},
			[SALESFORCE_TEMPLATE_FILES.handoff]: backToBot,
			[SALESFORCE_TEMPLATE_FILES.customerToAgent]: channel(channels.salesforce),
			[SLACK_TEMPLATE_FILES.handoffStart]: { [SLACK_PLACEHOLDERS.channelId]: slackChannel.id },
			[SLACK_TEMPLATE_FILES.landbotToSlack]: { [SLACK_PLACEHOLDERS.channelId]: slackChannel.id, ...channel(channels.slack) },
			[SLACK_TEMPLATE_FILES.slackToLandbot]: { [SLACK_PLACEHOLDERS.channelId]: slackChannel.id, [SLACK_PLACEHOLDERS.botUserId]: slack.botUserId, ...backToBot },
			[ENHANCED_CHAT_TEMPLATE_FILES.handoff]: {},
			[ENHANCED_CHAT_TEMPLATE_FILES.customerToAgent]: { ...channel(channels.salesforceEnhancedChat), ...backToBot },
			[ENHANCED_CHAT_TEMPLATE_FILES.agentToCustomer]: backToBot,
			[CHATWOOT_TEMPLATE_FILES.handoffStart]: {
				[CHATWOOT_PLACEHOLDERS.inboxId]: String(cw.seed.apiInbox.id),
				[CHATWOOT_PLACEHOLDERS.teamId]: String(cw.seed.team.id),
			},
			[CHATWOOT_TEMPLATE_FILES.landbotToChatwoot]: channel(channels.chatwoot),
			[CHATWOOT_TEMPLATE_FILES.chatwootToLandbot]: backToBot,
			// No Crisp placeholder: the templates use the credential's website.
			[CRISP_TEMPLATE_FILES.handoffStart]: {},
			[CRISP_TEMPLATE_FILES.landbotToCrisp]: channel(channels.crisp),
			[CRISP_TEMPLATE_FILES.crispToLandbot]: backToBot,
		};
		const files = fs
			.readdirSync(TEMPLATES_DIR)
			.filter((f) => f.endsWith('.json') && !OUTSIDE_PLAYGROUND.includes(f))
			.sort((a, b) => parseInt(a) - parseInt(b) || a.localeCompare(b));
		const unwired = files.filter((f) => !(f in fill));
		if (unwired.length) throw new Error(`templates not wired into the playground (scripts/start/playground.ts): ${unwired.join(', ')}`);
		const secondBot = [BOTPRESS_TEMPLATE_FILES.botpressToLiveChat, BOTPRESS_TEMPLATE_FILES.liveChatToBotpress] as string[];
		const loaded = files.map((file) => {
			const template = loadTemplate(file, fill[file]);
			// The LiveChat pairing's Botpress bot is another bot: its own credential (as a user picks it in each node).
			if (secondBot.includes(file)) {
				for (const node of template.nodes) {
					const ref = node.credentials?.[BOTPRESS_CREDENTIAL.type];
					if (ref?.id === BOTPRESS_CREDENTIAL.id) node.credentials![BOTPRESS_CREDENTIAL.type] = { id: BOTPRESS_LIVECHAT_CREDENTIAL.id, name: BOTPRESS_LIVECHAT_CREDENTIAL.name };
				}
			}
			return { file, template };
		});
		const credentials = [
			landbotCredential({ landbot }),
			tiledeskCredential(td),
			liveChatCredential(lc),
			botpressCredential(bpTiledesk, botpressSecrets[0]),
			{ ...botpressCredential(bpLiveChat, botpressSecrets[1]), ...BOTPRESS_LIVECHAT_CREDENTIAL },
			salesforceCredential(sf),
			enhancedChatCredential(sfe),
			slackCredential(slack),
			chatwootCredential(cw),
			crispCredential(cr),
			blockSecret.credential,
			toN8n.credential,
			toApp.credential,
		] as Playground['credentials'];

		// ---- n8n with the package, the credentials and the workflows
		const tarball = await packPackage();
		stage(`package packed (${path.basename(tarball)})`);
		n8n = await N8nInstance.start({
			port: ports.n8n || undefined,
			tarball,
			credentials,
			workflows: loaded.map((l) => l.template),
			// Published through the REST API once n8n runs (as the editor's Publish button does): one CLI
			// command per workflow would cost ~3 s each.
			publish: false,
			// n8n's Slack nodes reach https://slack.com through the proxy, the simulators directly.
			env: { N8N_LOG_LEVEL: 'info', ...slackProxyEnv(proxy) },
			onProgress: stage,
		});
		const instance = n8n;
		const workflows = loaded.map((l, i) => ({ ...l, id: instance.workflowIds[i], name: l.template.name }));
		await publishAll(instance, workflows);
		stage(`${workflows.length} workflows published (every trigger activated)`);

		// ---- the triggers' registrations at the simulators, and the Botpress bots pointed at n8n
		const expected = registrations(instance, workflows);
		const sims = { landbot, td, lc, cw };
		await waitUntil(
			'every trigger registered at its simulator',
			() => expected.every((r) => r.done(sims)) && lc.livechat.licenseWebhooksEnabled(lc.clientId),
			{ timeoutMs: 30_000, pollMs: 200, describe: () => expected.filter((r) => !r.done(sims)).map((r) => r.what) },
		);
		const workflowOf = (file: string) => workflows.find((w) => w.file === file)!;
		await bpTiledesk.configure(botpressEndpointBase(instance, workflowOf(BOTPRESS_TEMPLATE_FILES.botpressToTiledesk).template));
		await bpLiveChat.configure(botpressEndpointBase(instance, workflowOf(BOTPRESS_TEMPLATE_FILES.botpressToLiveChat).template));
		// The Slack app's Event Subscriptions: Slack saves the Request URL once it answers the challenge.
		const slackTrigger = workflowOf(SLACK_TEMPLATE_FILES.slackToLandbot).template;
		await slack.setEventUrl(instance.webhookUrl(webhookPath(slackTrigger, 'Agent reply in Slack')));
		// The Crisp plugin's Web Hooks: the Production URL of template 35's trigger, pasted as a user does.
		const crispHookUrl = instance.webhookUrl(webhookPath(workflowOf(CRISP_TEMPLATE_FILES.crispToLandbot).template, 'Crisp event'));
		pasteHookUrl(cr, crispHookUrl);
		const count = (kind: string) => expected.filter((r) => r.kind === kind).length;
		stage(
			`triggers live: ${count('landbot')} Landbot message hooks, ${count('tiledesk')} Tiledesk subscriptions, ` +
				`${count('livechat')} LiveChat webhooks, ${count('chatwoot')} Chatwoot account webhook, 2 Botpress bots connected, ` +
				`the Slack app's event URL verified, the Crisp plugin's hook URL pasted`,
		);

		// ---- the people of the walkthrough
		const customer = (channelId: number, name: string) => {
			const id = landbot.createCustomer({ channel_id: channelId, name, email: `${name.toLowerCase()}@example.com` }).id as number;
			landbot.botSays(id, GREETING);
			return id;
		};
		const people: PlaygroundPeople = {
			ada: customer(channels.tiledesk, 'Ada'),
			bea: customer(channels.livechat, 'Bea'),
			eve: customer(channels.salesforce, 'Eve'),
			fay: customer(channels.salesforceEnhancedChat, 'Fay'),
			gil: customer(channels.slack, 'Gil'),
			hal: customer(channels.chatwoot, 'Hal'),
			ivy: customer(channels.crisp, 'Ivy'),
			cleo: bpTiledesk.startConversation({ name: 'Cleo', email: 'cleo@example.com' }).id,
			dev: bpLiveChat.startConversation({ name: 'Dev', email: 'dev@example.com' }).id,
		};
		for (const [sim, id] of [
			[bpTiledesk, people.cleo],
			[bpLiveChat, people.dev],
		] as const) {
			await sim.userSays(id, 'Hi, my parcel never arrived');
			await sim.botSays(id, 'Sorry to hear that! Let me get you a person.');
		}

		const pairings = walkthrough({
			n8n: instance,
			workflowOf,
			landbot,
			channels,
			td,
			lc,
			bp: { tiledesk: bpTiledesk, livechat: bpLiveChat },
			sf,
			sfe,
			slack: { simulator: slack, controlUrl: slackServer.controlUrl, channel: slackChannel },
			cw,
			cr,
			crispHookUrl,
			ownApp,
			people,
			secrets: { block: blockSecret.value, toN8n: toN8n.value },
			idleUnassignMs: (opts.idleUnassignMs ?? 3 * 60_000) * timeScale,
		});
		const startedInMs = Date.now() - t0;
		stage(`ready: ${pairings.length} pairings`);

		const guide = () => pairings.map(renderPairing).join('\n');
		const summary = () => {
			const rows: Array<[string, string]> = [
				['n8n editor', `${instance.baseUrl}   log in as ${OWNER.email} / ${OWNER.password}`],
				['', `${workflows.length} workflows published; n8n's log: ${instance.logFile}`],
				['Landbot', `API ${landbot.baseUrl} (token ${LANDBOT_TOKEN})   control ${landbot.controlUrl}`],
				[
					'',
					`web channels ${channels.tiledesk} (→ Tiledesk), ${channels.livechat} (→ LiveChat), ${channels.salesforce} (→ Salesforce Live Agent), ` +
						`${channels.slack} (→ Slack), ${channels.salesforceEnhancedChat} (→ Salesforce Enhanced Chat), ` +
						`${channels.chatwoot} (→ Chatwoot), ${channels.crisp} (→ Crisp)`,
				],
				['Tiledesk', `API ${td.tiledesk.baseUrl} (${TILEDESK_OWNER.email} / ${TILEDESK_OWNER.password}, project ${td.projectId})   control ${td.tiledesk.controlUrl}`],
				['LiveChat', `API ${lc.livechat.baseUrl}   control ${lc.livechat.controlUrl}`],
				['Botpress', `bot → Tiledesk ${bpTiledesk.controlUrl}   bot → LiveChat ${bpLiveChat.controlUrl}`],
				['Salesforce', `Live Agent: Chat API ${sf.endpoint}   control ${sf.controlUrl}`],
				['', `Enhanced Chat: SCRT URL ${sfe.baseUrl} (org ${sfe.orgId}, deployment ${sfe.deploymentName})   control ${sfe.controlUrl}`],
				['Slack', `Web API ${slackServer.baseUrl}/api/<method> (bot token ${slack.token})   control ${slackServer.controlUrl}`],
				[
					'',
					`channel #${slackChannel.name} ${slackChannel.id}, bot user ${slack.botUserId}, agent ${DEFAULT_AGENT.realName} ${DEFAULT_AGENT.id}, signing secret ${slack.signingSecret}; ` +
						`n8n reaches it as https://slack.com through the TLS proxy ${proxy.url}`,
				],
				[
					'Chatwoot',
					`API ${cw.chatwoot.baseUrl} (account ${cw.seed.accountId}, ${cw.seed.admin.name}'s access token ${cw.seed.userToken})   control ${cw.chatwoot.controlUrl}`,
				],
				[
					'',
					`API inbox ${cw.seed.apiInbox.id} "${cw.seed.apiInbox.name}", team ${cw.seed.team.id} "${cw.seed.team.name}", ` +
						`agents ${cw.seed.agents.map((a) => `${a.name} ${a.id}`).join(', ')}; template 32's account webhook registered`,
				],
				[
					'Crisp',
					`REST API ${cr.crisp.baseUrl}/v1 (tier plugin, token ${cr.seed.pluginToken.identifier}:${cr.seed.pluginToken.key})   control ${cr.crisp.controlUrl}`,
				],
				[
					'',
					`website ${cr.seed.websiteId}, operators ${cr.seed.operators.map((o) => `${o.nickname} ${o.userId}`).join(', ')}; ` +
						`plugin hook ${crispHookUrl} (${CRISP_HOOK_EVENTS.join(', ')})`,
				],
				['your app', `${ownApp.baseUrl}   inbox ${ownApp.baseUrl}/inbox`],
			];
			const lines = rows.map(([name, text]) => `  ${name.padEnd(12)}${text}`);
			const width = Math.max(...pairings.map((p) => `${p.title} (${p.templates})`.length)) + 3;
			const tries = pairings.map((p) => `  ${`${p.title} (${p.templates})`.padEnd(width)}${p.gist}`);
			return [`Ready in ${(startedInMs / 1000).toFixed(1)} s.`, ...lines, '', 'What to try: the commands printed above, one block per pairing (copy them in order):', ...tries].join('\n');
		};
		return {
			n8n: instance,
			landbot,
			channels,
			tiledesk: td,
			livechat: lc,
			botpress: { tiledesk: bpTiledesk, livechat: bpLiveChat },
			salesforce: sf,
			salesforceEnhancedChat: sfe,
			slack: { simulator: slack, server: slackServer, channel: slackChannel, proxy },
			chatwoot: cw,
			crisp: cr,
			ownApp,
			people,
			workflows,
			credentials,
			pairings,
			startedInMs,
			guide,
			summary,
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}

/** Publishes every workflow as the editor does, then waits until n8n reports each one's triggers activated. */
async function publishAll(n8n: N8nInstance, workflows: PlaygroundWorkflow[]): Promise<void> {
	const publish = async (w: PlaygroundWorkflow) => {
		const { data } = await n8n.rest<{ data: { versionId: string } }>(`/rest/workflows/${w.id}`);
		await n8n.restPost(`/rest/workflows/${w.id}/activate`, { versionId: data.versionId });
	};
	// The first call logs in (once: n8n rate-limits logins), the others go together.
	await publish(workflows[0]);
	await Promise.all(workflows.slice(1).map(publish));
	// Activation runs a few workflows at a time (~1-2 s each on 2 busy cores): ask about the others only.
	let pending = workflows;
	let last: Array<{ file: string; status: string; triggers: Array<{ status: string; errorMessage?: string | null }> }> = [];
	await waitUntil(
		'n8n to activate every workflow',
		async () => {
			last = await Promise.all(
				pending.map(async (w) => ({ file: w.file, ...(await n8n.rest(`/rest/workflows/${w.id}/publication-status`)).data })),
			);
			const failed = last.filter((s) => s.status === 'failed' || s.status === 'partial');
			if (failed.length) {
				const why = failed.map((s) => `${s.file}: ${s.triggers.map((t) => t.errorMessage).filter(Boolean).join('; ')}`);
				throw new Error(`n8n could not activate ${why.join(' | ')}\n(n8n's log: ${n8n.logFile})`);
			}
			pending = pending.filter((_, i) => last[i].status !== 'published');
			return pending.length === 0;
		},
		{ timeoutMs: 120_000, pollMs: 1_000, describe: () => last.filter((s) => s.status !== 'published') },
	);
}

interface Registration {
	kind: 'landbot' | 'tiledesk' | 'livechat' | 'chatwoot';
	what: string;
	done(sims: { landbot: LandbotSimulator; td: TiledeskSide; lc: LiveChatSide; cw: ChatwootSide }): boolean;
}

/** What each of the package's triggers registers at its platform when n8n activates it. */
function registrations(n8n: N8nInstance, workflows: PlaygroundWorkflow[]): Registration[] {
	const found: Registration[] = [];
	for (const { file, template } of workflows) {
		for (const node of template.nodes) {
			const what = `${file} "${node.name}"`;
			const events = (node.parameters.events ?? []) as string[];
			if (node.type === 'n8n-nodes-handoff.landbotTrigger') {
				const url = n8n.webhookUrl(webhookPath(template, node.name));
				// A resource locator from the trigger's version 1.2 on, a plain ID before.
				const channel = node.parameters.channelId as unknown;
				const channelId = Number(typeof channel === 'object' && channel !== null ? (channel as { value?: unknown }).value : channel);
				found.push({ kind: 'landbot', what, done: ({ landbot }) => landbot.listHooks(channelId).some((h) => h.url === url) });
			} else if (node.type === 'n8n-nodes-handoff.tiledeskTrigger') {
				const url = n8n.webhookUrl(webhookPath(template, node.name));
				for (const event of events) {
					found.push({
						kind: 'tiledesk',
						what: `${what} ${event}`,
						done: ({ td }) => td.tiledesk.listSubscriptions(td.projectId).some((s) => s.target === url && s.event === event),
					});
				}
			} else if (node.type === 'n8n-nodes-handoff.liveChatTrigger') {
				// One webhook per event (their LiveChat action names differ from the node's event names).
				const url = n8n.webhookUrl(webhookPath(template, node.name));
				events.forEach((event, i) =>
					found.push({
						kind: 'livechat',
						what: `${what} ${event}`,
						done: ({ lc }) => lc.livechat.getWebhooks().filter((w) => w.url === url).length > i,
					}),
				);
			} else if (node.type === 'n8n-nodes-handoff.chatwootTrigger') {
				// The account webhook (source accountWebhook), registered with the credential's account.
				const url = n8n.webhookUrl(webhookPath(template, node.name));
				found.push({ kind: 'chatwoot', what, done: ({ cw }) => cw.chatwoot.listWebhooks(cw.seed.accountId).some((w) => w.url === url) });
			}
		}
	}
	return found;
}

// ---------------------------------------------------------------- the walkthrough

interface GuideContext {
	n8n: N8nInstance;
	workflowOf(file: string): PlaygroundWorkflow;
	landbot: LandbotSimulator;
	channels: Playground['channels'];
	td: TiledeskSide;
	lc: LiveChatSide;
	bp: Playground['botpress'];
	sf: SalesforceLiveAgentSimulator;
	sfe: SalesforceEnhancedChatSimulator;
	slack: { simulator: SlackSimulator; controlUrl: string; channel: { id: string; name: string } };
	cw: ChatwootSide;
	cr: CrispSide;
	/** What the playground pasted as the Crisp plugin's hook. */
	crispHookUrl: string;
	ownApp: OwnApp;
	people: PlaygroundPeople;
	secrets: { block: string; toN8n: string };
	idleUnassignMs: number;
}

function walkthrough(c: GuideContext): Pairing[] {
	const lb = c.landbot.controlUrl;
	const tdc = c.td.tiledesk.controlUrl;
	const lcc = c.lc.livechat.controlUrl;
	const sfc = c.sf.controlUrl;
	const sfec = c.sfe.controlUrl;
	const hook = (file: string, node: string) => c.n8n.webhookUrl(webhookPath(c.workflowOf(file).template, node));
	const block = (file: string, body: Record<string, string>) => ({
		url: hook(file, 'Handoff requested'),
		headers: { [HEADER_SECRET_NAME]: c.secrets.block },
		body,
	});
	const { ada, bea, eve, fay, gil, hal, ivy, cleo, dev } = c.people;
	const cwc = c.cw.chatwoot.controlUrl;
	const crc = c.cr.crisp.controlUrl;
	const [cwAgent] = c.cw.seed.agents;
	const crOperator = c.cr.seed.operators[1];
	const inSlack = `${c.slack.controlUrl}/channels/${c.slack.channel.id}`;
	const gilThread = `${inSlack}/threads/$THREAD`;
	const ticket = (variable: string) => `${tdc}/requests/${requestIdFor(c.td, '$' + variable)}`;
	const ownRequest = `${tdc}/requests/${requestIdFor(c.td, OWN_APP_USER.id)}`;
	const adaRequest = `${tdc}/requests/${requestIdFor(c.td, ada)}`;
	const backAtBlock = `"node":"${RESUME_BLOCK}"`;
	const idle =
		c.idleUnassignMs > 0
			? `  Stay silent for ${Math.round(c.idleUnassignMs / 1000)} s during the handoff and Landbot unassigns the customer; the next message is\n` +
				`  relayed all the same and template %s assigns them again.`
			: undefined;
	const closedByAgent = 'The human agent closed the conversation';
	// Template 4 runs on the Tiledesk channel only (one workflow per template file, one trigger path each).
	const unassignedStays = (name: string, relay: string) =>
		c.idleUnassignMs > 0
			? `  Stay silent for ${Math.round(c.idleUnassignMs / 1000)} s during the handoff and Landbot unassigns ${name}; the next message is\n` +
				`  relayed all the same (template ${relay} follows the handoff field). In your project, template 4 on this channel assigns again.`
			: undefined;

	return [
		{
			title: PAIRINGS.landbotTiledesk,
			templates: 'templates 1–5',
			gist: 'Ada asks for a human, writes; the agent answers, closes; Ada is back with the bot',
			intro: `customer ${ada} (Ada) talks with the bot on Landbot channel ${c.channels.tiledesk}.`,
			steps: [
				{
					say: "Ada asks for a human: the bot's Webhook block calls template 1 (a Tiledesk conversation with the bot history, routed to the agent)",
					url: `${lb}/customers/${ada}/webhook_block`,
					body: block(TEMPLATE_FILES.handoffStart, { customer_id: '@id', name: '@name' }),
				},
				{ say: 'What Ada sees: the relay assigned her to an agent (wait for this before she writes)', url: `${lb}/customers/${ada}`, shows: AGENT_COMING },
				{ say: 'What the agent sees in Tiledesk: the bot history', url: `${adaRequest}/messages`, shows: GREETING },
				{ say: 'Ada writes (template 2 relays it to the agent)', url: `${lb}/customers/${ada}/says`, body: { text: 'My parcel never arrived' } },
				{ say: 'What the agent sees', url: `${adaRequest}/messages`, shows: 'My parcel never arrived' },
				{
					say: 'The agent answers (template 3 relays it to Ada)',
					url: `${adaRequest}/agent_says`,
					body: { agentId: c.td.agentId, text: 'Sorry! Let me check.' },
				},
				{ say: 'What Ada sees', url: `${lb}/customers/${ada}`, shows: 'Sorry! Let me check.' },
				{ say: `The agent closes: template 5 gives Ada back to the bot at block ${RESUME_BLOCK}`, url: `${adaRequest}/close`, body: { agentId: c.td.agentId } },
				{ say: `Ada is with the bot again (bot.node ${RESUME_BLOCK})`, url: `${lb}/customers/${ada}`, shows: backAtBlock },
			],
			note: idle?.replace('%s', '4'),
		},
		{
			title: PAIRINGS.ownAppTiledesk,
			templates: 'template 6',
			gist: 'Uma writes in your app and asks for a person; the agent answers; your app receives it',
			intro: `${OWN_APP_USER.name} (user ${OWN_APP_USER.id}) writes in your app; a stand-in app at ${c.ownApp.baseUrl} takes what n8n sends back.`,
			steps: [
				{
					say: "Uma writes: your app's backend posts her message to n8n (template 6 mirrors it into Tiledesk)",
					url: hook(TEMPLATE_FILES.ownApp, 'App message'),
					headers: { [HEADER_SECRET_NAME]: c.secrets.toN8n },
					body: { userId: OWN_APP_USER.id, name: OWN_APP_USER.name, text: 'Hi, my invoice shows the wrong address' },
				},
				{
					say: 'Uma asks for a person (handoff: true: template 6 also routes the conversation to the agents)',
					url: hook(TEMPLATE_FILES.ownApp, 'App message'),
					headers: { [HEADER_SECRET_NAME]: c.secrets.toN8n },
					body: { userId: OWN_APP_USER.id, name: OWN_APP_USER.name, text: 'Can I talk to a person?', handoff: true },
				},
				{ say: 'What the agent sees in Tiledesk', url: `${ownRequest}/messages`, shows: 'Can I talk to a person?' },
				{
					say: 'The agent answers (template 6 posts it to your app)',
					url: `${ownRequest}/agent_says`,
					body: { agentId: c.td.agentId, text: 'Hello Uma, I am fixing the address.' },
				},
				{ say: 'What your app received', url: `${c.ownApp.baseUrl}/inbox/${OWN_APP_USER.id}`, shows: 'Hello Uma, I am fixing the address.' },
			],
		},
		{
			title: PAIRINGS.landbotLiveChat,
			templates: 'templates 7–11',
			gist: 'Bea asks for a human, writes; the agent answers, transfers to a busy group, ends the chat',
			intro: `customer ${bea} (Bea) talks with the bot on Landbot channel ${c.channels.livechat}.`,
			steps: [
				{
					say: "Bea asks for a human: the bot's Webhook block calls template 7 (a LiveChat chat with the bot history)",
					url: `${lb}/customers/${bea}/webhook_block`,
					body: block(LIVECHAT_TEMPLATE_FILES.handoffStart, { customer_id: '@id', name: '@name', email: '@email' }),
				},
				{ say: 'What Bea sees', url: `${lb}/customers/${bea}`, shows: AGENT_COMING },
				{
					say: "The chat's ID, which template 7 stored in Bea's Landbot field handoff_conversation",
					url: `${lb}/customers/${bea}`,
					capture: { name: 'CHAT', expr: 'j.customer.custom_fields.handoff_conversation' },
				},
				{ say: 'Bea writes (template 8 sends it into the chat as Bea)', url: `${lb}/customers/${bea}/says`, body: { text: 'Where is my order?' } },
				{ say: 'What the agent sees in LiveChat', url: `${lcc}/chats/$CHAT`, shows: 'Where is my order?' },
				{
					say: 'The agent answers (template 9 relays it to Bea)',
					url: `${lcc}/chats/$CHAT/agent_says`,
					body: { agentId: c.lc.agentId, text: 'Let me look it up.' },
				},
				{ say: 'What Bea sees', url: `${lb}/customers/${bea}`, shows: 'Let me look it up.' },
				{ say: 'A group where nobody is free…', url: `${lcc}/groups`, body: { name: 'Billing', id: 9 } },
				{
					say: '…the agent transfers the chat there: template 11 tells Bea her place in the queue',
					url: `${lcc}/chats/$CHAT/transfer`,
					body: { groupId: 9, requesterId: c.lc.agentId },
				},
				{ say: 'What Bea sees', url: `${lb}/customers/${bea}`, shows: 'in the queue' },
				{
					say: `The agent ends the chat: template 11 gives Bea back to the bot at block ${RESUME_BLOCK}`,
					url: `${lcc}/chats/$CHAT/deactivate`,
					body: { agentId: c.lc.agentId },
				},
				{ say: 'Bea is with the bot again', url: `${lb}/customers/${bea}`, shows: backAtBlock },
			],
			note: idle?.replace('%s', '10'),
		},
		{
			title: PAIRINGS.botpressTiledesk,
			templates: 'templates 12',
			gist: "Cleo's bot starts a handoff; Cleo writes; the agent answers, closes; the bot takes over",
			intro: `Cleo talks with the Botpress bot whose HITL integration points at template 12 (conversation ${cleo}).`,
			steps: [
				{
					say: "Cleo's bot runs Start HITL: Botpress calls template 12, which opens a Tiledesk conversation for the ticket TICKET",
					url: `${c.bp.tiledesk.controlUrl}/conversations/${cleo}/start_hitl`,
					body: { title: 'Parcel never arrived', description: 'Order 1042' },
					capture: { name: 'TICKET', expr: 'j.remoteConversationId' },
				},
				{ say: 'What the agent sees in Tiledesk: the ticket, then the bot history', url: `${ticket('TICKET')}/messages`, shows: 'Sorry to hear that!' },
				{
					say: 'Cleo writes (template 12 relays it to the agent)',
					url: `${c.bp.tiledesk.controlUrl}/conversations/${cleo}/user_says`,
					body: { text: 'It was order 1042' },
				},
				{ say: 'What the agent sees', url: `${ticket('TICKET')}/messages`, shows: 'It was order 1042' },
				{
					say: 'The agent answers (the second workflow of template 12 relays it to Cleo)',
					url: `${ticket('TICKET')}/agent_says`,
					body: { agentId: c.td.agentId, text: 'A new parcel leaves today.' },
				},
				{ say: 'What Cleo sees', url: `${c.bp.tiledesk.controlUrl}/conversations/${cleo}`, shows: 'A new parcel leaves today.' },
				{ say: 'The agent closes: Botpress stops the handoff, the bot takes over', url: `${ticket('TICKET')}/close`, body: { agentId: c.td.agentId } },
				{ say: 'What Cleo sees', url: `${c.bp.tiledesk.controlUrl}/conversations/${cleo}`, shows: closedByAgent },
			],
		},
		{
			title: PAIRINGS.botpressLiveChat,
			templates: 'templates 13',
			gist: "Dev's bot starts a handoff; Dev writes; the agent answers, ends the chat",
			intro: `Dev talks with the second Botpress bot, whose HITL integration points at template 13 (conversation ${dev}).`,
			steps: [
				{
					say: "Dev's bot runs Start HITL: Botpress calls template 13, which starts a LiveChat chat for the ticket TICKET_LC",
					url: `${c.bp.livechat.controlUrl}/conversations/${dev}/start_hitl`,
					body: { title: 'Refund', description: 'Order 2077' },
					capture: { name: 'TICKET_LC', expr: 'j.remoteConversationId' },
				},
				{
					say: "The chat's ID (the chat whose External ID is the ticket)",
					url: `${lcc}/chats`,
					capture: { name: 'CHAT_BP', expr: `j.find(c => c.properties['${c.lc.clientId}']?.external_id === '$TICKET_LC')?.id` },
				},
				{ say: 'Dev writes (template 13 relays it as the customer)', url: `${c.bp.livechat.controlUrl}/conversations/${dev}/user_says`, body: { text: 'Is my refund on its way?' } },
				{ say: 'What the agent sees in LiveChat', url: `${lcc}/chats/$CHAT_BP`, shows: 'Is my refund on its way?' },
				{
					say: 'The agent answers (the second workflow of template 13 relays it to Dev)',
					url: `${lcc}/chats/$CHAT_BP/agent_says`,
					body: { agentId: c.lc.agentId, text: 'Yes, it left this morning.' },
				},
				{ say: 'What Dev sees', url: `${c.bp.livechat.controlUrl}/conversations/${dev}`, shows: 'Yes, it left this morning.' },
				{ say: 'The agent ends the chat: Botpress stops the handoff', url: `${lcc}/chats/$CHAT_BP/deactivate`, body: { agentId: c.lc.agentId } },
				{ say: 'What Dev sees', url: `${c.bp.livechat.controlUrl}/conversations/${dev}`, shows: closedByAgent },
			],
		},
		{
			title: PAIRINGS.landbotSalesforce,
			templates: 'templates 14–15',
			gist: 'Eve asks for a human; an agent accepts; both write; the agent ends the chat',
			intro: `customer ${eve} (Eve) talks with the bot on Landbot channel ${c.channels.salesforce}.`,
			steps: [
				{
					say: "Eve asks for a human: the bot's Webhook block calls template 14 (a Live Agent chat request with the bot transcript, then the polling loop)",
					url: `${lb}/customers/${eve}/webhook_block`,
					body: block(SALESFORCE_TEMPLATE_FILES.handoff, { customer_id: '@id', name: '@name', email: '@email' }),
				},
				{ say: 'What Eve sees', url: `${lb}/customers/${eve}`, shows: AGENT_COMING },
				{
					say: "The Live Agent session, which template 14 stored in Eve's Landbot field liveagent_session",
					url: `${lb}/customers/${eve}`,
					capture: { name: 'SESSION', expr: 'j.customer.custom_fields.liveagent_session?.id' },
				},
				{ say: 'What the agent sees: the chat request in the queue, with the bot transcript', url: `${sfc}/sessions/$SESSION`, shows: 'Bot Transcript' },
				{ say: 'An agent accepts the chat', url: `${sfc}/sessions/$SESSION/accept`, body: { name: 'Sam Agent' } },
				{ say: 'Eve writes (template 15 sends it to the agent)', url: `${lb}/customers/${eve}/says`, body: { text: 'My card was charged twice' } },
				{ say: 'What the agent sees', url: `${sfc}/sessions/$SESSION/transcript`, shows: 'My card was charged twice' },
				{
					say: "The agent answers (template 14's polling loop brings it to Eve)",
					url: `${sfc}/sessions/$SESSION/agent_says`,
					body: { text: 'I see it, refunding one now.' },
				},
				{ say: 'What Eve sees', url: `${lb}/customers/${eve}`, shows: 'I see it, refunding one now.' },
				{ say: `The agent ends the chat: the loop gives Eve back to the bot at block ${RESUME_BLOCK}`, method: 'POST', url: `${sfc}/sessions/$SESSION/end` },
				{ say: 'Eve is with the bot again', url: `${lb}/customers/${eve}`, shows: backAtBlock },
			],
		},
		{
			title: PAIRINGS.landbotSlack,
			templates: 'templates 16–18',
			gist: `Gil asks for a human; a thread opens in #${c.slack.channel.name}; Gil and an agent write; " /done" hands back`,
			intro:
				`customer ${gil} (Gil) talks with the bot on Landbot channel ${c.channels.slack}; the agents work in the Slack channel ` +
				`#${c.slack.channel.name} (${c.slack.channel.id}), where the app's bot user is ${c.slack.simulator.botUserId}.`,
			steps: [
				{
					say: `Gil asks for a human: the bot's Webhook block calls template 16 (a thread in #${c.slack.channel.name} with the bot history)`,
					url: `${lb}/customers/${gil}/webhook_block`,
					body: block(SLACK_TEMPLATE_FILES.handoffStart, { customer_id: '@id', name: '@name' }),
				},
				{ say: 'What Gil sees', url: `${lb}/customers/${gil}`, shows: AGENT_COMING },
				{
					say: `What the agents see in #${c.slack.channel.name}: a new thread for Gil`,
					url: `${inSlack}/messages`,
					shows: `Gil asks for a human agent (Landbot customer ${gil})`,
				},
				{
					say: `The thread's ts (template 16 also keeps it in Gil's Landbot field ${THREAD_FIELD})`,
					url: `${inSlack}/messages`,
					capture: { name: 'THREAD', expr: `j.find(m => m.text.includes('(Landbot customer ${gil})'))?.ts` },
				},
				{ say: 'The thread: the bot history first', url: gilThread, shows: `bot: ${GREETING}` },
				{ say: 'Gil writes (template 17 posts it in the thread)', url: `${lb}/customers/${gil}/says`, body: { text: 'The shoes I got are a size too small' } },
				{ say: 'What the agents see in the thread', url: gilThread, shows: 'The shoes I got are a size too small' },
				{
					say:
						`${DEFAULT_AGENT.realName} replies in the thread: Slack delivers the signed message event to template 18, which relays it to Gil`,
					url: `${gilThread}/replies`,
					body: { text: 'Sorry! A pair one size up leaves today.' },
				},
				{ say: 'What Gil sees', url: `${lb}/customers/${gil}`, shows: 'Sorry! A pair one size up leaves today.' },
				{ say: 'What the agents see: the reply carries the :outbox_tray: reaction (the relay took it)', url: gilThread, shows: ':outbox_tray: 1' },
				{
					say: `She writes " /done" in the thread (Slack's message box needs the leading space): template 18 gives Gil back to the bot at block ${RESUME_BLOCK}`,
					url: `${gilThread}/replies`,
					body: { text: ' /done' },
				},
				{ say: 'Gil is with the bot again', url: `${lb}/customers/${gil}`, shows: backAtBlock },
				{ say: 'What the thread says', url: gilThread, shows: HANDED_BACK },
			],
		},
		{
			title: PAIRINGS.landbotSalesforceEnhancedChat,
			templates: 'templates 19–21',
			gist: 'Fay asks for a human; an agent accepts; both write; the agent ends the session',
			intro: `customer ${fay} (Fay) talks with the bot on Landbot channel ${c.channels.salesforceEnhancedChat}.`,
			steps: [
				{
					say: "Fay asks for a human: the bot's Webhook block calls template 19 (an Enhanced Chat conversation with the bot transcript)",
					url: `${lb}/customers/${fay}/webhook_block`,
					body: block(ENHANCED_CHAT_TEMPLATE_FILES.handoff, { customer_id: '@id', name: '@name' }),
				},
				{ say: 'What Fay sees', url: `${lb}/customers/${fay}`, shows: AGENT_COMING },
				{
					say: `The conversation, which template 19 stored in Fay's Landbot field ${CONVERSATION_FIELD}`,
					url: `${lb}/customers/${fay}`,
					capture: { name: 'CONV', expr: `j.customer.custom_fields.${CONVERSATION_FIELD}?.id` },
				},
				{ say: 'What the agent sees: the bot transcript, first in the conversation', url: `${sfec}/conversations/$CONV/transcript`, shows: `Bot: ${GREETING}` },
				{ say: 'An agent accepts the conversation (template 21 tells Fay who joined)', url: `${sfec}/conversations/$CONV/accept`, body: { name: 'Sam Agent' } },
				{ say: 'What Fay sees', url: `${lb}/customers/${fay}`, shows: 'Sam Agent joined the chat' },
				{ say: 'Fay writes (template 20 sends it to the agent)', url: `${lb}/customers/${fay}/says`, body: { text: 'I was charged for a cancelled order' } },
				{ say: 'What the agent sees', url: `${sfec}/conversations/$CONV/transcript`, shows: 'I was charged for a cancelled order' },
				{
					say: "The agent answers (template 21's trigger relays it to Fay)",
					url: `${sfec}/conversations/$CONV/agent_says`,
					body: { text: 'Refunded, you will see it in 3 days.' },
				},
				{ say: 'What Fay sees', url: `${lb}/customers/${fay}`, shows: 'Refunded, you will see it in 3 days.' },
				{
					say: `The agent ends the session: template 21 gives Fay back to the bot at block ${RESUME_BLOCK}`,
					method: 'POST',
					url: `${sfec}/conversations/$CONV/end_session`,
				},
				{ say: 'Fay is with the bot again', url: `${lb}/customers/${fay}`, shows: backAtBlock },
			],
		},
		{
			title: PAIRINGS.landbotChatwoot,
			templates: 'templates 30–32',
			gist: `Hal asks for a human; the team gets a conversation with the bot history; Hal and ${cwAgent.name} write; resolved: back to the bot`,
			intro:
				`customer ${hal} (Hal) talks with the bot on Landbot channel ${c.channels.chatwoot}; the agents work in Chatwoot account ` +
				`${c.cw.seed.accountId}: API inbox ${c.cw.seed.apiInbox.id}, team "${c.cw.seed.team.name}" ${c.cw.seed.team.id} ` +
				`(${c.cw.seed.agents.map((a) => `${a.name} ${a.id}`).join(', ')}). Template 32's trigger registered its account webhook when published.`,
			steps: [
				{
					say: "Hal asks for a human: the bot's Webhook block calls template 30 (contact landbot-<id>, a conversation with the bot history, handed to the team)",
					url: `${lb}/customers/${hal}/webhook_block`,
					body: block(CHATWOOT_TEMPLATE_FILES.handoffStart, { customer_id: '@id', name: '@name', email: '@email' }),
				},
				{ say: 'What Hal sees', url: `${lb}/customers/${hal}`, shows: AGENT_COMING },
				{
					say: "The conversation's ID, which template 30 stored in Hal's Landbot field handoff_conversation",
					url: `${lb}/customers/${hal}`,
					capture: { name: 'CW_CONV', expr: 'j.customer.custom_fields.handoff_conversation' },
				},
				{ say: 'What the agents see in Chatwoot: the bot history, a private note first in the conversation', url: `${cwc}/conversations/$CW_CONV/messages`, shows: `Bot: ${GREETING}` },
				{ say: "The conversation is open, with the team", url: `${cwc}/conversations/$CW_CONV`, shows: '"status":"open"' },
				{ say: 'Hal writes (template 31 writes it into the conversation as Hal)', url: `${lb}/customers/${hal}/says`, body: { text: 'The blender I ordered arrived broken' } },
				{ say: 'What the agents see', url: `${cwc}/conversations/$CW_CONV/messages`, shows: 'The blender I ordered arrived broken' },
				{
					say: `${cwAgent.name} replies: Chatwoot delivers the signed message_created event to template 32, which relays it to Hal`,
					url: `${cwc}/conversations/$CW_CONV/agent_says`,
					body: { agentId: cwAgent.id, content: 'So sorry! A replacement ships tomorrow.' },
				},
				{ say: 'What Hal sees', url: `${lb}/customers/${hal}`, shows: 'So sorry! A replacement ships tomorrow.' },
				{
					say: `She resolves the conversation (status "pending", Chatwoot's hand-back to the bot, does the same): template 32 gives Hal back to the bot at block ${RESUME_BLOCK}`,
					url: `${cwc}/conversations/$CW_CONV/status`,
					body: { status: 'resolved', agentId: cwAgent.id },
				},
				{ say: 'Hal is with the bot again', url: `${lb}/customers/${hal}`, shows: backAtBlock },
			],
			note: unassignedStays('Hal', '31'),
		},
		{
			title: PAIRINGS.landbotCrisp,
			templates: 'templates 33–35',
			gist: `Ivy asks for a human; an unresolved Crisp conversation with the bot history; Ivy and ${crOperator.nickname} write; resolved: back to the bot`,
			intro:
				`customer ${ivy} (Ivy) talks with the bot on Landbot channel ${c.channels.crisp}; the operators (${c.cr.seed.operators.map((o) => `${o.nickname} ${o.userId}`).join(', ')}) ` +
				`answer in Crisp website ${c.cr.seed.websiteId}. Crisp has no API to register a hook: as you would paste it into ` +
				`Marketplace → your plugin → Settings → Web Hooks, the playground set the Production URL of template 35's "Crisp event", ` +
				`${c.crispHookUrl}, as the plugin's hook (${CRISP_HOOK_EVENTS.join(', ')}; PUT ${crc}/plugin_hook {"url": …} sets it).`,
			steps: [
				{
					say: "Ivy asks for a human: the bot's Webhook block calls template 33 (the conversation of landbot-<id>, the bot history as a note, unresolved)",
					url: `${lb}/customers/${ivy}/webhook_block`,
					body: block(CRISP_TEMPLATE_FILES.handoffStart, { customer_id: '@id', name: '@name', email: '@email' }),
				},
				{ say: 'What Ivy sees', url: `${lb}/customers/${ivy}`, shows: AGENT_COMING },
				{
					say: "The conversation's session ID, which template 33 stored in Ivy's Landbot field handoff_conversation",
					url: `${lb}/customers/${ivy}`,
					capture: { name: 'CRISP_SESSION', expr: 'j.customer.custom_fields.handoff_conversation' },
				},
				{ say: 'What the operators see in Crisp: an unresolved conversation, the bot history as a private note', url: `${crc}/conversations/$CRISP_SESSION`, shows: `Bot: ${GREETING}` },
				{ say: 'Ivy writes (template 34 sends it into the conversation as the visitor)', url: `${lb}/customers/${ivy}/says`, body: { text: 'I was billed twice for one order' } },
				{ say: 'What the operators see', url: `${crc}/conversations/$CRISP_SESSION`, shows: 'I was billed twice for one order' },
				{
					say: `${crOperator.nickname} replies: Crisp delivers the signed message:received hook to template 35, which relays it to Ivy`,
					url: `${crc}/conversations/$CRISP_SESSION/operator_says`,
					body: { userId: crOperator.userId, content: 'Found it, the second charge is refunded.' },
				},
				{ say: 'What Ivy sees', url: `${lb}/customers/${ivy}`, shows: 'Found it, the second charge is refunded.' },
				{
					say: `She resolves the conversation: template 35 gives Ivy back to the bot at block ${RESUME_BLOCK}`,
					url: `${crc}/conversations/$CRISP_SESSION/state`,
					body: { state: 'resolved' },
				},
				{ say: 'Ivy is with the bot again', url: `${lb}/customers/${ivy}`, shows: backAtBlock },
			],
			note: unassignedStays('Ivy', '34'),
		},
	];
}

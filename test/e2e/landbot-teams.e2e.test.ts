/**
 * Landbot ↔ Microsoft Teams handoff, end to end: templates 24–26, with template 4 (re-assign after
 * Landbot's idle unassignment) and template 29 (renew the Teams Trigger's Graph subscription),
 * imported unchanged (only their placeholders filled; template 29 runs every few seconds instead of
 * every 12 hours) into a real n8n 2.40.7 with the packed package, published, and driven through the
 * Landbot simulator and the Microsoft Graph simulator. n8n's own, unmodified Microsoft Teams node
 * and Teams Trigger reach https://graph.microsoft.com and https://login.microsoftonline.com through
 * the TLS proxy (test/e2e/lib/tlsProxy.ts); the trigger's subscription is validated by the simulator
 * and notifications come with Graph's retries.
 *
 * Graph only takes https:// notification URLs (n8n's Teams Trigger refuses to subscribe otherwise),
 * so n8n runs with the public URL https://n8n.handoff.test/ (N8N_WEBHOOK_URL), as behind a
 * TLS-terminating reverse proxy; both simulators reach that URL as n8n's plain-HTTP port (`route`).
 * Assertions read what the customer (Landbot) and the agents (the Teams channel) would see.
 */
import * as net from 'net';
import * as os from 'os';

import { LandbotSimulator } from '../fakes';
import type { LandbotSimulatorOptions } from '../fakes';
import { Outbox } from '../fakes/http';
import type { HttpRequestOptions, HttpResult } from '../fakes/http';
import { TeamsSimulator } from '../fakes/teams';
import { findLeaks } from './lib/leaks';
import { startCpuLoad } from './lib/load';
import { N8nInstance, packPackage, request } from './lib/n8n';
import {
	settle as settleAll,
	HEADER_SECRET_NAME,
	LANDBOT_AGENT_ID,
	LANDBOT_TOKEN,
	headerSecretCredential,
	landbotCredential,
	landbotView,
	sleep,
	waitUntil,
} from './lib/relay';
import { PLACEHOLDERS, TEMPLATE_CREDENTIALS, type Template, loadTemplate, nodeByName, webhookPath } from './lib/templates';
import { startTlsProxy } from './lib/tlsProxy';
import type { TlsProxy } from './lib/tlsProxy';

/** Landbot's hook retries (5, 10, 15 s…) run 20× faster; Graph's notification retries (1, 2, 4… min) 1000× faster. */
const TIME_SCALE = 0.05;
/**
 * Landbot unassigns a conversation after "some minutes" without messages between customer and agent
 * (no figure documented: 10 minutes here, 30 s at TIME_SCALE), longer than any quiet stretch of the
 * other tests.
 */
const IDLE_UNASSIGN_MS = 10 * 60_000;
const GRAPH_TIME_SCALE = 0.001;
const PUBLIC_URL = 'https://n8n.handoff.test';
const BOT_ID = '777';
const RESUME_BLOCK = 'Nresume42';
const GREETING = 'An agent will be with you shortly.';
const HANDED_BACK = 'Handed back to the bot.';
const HANDOFF_FIELD = 'handoff_conversation';
const TEAM = '0d3f1f2a-7c41-4e0b-9b6a-5d2e8f1c3a77';
const CHANNEL = '19:8b2f6c1d0e9a4b7c8d5e3f2a1b0c9d8e@thread.tacv2';
const TEAMS_CREDENTIAL = { id: 'teams-credential', name: 'Microsoft Teams account', type: 'microsoftTeamsOAuth2Api' };
const FILES = {
	handoffStart: '24-landbot-teams-handoff-start.json',
	landbotToTeams: '25-landbot-to-teams.json',
	teamsToLandbot: '26-teams-to-landbot.json',
	timeoutReassign: '4-landbot-timeout-reassign.json',
	renewal: '29-teams-subscription-renewal.json',
} as const;
const TEAMS_PLACEHOLDERS = {
	teamId: 'YOUR_TEAMS_TEAM_ID',
	channelId: 'YOUR_TEAMS_CHANNEL_ID',
	botUserId: 'YOUR_TEAMS_BOT_USER_ID',
	triggerUrl: 'YOUR_TEAMS_TRIGGER_URL',
} as const;
/** The workflows in the order imported (n8n.workflowIds). */
const WORKFLOWS = ['handoffStart', 'landbotToTeams', 'teamsToLandbot', 'timeoutReassign', 'renewal'] as const;
/** Template 29's trigger, and its minutes: Graph's maximum for channel messages is 4320. */
const RENEWAL_TRIGGER = 'Every 12 hours';
const RENEWAL_MINUTES = 4230;
/**
 * Test only: template 29 runs every few seconds instead of every 12 hours. n8n's public API cannot
 * start a Schedule Trigger, and a run from the editor is not saved (the template's settings).
 */
const RENEWAL_EVERY_S = 5;
const NO_SUBSCRIPTION = 'no Graph subscription for the Teams trigger: publish template 26 again';
/** Messages each way in the burst, and the gap between two (faster than one relay takes). */
const BURST = 10;
const GAP_MS = 200;

const htmlEscaped = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\n/g, '<br>');

/** Requests to the public URL reach the local port behind it (what the reverse proxy in front of n8n does). */
class RoutedOutbox extends Outbox {
	constructor(private readonly route: (url: string) => string) {
		super();
	}

	request(url: string, options?: HttpRequestOptions): Promise<HttpResult> {
		return super.request(this.route(url), options);
	}
}

/** The Landbot simulator, delivering MessageHooks to n8n's public URL through the same route. */
class RoutedLandbot extends LandbotSimulator {
	constructor(options: LandbotSimulatorOptions, route: (url: string) => string) {
		super(options);
		this.outbox = new RoutedOutbox(route);
	}
}

async function freePort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as net.AddressInfo;
	await new Promise((resolve) => server.close(resolve));
	return port;
}

describe('Landbot ↔ Microsoft Teams handoff through templates 24–26 (and 4, 29) in a real n8n', () => {
	let landbot: LandbotSimulator;
	let channelId: number;
	let teams: TeamsSimulator;
	let proxy: TlsProxy;
	let n8n: N8nInstance;
	let blockSecret: string;
	let botUser: string;
	const t: Record<keyof typeof FILES, Template> = {} as never;
	const t0 = Date.now();

	// One customer's whole handoff runs through the tests below, in order.
	let cid: number;
	let rootId: string;
	const figures: string[] = [];

	beforeAll(async () => {
		const port = await freePort();
		const route = (url: string) => (url.startsWith(`${PUBLIC_URL}/`) ? `http://127.0.0.1:${port}${url.slice(PUBLIC_URL.length)}` : url);
		landbot = await new RoutedLandbot(
			{
				timeScale: TIME_SCALE,
				idleUnassignMs: IDLE_UNASSIGN_MS,
				tokens: { [LANDBOT_TOKEN]: LANDBOT_AGENT_ID },
				agents: [{ id: LANDBOT_AGENT_ID, name: 'Lena Landbot-Agent' }],
			},
			route,
		).start();
		channelId = landbot.createChannel({ name: 'Web bot', type: 'landbot' }).id;
		teams = new TeamsSimulator({ timeScale: GRAPH_TIME_SCALE, route });
		botUser = teams.credentialUser.id;
		teams.createTeam({ id: TEAM, displayName: 'Support' });
		teams.createChannel(TEAM, { id: CHANNEL, displayName: 'Handoffs' });
		proxy = await startTlsProxy({ handlers: teams.hosts });

		const where = { [TEAMS_PLACEHOLDERS.teamId]: TEAM, [TEAMS_PLACEHOLDERS.channelId]: CHANNEL };
		t.handoffStart = loadTemplate(FILES.handoffStart, where);
		t.landbotToTeams = loadTemplate(FILES.landbotToTeams, { ...where, [PLACEHOLDERS.landbotChannelId]: String(channelId) });
		t.teamsToLandbot = loadTemplate(FILES.teamsToLandbot, {
			...where,
			[TEAMS_PLACEHOLDERS.botUserId]: botUser,
			[PLACEHOLDERS.landbotBotId]: BOT_ID,
			[PLACEHOLDERS.landbotBlockId]: RESUME_BLOCK,
		});
		t.timeoutReassign = loadTemplate(FILES.timeoutReassign, { [PLACEHOLDERS.landbotChannelId]: String(channelId) });
		// The Production URL n8n shows in template 26's trigger (N8N_WEBHOOK_URL + its path).
		t.renewal = loadTemplate(FILES.renewal, { [TEAMS_PLACEHOLDERS.triggerUrl]: triggerUrl() });
		const schedule = nodeByName(t.renewal, RENEWAL_TRIGGER);
		if (JSON.stringify(schedule.parameters.rule) !== JSON.stringify({ interval: [{ field: 'hours', hoursInterval: 12 }] })) {
			throw new Error(`template 29's schedule changed: ${JSON.stringify(schedule.parameters.rule)}`);
		}
		schedule.parameters.rule = { interval: [{ field: 'seconds', secondsInterval: RENEWAL_EVERY_S }] };
		const block = headerSecretCredential(TEMPLATE_CREDENTIALS.landbotWebhookBlock);
		blockSecret = block.value;

		n8n = await N8nInstance.start({
			port,
			tarball: await packPackage(),
			// npm reads the proxy variables too: it goes to its registry directly (see landbot-slack.e2e.test.ts).
			env: {
				...proxy.env,
				npm_config_noproxy: `${proxy.env.NO_PROXY},registry.npmjs.org`,
				...(process.env.NODE_EXTRA_CA_CERTS ? { npm_config_cafile: process.env.NODE_EXTRA_CA_CERTS } : {}),
				N8N_WEBHOOK_URL: `${PUBLIC_URL}/`,
			},
			credentials: [landbotCredential({ landbot }), block.credential, { ...TEAMS_CREDENTIAL, data: teams.credentialData() }],
			workflows: WORKFLOWS.map((name) => t[name]),
		});
		const teamsTrigger = webhookPath(t.teamsToLandbot, 'Agent reply in Teams');
		const landbotTriggers = [webhookPath(t.landbotToTeams, 'Customer message in a handoff'), webhookPath(t.timeoutReassign, 'Handoff interrupted')];
		await Promise.all([n8n.waitForWebhook(webhookPath(t.handoffStart, 'Handoff requested')), ...landbotTriggers.map((p) => n8n.waitForWebhook(p)), n8n.waitForWebhook(teamsTrigger)]);
		// Each Landbot Trigger registered its MessageHook at the public URL, and n8n takes its token.
		for (const landbotTrigger of landbotTriggers) {
			const hook = await waitUntil(`the Landbot MessageHook of ${landbotTrigger}`, () => landbot.listHooks().find((h) => h.url === `${PUBLIC_URL}/webhook/${landbotTrigger}`), { timeoutMs: 60_000 });
			await waitUntil('n8n to accept the Landbot hook token', async () => {
				const res = await request(n8n.webhookUrl(landbotTrigger), { method: 'POST', headers: { authorization: `Token ${hook.token}` }, body: { messages: [] } }).catch(() => undefined);
				return res?.status === 200;
			});
		}
		// The Teams Trigger's subscription: created only once n8n echoed Graph's validation token.
		await waitUntil('the Graph subscription of the Teams Trigger', () => teams.getSubscriptions().length === 1, { timeoutMs: 60_000, describe: () => teams.getDeliveries() });
		// Template 29 runs every few seconds here: on a slow start-up it may run before template 26
		// has subscribed, and fails saying so (with its 12-hour schedule that is a first run hours later).
		await settle();
		const early = await n8n.executions({ workflowId: workflowId('renewal'), status: 'error' });
		expect(early.map((e) => e.data.resultData.lastNodeExecuted)).toEqual(early.map(() => 'No subscription'));
		expectedFailures.push(...early.map((e) => String(e.id)));
		if (early.length) figures.push(`start-up: ${early.length} run(s) of template 29 before template 26 had subscribed, failed with "${NO_SUBSCRIPTION}"`);
		console.log(`landbot-teams: n8n up with templates 24–26, 4 and 29 published, triggers live after ${Date.now() - t0} ms`);
	}, 240_000);

	afterAll(async () => {
		await n8n?.stop();
		await teams?.stop();
		await proxy?.stop();
		await landbot?.stop();
		console.log(`landbot-teams: figures\n  ${figures.join('\n  ')}\nlandbot-teams: whole file ${Date.now() - t0} ms`);
	}, 60_000);

	// ------------------------------------------------------------ helpers

	const workflowId = (name: (typeof WORKFLOWS)[number]) => n8n.workflowIds[WORKFLOWS.indexOf(name)];
	/** Template 26's trigger URL as Graph knows it (what template 29 looks for). */
	const triggerUrl = () => `${PUBLIC_URL}/webhook/${webhookPath(t.teamsToLandbot, 'Agent reply in Teams')}`;
	/** Executions of template 29 that failed on purpose (the test of an expired subscription). */
	const expectedFailures: string[] = [];

	const state = () => landbot.getCustomerState(cid);
	/** What the agents wrote, as the customer sees it in Landbot (the handoff greeting excluded). */
	const agentMessagesAtCustomer = () => state().messages.filter((m) => m.author_type === 'agent' && m.message !== GREETING).map(landbotView);
	const replies = () => teams.getReplies(rootId);
	/** The relay's replies after the history: the relayed customer messages (and the handback note). */
	const relayRepliesInThread = () => replies().filter((m) => m.from.user.id === botUser).slice(1);
	const notificationsOf = (messageId: string) => teams.getDeliveries().filter((d) => d.kind === 'notification' && d.messageId === messageId);
	const settle = async () => await settleAll(n8n, [landbot, teams]);

	/** Template 29's next renewal (a PATCH Graph received after its call number `from`), of `subscriptionId` if given. */
	async function nextRenewal(from: number, subscriptionId?: string) {
		const path = subscriptionId && `/subscriptions/${subscriptionId}`;
		return await waitUntil('template 29 to renew the subscription', () => teams.getCalls().slice(from).find((c) => c.method === 'PATCH' && (!path || c.path === path)), {
			timeoutMs: 30_000,
			describe: () => teams.getCalls().slice(from).map((c) => `${c.method} ${c.path} ${c.status}`),
		});
	}

	/** An agent reply in the thread, and its arrival at the customer. */
	async function agentReplyArrives(text: string) {
		const reply = teams.agentReplies(rootId, text);
		await waitUntil(`"${text}" at the customer`, () => agentMessagesAtCustomer().includes(text), { timeoutMs: 30_000, describe: agentMessagesAtCustomer });
		return reply;
	}

	// ------------------------------------------------------------ tests

	test('the Teams Trigger subscribed to the channel\'s messages at its public https URL, validated by Graph', () => {
		const [subscription] = teams.getSubscriptions();
		const url = `${PUBLIC_URL}/webhook/${webhookPath(t.teamsToLandbot, 'Agent reply in Teams')}`;
		expect(subscription).toMatchObject({
			resource: `/teams/${TEAM}/channels/${CHANNEL}/messages`,
			changeType: 'created',
			notificationUrl: url,
			lifecycleNotificationUrl: url,
			clientState: expect.stringMatching(/^[0-9a-f]{64}$/),
			creatorId: botUser,
		});
		// What the trigger asked for (template 29 renews it every few seconds here).
		const [created] = teams.getCalls({ method: 'POST', path: /^\/subscriptions$/ });
		const minutesLeft = (Date.parse((created.body as { expirationDateTime: string }).expirationDateTime) - created.at) / 60_000;
		expect(minutesLeft).toBeGreaterThan(4300);
		const validations = teams.getDeliveries().filter((d) => d.kind === 'validation');
		expect(validations.map((v) => [v.status, v.contentType?.split(';')[0], v.responseText === v.validationToken])).toEqual([
			[200, 'text/plain', true],
			[200, 'text/plain', true],
		]);
		figures.push(`subscription: ${Math.round(minutesLeft)} min left of Graph's 4320; ${validations.length} validation requests answered`);
	});

	test('handoff start: a message in the channel naming the customer, the bot history as its first reply; the field holds its id; the agent takes over', async () => {
		cid = landbot.createCustomer({ channel_id: channelId, name: 'Carla <Shop> & Co', email: 'carla@example.com' }).id as number;
		const history: Array<['bot' | 'customer', string]> = [
			['bot', 'Hi! I am the shop bot. How can I help?'],
			['customer', 'My parcel <never> arrived'],
			['bot', 'Shall I get you a person?'],
		];
		for (const [who, text] of history) {
			if (who === 'bot') landbot.botSays(cid, text);
			else landbot.customerSays(cid, text);
			await sleep(1_050); // Landbot's transcript times have one-second resolution
		}
		const call = await landbot.webhookBlock(cid, {
			url: n8n.webhookUrl(webhookPath(t.handoffStart, 'Handoff requested')),
			headers: { [HEADER_SECRET_NAME]: blockSecret },
			body: { customer_id: '@id', name: '@name' },
		});
		expect(call.status).toBe(200);
		await waitUntil('the handoff greeting', () => state().messages.some((m) => m.message === GREETING), { timeoutMs: 60_000, describe: state });

		const top = teams.getMessages(TEAM, CHANNEL);
		expect(top.map((m) => m.body)).toEqual([{ contentType: 'html', content: `Carla &lt;Shop&gt; &amp; Co asks for a human agent (Landbot customer ${cid})` }]);
		rootId = top[0].id;
		expect(top[0].from.user.id).toBe(botUser);
		expect(replies().map((m) => m.body.content)).toEqual([
			`Conversation with the bot so far:<br>${htmlEscaped(history.map(([who, text]) => `${who}: ${text}`).join('\n'))}`,
		]);
		expect(state().customer.custom_fields).toEqual({ [HANDOFF_FIELD]: rootId });
		expect(state().agent_id).toBe(LANDBOT_AGENT_ID);
		expect(state().bot.active).toBe(false);
		// No n8n link appended (includeLinkToWorkflow: false), posts on beta as n8n's node makes them.
		const posts = teams.getCalls({ method: 'POST', path: /\/messages/ });
		expect(posts.map((c) => [c.version, JSON.stringify(c.body).includes('Powered by')])).toEqual([
			['beta', false],
			['beta', false],
		]);
	});

	test(`${BURST} customer messages and ${BURST} agent replies, ${GAP_MS} ms apart, under a CPU load: the customer's once and in order; the agents' once each`, async () => {
		const load = startCpuLoad({ processes: os.cpus().length, duty: 0.7, maxMs: 120_000 });
		const started = Date.now();
		try {
			// ---- the customer writes: Landbot Trigger → a reply in the thread (one with characters HTML must get escaped)
			const customerSent: string[] = [];
			for (let i = 1; i <= BURST; i++) {
				const text = i === 4 ? 'customer message 4: <b>not bold</b> & "quoted"\nsecond line' : `customer message ${i}`;
				landbot.customerSays(cid, text);
				customerSent.push(text);
				await sleep(GAP_MS);
			}
			await waitUntil(`${BURST} customer messages in the thread`, () => relayRepliesInThread().length >= BURST, {
				timeoutMs: 90_000,
				describe: () => relayRepliesInThread().map((m) => m.body.content),
			});
			const customerRelayed = Date.now();

			// ---- the agents answer in the thread: Teams Trigger → Landbot. One reply has a link and an
			// entity as the Teams client writes them, one two lines, one comes from a second agent.
			const colleague = teams.addUser({ displayName: 'Bob Agent' });
			teams.addMember(TEAM, colleague.id);
			const agentSent: string[] = [];
			for (let i = 1; i <= BURST; i++) {
				if (i === 3) {
					teams.userPosts(TEAM, CHANNEL, { replyTo: rootId, html: '<p>agent reply 3: see <a href="https://shop.example.com/returns">https://shop.example.com/returns</a> &amp; <a href="https://shop.example.com/faq">our FAQ</a></p>' });
					agentSent.push('agent reply 3: see https://shop.example.com/returns & our FAQ (https://shop.example.com/faq)');
				} else if (i === 6) {
					teams.agentReplies(rootId, 'agent reply 6\nwith a second line');
					agentSent.push('agent reply 6\nwith a second line');
				} else {
					teams.agentReplies(rootId, `agent reply ${i}`, i === 8 ? { user: colleague.id } : {});
					agentSent.push(`agent reply ${i}`);
				}
				await sleep(GAP_MS);
			}
			await waitUntil(`${BURST} agent replies at the customer`, () => agentMessagesAtCustomer().length >= BURST, { timeoutMs: 90_000, describe: agentMessagesAtCustomer });
			const agentRelayed = Date.now();
			await load.stop();
			await settle();

			// The customer's messages: once each, in order (the Landbot Trigger sequences one conversation).
			expect(relayRepliesInThread().map((m) => m.body)).toEqual(customerSent.map((text) => ({ contentType: 'html', content: htmlEscaped(text) })));

			// The agents' replies: each reached the customer; a second copy only where Graph sent its notification again.
			const atCustomer = agentMessagesAtCustomer();
			const agentReplies = replies().filter((m) => m.from.user.id !== botUser);
			expect(agentReplies).toHaveLength(BURST);
			// Once each, whatever Graph retried meanwhile (the Relay Guard drops copies), in Teams' order (its turns).
			expect([...atCustomer].sort()).toEqual([...agentSent].sort());
			const outOfPlace = atCustomer.filter((text, i) => text !== agentSent[i]).length;
			const graphRetries = teams.getDeliveries().filter((d) => d.kind === 'notification' && d.attempt > 1).length;
			figures.push(
				`burst under CPU load (${os.cpus().length} busy loops at 70%): ${BURST} customer messages relayed in ${customerRelayed - started} ms, in order; ` +
					`${BURST} agent replies in ${agentRelayed - customerRelayed} ms, ${outOfPlace} of ${BURST} out of place ` +
					`(${atCustomer.map((text) => /^agent reply (\d+)/.exec(text)?.[1] ?? '?').join(' ')}); ` +
					`Graph retried ${graphRetries} notifications (n8n slower than 3 s to answer)`,
			);

			expect(atCustomer).toEqual(agentSent);

			// No echo: every post of the relay in the thread (history, customer messages) was notified,
			// n8n answered 2xx, and none reached the customer.
			for (const post of replies().filter((m) => m.from.user.id === botUser)) {
				expect(notificationsOf(post.id).some((d) => d.status === 200)).toBe(true);
			}
			expect(agentMessagesAtCustomer().filter((m) => /^customer message|^Conversation with the bot/.test(m))).toEqual([]);
		} finally {
			await load.stop();
		}
	});

	test('a Graph retry of an agent reply is not relayed twice, sent after the relay or while the first copy runs; an expired access token is refreshed', async () => {
		// After the relay: the copy Graph sends when it saw no 2xx within 3 s.
		const [first] = replies().filter((m) => m.from.user.id !== botUser);
		const retry = await teams.simulateRetry(first.id);
		expect([retry.forced, retry.status]).toEqual([true, 200]);
		// At the same time as the first copy (what a slow n8n gets: the retry arrives while it works).
		const twice = teams.agentReplies(rootId, 'agent reply sent twice at once');
		await waitUntil('the first notification of it', () => notificationsOf(twice.id).some((d) => d.status !== null), { timeoutMs: 10_000 });
		await teams.simulateRetry(twice.id);
		await waitUntil('the reply at the customer', () => agentMessagesAtCustomer().includes('agent reply sent twice at once'), { timeoutMs: 30_000 });
		await settle();
		const copies = agentMessagesAtCustomer().filter((m) => m === 'agent reply 1' || m === 'agent reply sent twice at once');
		expect(copies.sort()).toEqual(['agent reply 1', 'agent reply sent twice at once']);
		// No copy refused (a refusal would make Graph retry for hours); on a busy machine Graph may have
		// retried more (no answer within 3 s, status null), which changes nothing at the customer.
		for (const id of [first.id, twice.id]) {
			const statuses = notificationsOf(id).map((d) => d.status);
			expect(statuses.filter((status) => status !== null && status !== 200)).toEqual([]);
			expect(statuses).toContain(200);
		}
		figures.push('Graph retries of 2 relayed notifications (one after the relay, one at once): relayed twice 0');

		// The access token expires: n8n's next Graph call gets a 401, refreshes at the token endpoint, and goes on.
		const tokenCallsBefore = teams.getCalls({ host: 'login.microsoftonline.com' }).length;
		teams.expireAccessTokens();
		teams.agentReplies(rootId, 'agent reply after the token expired');
		await waitUntil('the reply after the refresh', () => agentMessagesAtCustomer().includes('agent reply after the token expired'), { timeoutMs: 30_000 });
		await settle();
		const refreshes = teams.getCalls({ host: 'login.microsoftonline.com' }).slice(tokenCallsBefore);
		expect(refreshes.map((c) => c.status)).toEqual([200]);
		expect(teams.getCalls().filter((c) => c.status === 401).length).toBeGreaterThanOrEqual(1);
	});

	test('a shared file reaches the customer as its link; top-level posts and other threads are left alone', async () => {
		const withFile = teams.agentReplies(rootId, 'Here is your return label', { files: [{ name: 'label.pdf' }] });
		const other = teams.userPosts(TEAM, CHANNEL, { text: 'Does anyone know the returns address?' });
		teams.agentReplies(other.id, 'It is on the wiki');
		await waitUntil('the file link at the customer', () => agentMessagesAtCustomer().some((m) => m.startsWith('Here is your return label')), {
			timeoutMs: 30_000,
			describe: agentMessagesAtCustomer,
		});
		await settle();
		expect(agentMessagesAtCustomer().filter((m) => m.startsWith('Here is your return label'))).toEqual([`Here is your return label\n${withFile.attachments[0].contentUrl}`]);
		expect(agentMessagesAtCustomer().filter((m) => /returns address|on the wiki/.test(m))).toEqual([]);
	});

	test(`template 29 renews the Teams Trigger's subscription to ${RENEWAL_MINUTES} minutes from now; replies still arrive after the expiry it had`, async () => {
		// Time passes for the subscription: 20 s are left of it, as nearly 3 days after publishing.
		const [original] = teams.getSubscriptions();
		const from = teams.getCalls().length;
		teams.ageSubscriptions(Date.parse(original.expirationDateTime) - Date.now() - 20_000);
		const agedExpiry = Date.parse(teams.getSubscriptions()[0].expirationDateTime);

		const patch = await nextRenewal(from);
		expect([patch.host, patch.version, patch.path, patch.status]).toEqual(['graph.microsoft.com', 'v1.0', `/subscriptions/${original.id}`, 200]);
		// It found the subscription among Graph's list, as n8n's trigger does (GET /subscriptions, same notificationUrl).
		expect(teams.getCalls().slice(from).filter((c) => c.at <= patch.at).map((c) => `${c.method} ${c.path} ${c.status}`)).toContain('GET /subscriptions 200');
		const [renewed] = teams.getSubscriptions();
		expect(renewed.id).toBe(original.id);
		expect(Date.parse(renewed.expirationDateTime)).toBeGreaterThan(agedExpiry);
		const minutesLeft = (Date.parse(renewed.expirationDateTime) - Date.now()) / 60_000;
		expect(minutesLeft).toBeGreaterThan(RENEWAL_MINUTES - 5);
		expect(minutesLeft).toBeLessThanOrEqual(RENEWAL_MINUTES);

		// Past the expiry the subscription had: Graph still notifies n8n, the reply reaches the customer.
		await sleep(Math.max(0, agedExpiry - Date.now()) + 1_000);
		const reply = await agentReplyArrives('agent reply after the original expiry');
		await settle();
		expect(notificationsOf(reply.id).map((d) => [d.subscriptionId, d.status])).toEqual([[original.id, 200]]);
		// Successful runs are not saved (Graph's answers hold the clientState): none is listed.
		const saved = await n8n.executions({ workflowId: workflowId('renewal'), includeData: false });
		expect(saved.filter((e) => !expectedFailures.includes(String(e.id)))).toEqual([]);
		const renewals = teams.getCalls({ method: 'PATCH' }).filter((c) => c.status === 200).length;
		figures.push(`template 29 every ${RENEWAL_EVERY_S} s: renewed ${renewals} times so far, to ${Math.round(minutesLeft)} min left; no execution of it saved`);
	});

	test('idle unassignment: Landbot unassigns the silent handoff, template 4 assigns it again on the next customer message, which reaches the thread; the next agent reply reaches the customer; the bot never answers', async () => {
		const quietSince = Date.now();
		const messagesBefore = state().messages.length;
		const idleUnassignment = () => state().events.find((e) => e.type === 'idle_unassign' && e.at >= quietSince);
		await waitUntil('Landbot to unassign the idle conversation', idleUnassignment, {
			timeoutMs: IDLE_UNASSIGN_MS * TIME_SCALE + 30_000,
			describe: () => state().events.slice(-5),
		});
		const silentMs = idleUnassignment()!.at - quietSince;
		expect(state().agent_id).toBeNull();
		expect(state().customer.custom_fields).toEqual({ [HANDOFF_FIELD]: rootId });

		const question = 'Hello? Are you still there?';
		const asked = Date.now();
		landbot.customerSays(cid, question);
		await waitUntil('the conversation to be assigned again', () => state().agent_id === LANDBOT_AGENT_ID, { timeoutMs: 30_000, describe: () => state().events.slice(-5) });
		const reassignedMs = Date.now() - asked;
		await waitUntil('the question in the thread', () => relayRepliesInThread().some((m) => m.body.content === question), { timeoutMs: 30_000 });
		const answer = 'Yes, still here: your parcel left the warehouse today.';
		await agentReplyArrives(answer);
		await settle();

		const events = state().events;
		expect(events.slice(events.findIndex((e) => e.type === 'idle_unassign' && e.at >= quietSince)).map((e) => [e.type, e.agent_id ?? null])).toEqual([
			['idle_unassign', LANDBOT_AGENT_ID],
			['assign', LANDBOT_AGENT_ID],
		]);
		// Only the customer's question and the agent's answer since: the bot said nothing, and is not active.
		expect(state().messages.slice(messagesBefore).map((m) => [m.author_type, landbotView(m)])).toEqual([
			['user', question],
			['agent', answer],
		]);
		expect(state().bot.active).toBe(false);
		expect(state().agent_id).toBe(LANDBOT_AGENT_ID);
		const reassigns = (await n8n.executions({ workflowId: workflowId('timeoutReassign'), includeData: false })).filter((e) => Date.parse(e.startedAt) >= quietSince);
		expect(reassigns.map((e) => e.status)).toEqual(['success']);
		figures.push(
			`idle unassignment (Landbot ${IDLE_UNASSIGN_MS / 60_000} min ×${TIME_SCALE}) ${silentMs} ms into the silent test; ` +
				`template 4 assigned again ${reassignedMs} ms after the next customer message`,
		);
	});

	test('an expired subscription: Graph notifies nothing, template 29 fails saying so; publishing template 26 again subscribes anew, which template 29 renews', async () => {
		// Right after a renewal (the next run is seconds away), time passes beyond the subscription's expiry.
		const [old] = teams.getSubscriptions();
		await nextRenewal(teams.getCalls().length, old.id);
		teams.ageSubscriptions(Date.parse(teams.getSubscriptions()[0].expirationDateTime) - Date.now() + 60_000);
		const expiredAt = Date.now();
		const lost = teams.agentReplies(rootId, 'agent reply while nothing is subscribed');

		const failure = await waitUntil('template 29 to fail', async () => (await n8n.executions({ workflowId: workflowId('renewal'), status: 'error' })).find((e) => Date.parse(e.startedAt) >= expiredAt), {
			timeoutMs: 30_000,
		});
		expect(failure.data.resultData.lastNodeExecuted).toBe('No subscription');
		expect(JSON.stringify(failure.data.resultData.error)).toContain(NO_SUBSCRIPTION);
		await settle();
		expect(notificationsOf(lost.id)).toEqual([]);
		expect(agentMessagesAtCustomer()).not.toContain('agent reply while nothing is subscribed');

		// What the message says: publish template 26 again (off and on, as the editor does).
		const teamsToLandbot = workflowId('teamsToLandbot');
		const from = teams.getCalls().length;
		await n8n.restPost(`/rest/workflows/${teamsToLandbot}/deactivate`, {});
		const { data: workflow } = await n8n.rest(`/rest/workflows/${teamsToLandbot}`);
		await n8n.restPost(`/rest/workflows/${teamsToLandbot}/activate`, { versionId: workflow.versionId });
		const fresh = await waitUntil('a new Graph subscription', () => teams.getSubscriptions().find((s) => s.id !== old.id), { timeoutMs: 60_000, describe: () => teams.getDeliveries().slice(-3) });
		expect(fresh).toMatchObject({ resource: old.resource, notificationUrl: triggerUrl(), lifecycleNotificationUrl: triggerUrl() });
		// The expired one was already gone for Graph: n8n's DELETE got a 404, which it takes as done.
		expect(teams.getCalls().slice(from).filter((c) => c.method === 'DELETE').map((c) => [c.path, c.status])).toEqual([[`/subscriptions/${old.id}`, 404]]);

		const patch = await nextRenewal(from, fresh.id);
		expect(patch.status).toBe(200);
		await agentReplyArrives('agent reply after publishing template 26 again');
		await settle();
		// The reply written while nothing was subscribed stays lost: Graph does not send it later.
		expect(agentMessagesAtCustomer()).not.toContain('agent reply while nothing is subscribed');

		const failures = (await n8n.executions({ workflowId: workflowId('renewal'), status: 'error' })).filter((e) => Date.parse(e.startedAt) >= expiredAt);
		expect(failures.map((e) => e.data.resultData.lastNodeExecuted)).toEqual(failures.map(() => 'No subscription'));
		expectedFailures.push(...failures.map((e) => String(e.id)));
		figures.push(`expired subscription: ${failures.length} failed runs of template 29 ("${NO_SUBSCRIPTION}") until template 26 was published again`);
	});

	test('/done: the handoff field goes first, then unassign, then the bot resumes at the block; the thread says so once and is closed', async () => {
		const before = Date.now();
		teams.agentReplies(rootId, '/done');
		await waitUntil('the bot to resume', () => state().bot.active, { timeoutMs: 30_000, describe: state });
		await waitUntil('the handback note in the thread', () => replies().some((m) => m.body.content === HANDED_BACK), { timeoutMs: 30_000 });
		await settle();

		const after = state();
		expect(after.agent_id).toBeNull();
		expect(after.customer.custom_fields).toEqual({});
		expect(after.bot).toEqual({ id: Number(BOT_ID), node: RESUME_BLOCK, active: true, launched: true });
		const calls = landbot
			.getCalls()
			.filter((c) => c.path.startsWith(`/v1/customers/${cid}/`) && c.at >= before)
			.map((c) => `${c.method} ${c.path.replace(`/v1/customers/${cid}/`, '')}`);
		expect(calls).toEqual([`DELETE fields/${HANDOFF_FIELD}/`, 'PUT unassign/', `PUT assign_bot/${BOT_ID}/`]);
		expect(agentMessagesAtCustomer()).not.toContain('/done');
		expect(replies().filter((m) => m.body.content === HANDED_BACK).map((m) => m.from.user.id)).toEqual([botUser]);

		// After the handback: a late reply in the closed thread is not relayed, nor is what the
		// customer says to the bot posted in Teams.
		const atCustomer = agentMessagesAtCustomer().length;
		const inThread = replies().length;
		teams.agentReplies(rootId, 'one more thing');
		landbot.customerSays(cid, 'thanks, bot');
		await sleep(1_000);
		await settle();
		expect(agentMessagesAtCustomer()).toHaveLength(atCustomer);
		expect(replies()).toHaveLength(inThread + 1); // the agent's own late reply, nothing else
	});

	test('no other failed execution, no secret in the executions or the log, Graph reached only through the proxy', async () => {
		// Only template 29's runs without a subscription (their test above).
		const failed = (await n8n.executions({ includeData: false })).filter((e) => e.status !== 'success' && !expectedFailures.includes(String(e.id)));
		expect(failed.map((e) => `${e.id} ${e.workflowId} ${e.status}`)).toEqual([]);
		const { leaks, scanned } = await findLeaks(n8n, {
			'Webhook block secret (X-Handoff-Secret)': [blockSecret],
			'Landbot API token': [LANDBOT_TOKEN],
			'Landbot MessageHook token': landbot.listHooks().map((h) => h.token),
			'Graph secrets (client secret, tokens, clientState)': teams.secrets(),
		});
		expect(leaks).toEqual([]);
		expect(scanned.executions).toBeGreaterThan(2 * BURST);
		const connects = proxy.log.filter((l) => l.kind === 'connect');
		expect(new Set(connects.map((l) => `${l.target} ${l.status}`))).toEqual(new Set(['graph.microsoft.com:443 200', 'login.microsoftonline.com:443 200']));
		expect(proxy.log.filter((l) => l.kind === 'http')).toEqual([]);
		const graphCalls = teams.getCalls({ host: 'graph.microsoft.com' });
		const shapes = [...new Set(graphCalls.map((c) => `${c.method} /${c.version}${c.path.replace(TEAM, '{team}').replace(CHANNEL, '{channel}').replace(/\/\d{13}/g, '/{id}').replace(/\/subscriptions\/[0-9a-f-]{36}/, '/subscriptions/{id}')}`))].sort();
		figures.push(`Graph calls the templates made: ${graphCalls.length} (${shapes.join(', ')})`);
	});
});

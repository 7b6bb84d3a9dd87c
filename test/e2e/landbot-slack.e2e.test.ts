/**
 * Landbot ↔ Slack handoff, end to end: templates 16–18, with template 4 (re-assign after Landbot's idle
 * unassignment), imported unchanged (only their placeholders filled) into a real n8n 2.40.7 with the
 * packed package, published, and driven through the Landbot simulator and the Slack simulator. n8n's own, unmodified Slack node and Slack Trigger reach
 * https://slack.com through the TLS proxy (test/e2e/lib/tlsProxy.ts, as in slack-proxy.e2e.test.ts);
 * the Slack simulator delivers signed Events API requests to the trigger, with Slack's retries.
 * Assertions read what the customer (Landbot) and the agents (the Slack channel) would see.
 */
import * as os from 'os';

import type { LandbotSimulator } from '../fakes';
import { SlackSimulator } from '../fakes/slack';
import { findLeaks } from './lib/leaks';
import { startCpuLoad } from './lib/load';
import { N8nInstance, packPackage } from './lib/n8n';
import {
	settle as settleAll,
	HEADER_SECRET_NAME,
	LANDBOT_AGENT_ID,
	LANDBOT_TOKEN,
	headerSecretCredential,
	landbotCredential,
	landbotView,
	sleep,
	startLandbot,
	waitForLandbotTrigger,
	waitUntil,
} from './lib/relay';
import { PLACEHOLDERS, TEMPLATE_CREDENTIALS, type Template, loadTemplate, webhookPath } from './lib/templates';
import { startTlsProxy } from './lib/tlsProxy';
import type { TlsProxy } from './lib/tlsProxy';

/** Landbot's hook retries (5, 10, 15 s…) run 20× faster; Slack's event retries (0, 1, 5 min) 1000× faster. */
const TIME_SCALE = 0.05;
const SLACK_TIME_SCALE = 0.001;
/**
 * Landbot unassigns a conversation after "some minutes" without messages between customer and agent
 * (no figure documented: 10 minutes here, 30 s at TIME_SCALE), longer than any quiet stretch of the
 * other tests.
 */
const IDLE_UNASSIGN_MS = 10 * 60_000;
const BOT_ID = '777';
const RESUME_BLOCK = 'Nresume42';
const GREETING = 'An agent will be with you shortly.';
const HANDED_BACK = 'Handed back to the bot.';
const HANDOFF_FIELD = 'handoff_conversation';
const CHANNEL = 'C0SUPPORT1';
const BOT_USER = 'U0SIMBOT01';
const SLACK_TOKEN = 'xoxb-2000000001-3000000002-e2eSlackHandoff';
const SLACK_SECRET = 'e2e-slack-handoff-signing-secret';
const SLACK_CREDENTIAL = { id: 'slack-credential', name: 'Slack account', type: 'slackApi' };
const FILES = {
	handoffStart: '16-landbot-slack-handoff-start.json',
	landbotToSlack: '17-landbot-to-slack.json',
	slackToLandbot: '18-slack-to-landbot.json',
	timeoutReassign: '4-landbot-timeout-reassign.json',
} as const;
const SLACK_PLACEHOLDERS = { channelId: 'YOUR_SLACK_CHANNEL_ID', botUserId: 'YOUR_SLACK_BOT_USER_ID' } as const;
/** Messages each way in the burst, and the gap between two (faster than one relay takes). */
const BURST = 10;
const GAP_MS = 200;

/** Slack's escaping of text (https://docs.slack.dev/messaging/formatting-message-text#escaping). */
const slackEscaped = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

describe('Landbot ↔ Slack handoff through templates 16–18 (and 4) in a real n8n', () => {
	let landbot: LandbotSimulator;
	let channelId: number;
	let slack: SlackSimulator;
	let proxy: TlsProxy;
	let n8n: N8nInstance;
	let blockSecret: string;
	const t: Record<keyof typeof FILES, Template> = {} as never;
	const t0 = Date.now();

	// One customer's whole handoff runs through the tests below, in order.
	let cid: number;
	let rootTs: string;
	const figures: string[] = [];

	beforeAll(async () => {
		landbot = await startLandbot(TIME_SCALE, { idleUnassignMs: IDLE_UNASSIGN_MS });
		channelId = landbot.createChannel({ name: 'Web bot', type: 'landbot' }).id;
		slack = new SlackSimulator({ token: SLACK_TOKEN, signingSecret: SLACK_SECRET, botUserId: BOT_USER, timeScale: SLACK_TIME_SCALE });
		slack.createChannel({ id: CHANNEL, name: 'support' });
		proxy = await startTlsProxy({ handlers: slack.hosts });

		const slackChannel = { [SLACK_PLACEHOLDERS.channelId]: CHANNEL };
		t.handoffStart = loadTemplate(FILES.handoffStart, slackChannel);
		t.landbotToSlack = loadTemplate(FILES.landbotToSlack, { ...slackChannel, [PLACEHOLDERS.landbotChannelId]: String(channelId) });
		t.slackToLandbot = loadTemplate(FILES.slackToLandbot, {
			...slackChannel,
			[SLACK_PLACEHOLDERS.botUserId]: BOT_USER,
			[PLACEHOLDERS.landbotBotId]: BOT_ID,
			[PLACEHOLDERS.landbotBlockId]: RESUME_BLOCK,
		});
		t.timeoutReassign = loadTemplate(FILES.timeoutReassign, { [PLACEHOLDERS.landbotChannelId]: String(channelId) });
		const block = headerSecretCredential(TEMPLATE_CREDENTIALS.landbotWebhookBlock);
		blockSecret = block.value;

		n8n = await N8nInstance.start({
			tarball: await packPackage(),
			// npm (installing the package into n8n's user folder) reads these variables too: it goes to
			// its registry directly (npx hands its children an empty npm_config_noproxy, which would win
			// over NO_PROXY), trusting the CAs it trusted before the proxy's CA replaced them. n8n itself
			// reaches nothing but slack.com, through the proxy (last test).
			env: {
				...proxy.env,
				npm_config_noproxy: `${proxy.env.NO_PROXY},registry.npmjs.org`,
				...(process.env.NODE_EXTRA_CA_CERTS ? { npm_config_cafile: process.env.NODE_EXTRA_CA_CERTS } : {}),
			},
			credentials: [
				landbotCredential({ landbot }),
				block.credential,
				{ ...SLACK_CREDENTIAL, data: { accessToken: SLACK_TOKEN, signatureSecret: SLACK_SECRET } },
			],
			workflows: [t.handoffStart, t.landbotToSlack, t.slackToLandbot, t.timeoutReassign],
		});
		const slackTrigger = webhookPath(t.slackToLandbot, 'Agent reply in Slack');
		await Promise.all([
			n8n.waitForWebhook(webhookPath(t.handoffStart, 'Handoff requested')),
			waitForLandbotTrigger(n8n, { landbot }, webhookPath(t.landbotToSlack, 'Customer message in a handoff')),
			waitForLandbotTrigger(n8n, { landbot }, webhookPath(t.timeoutReassign, 'Handoff interrupted')),
			n8n.waitForWebhook(slackTrigger),
		]);
		// The Slack app's Event Subscriptions: Slack saves the Request URL once it answers the challenge.
		await slack.setEventUrl(n8n.webhookUrl(slackTrigger));
		console.log(`landbot-slack: n8n up with templates 16–18 and 4 published, triggers live after ${Date.now() - t0} ms`);
	}, 240_000);

	afterAll(async () => {
		await n8n?.stop();
		await slack?.stop();
		await proxy?.stop();
		await landbot?.stop();
		console.log(`landbot-slack: figures\n  ${figures.join('\n  ')}\nlandbot-slack: whole file ${Date.now() - t0} ms`);
	}, 60_000);

	// ------------------------------------------------------------ helpers

	const state = () => landbot.getCustomerState(cid);
	/** What the agents wrote, as the customer sees it in Landbot (the handoff greeting excluded). */
	const agentMessagesAtCustomer = () =>
		state().messages.filter((m) => m.author_type === 'agent' && m.message !== GREETING).map(landbotView);
	const thread = () => slack.getMessages(CHANNEL, rootTs);
	/** The app's posts in the thread after the root and the history: the relayed customer messages (and the handback note). */
	const botPostsInThread = () => thread().filter((m) => m.bot_id && m.ts !== rootTs).slice(1);
	const deliveriesOf = (ts: string) =>
		slack.getDeliveries().filter((d) => d.kind === 'event_callback' && d.body.event?.ts === ts);
	/** Waits until n8n ran no execution for a moment: every relay that was going to happen has happened. */
	const settle = async () => await settleAll(n8n, [landbot, slack]);

	// ------------------------------------------------------------ tests

	test('handoff start: a thread in the channel with the customer\'s name, id and bot history; the field holds its ts; the agent takes over', async () => {
		cid = landbot.createCustomer({ channel_id: channelId, name: 'Carla', email: 'carla@example.com' }).id as number;
		const history: Array<['bot' | 'customer', string]> = [
			['bot', 'Hi! I am the shop bot. How can I help?'],
			['customer', 'My parcel never arrived'],
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

		const top = slack.getMessages(CHANNEL);
		expect(top.map((m) => m.text)).toEqual([`Carla asks for a human agent (Landbot customer ${cid})`]);
		rootTs = top[0].ts;
		expect(top[0]).toMatchObject({ bot_id: slack.botId, user: BOT_USER });
		expect(thread().map((m) => m.text)).toEqual([
			top[0].text,
			['Conversation with the bot so far:', ...history.map(([who, text]) => `${who}: ${text}`)].join('\n'),
		]);
		expect(slack.ghostMessages(CHANNEL)).toEqual([]);
		// The thread's ts, as the exact string Slack gave (a number would have lost trailing zeros).
		expect(state().customer.custom_fields).toEqual({ [HANDOFF_FIELD]: rootTs });
		expect(state().agent_id).toBe(LANDBOT_AGENT_ID);
		expect(state().bot.active).toBe(false);
		// No n8n link appended (includeLinkToWorkflow: false).
		expect(slack.getCalls('chat.postMessage').every((c) => c.args.includeLinkToWorkflow === false)).toBe(true);
	});

	test(`${BURST} customer messages ${GAP_MS} ms apart, and ${BURST} agent thread replies ${GAP_MS} ms apart, under a CPU load (and ${BURST} more replies without): each arrives once; the customer's in order`, async () => {
		const load = startCpuLoad({ processes: os.cpus().length, duty: 0.7, maxMs: 120_000 });
		const started = Date.now();
		try {
			// ---- the customer writes: Landbot Trigger → Slack thread (one message has characters Slack must get escaped)
			const customerSent: string[] = [];
			for (let i = 1; i <= BURST; i++) {
				const text = i === 4 ? 'customer message 4: <!here> & <https://evil.example|your invoice>' : `customer message ${i}`;
				landbot.customerSays(cid, text);
				customerSent.push(text);
				await sleep(GAP_MS);
			}
			await waitUntil(`${BURST} customer messages in the thread`, () => botPostsInThread().length >= BURST, {
				timeoutMs: 90_000,
				describe: () => botPostsInThread().map((m) => m.text),
			});
			const customerRelayed = Date.now();

			// ---- the agent answers in the thread: Slack Trigger → Landbot. One reply carries a link as
			// Slack writes it and an escaped &, one is also sent to the channel (subtype thread_broadcast).
			const agentSent: string[] = [];
			const agentExpected: string[] = [];
			for (let i = 1; i <= BURST; i++) {
				if (i === 3) {
					slack.userPosts(CHANNEL, 'agent reply 3: see <https://shop.example.com/returns> &amp; thanks', { threadTs: rootTs });
					agentExpected.push('agent reply 3: see https://shop.example.com/returns & thanks');
				} else if (i === 6) {
					slack.userPosts(CHANNEL, 'agent reply 6 (also in the channel)', { threadTs: rootTs, replyBroadcast: true });
					agentExpected.push('agent reply 6 (also in the channel)');
				} else {
					slack.userPosts(CHANNEL, `agent reply ${i}`, { threadTs: rootTs });
					agentExpected.push(`agent reply ${i}`);
				}
				agentSent.push(agentExpected[agentExpected.length - 1]);
				await sleep(GAP_MS);
			}
			await waitUntil(`${BURST} agent replies at the customer`, () => agentMessagesAtCustomer().length >= BURST, {
				timeoutMs: 90_000,
				describe: agentMessagesAtCustomer,
			});
			const agentRelayed = Date.now();
			await load.stop();
			await settle();
			const atCustomerUnderLoad = agentMessagesAtCustomer();

			// The same burst again without the load, for the record.
			const quietSent = Array.from({ length: BURST }, (_, i) => `quiet agent reply ${i + 1}`);
			for (const text of quietSent) {
				slack.userPosts(CHANNEL, text, { threadTs: rootTs });
				await sleep(GAP_MS);
			}
			await waitUntil(`${BURST} more agent replies at the customer`, () => agentMessagesAtCustomer().length >= 2 * BURST, {
				timeoutMs: 60_000,
				describe: agentMessagesAtCustomer,
			});
			await settle();
			const quiet = agentMessagesAtCustomer().slice(BURST);
			// In order too: the Relay Guard lets one reply per thread out at a time, in Slack's order (ts).
			expect(quiet).toEqual(quietSent);

			// Once each, and the customer's in order (the Landbot Trigger sequences one conversation).
			expect(botPostsInThread().map((m) => m.text)).toEqual(customerSent.map(slackEscaped));
			const atCustomer = atCustomerUnderLoad;
			expect(atCustomer).toEqual(agentExpected);
			const outOfPlace = (got: string[], sent: string[]) => got.filter((text, i) => text !== sent[i]).length;
			const slackRetries = slack.getDeliveries().filter((d) => d.kind === 'event_callback' && d.retryNum !== undefined).length;
			figures.push(
				`burst under CPU load (${os.cpus().length} busy loops at 70%): ${BURST} customer messages relayed in ${customerRelayed - started} ms, in order; ` +
					`${BURST} agent replies in ${agentRelayed - customerRelayed} ms, ${outOfPlace(atCustomer, agentSent)} of ${BURST} out of place ` +
					`(${atCustomer.map((text) => text.replace(/^agent reply (\d+).*$/, '$1')).join(' ')}); ` +
					`without the load ${outOfPlace(quiet, quietSent)} of ${BURST} out of place (${quiet.map((text) => text.replace(/^quiet agent reply /, '')).join(' ')}); ` +
					`Slack retried ${slackRetries} event deliveries (n8n slower than 3 s to answer)`,
			);

			// Every agent reply was claimed with one reaction, so Slack shows the agent what went out.
			for (const m of thread().filter((m) => !m.bot_id)) {
				expect([m.text, m.reactions]).toEqual([m.text, [{ name: 'outbox_tray', users: [BOT_USER], count: 1 }]]);
			}
			// No echo: the app's own posts in the thread (history, the customer's messages) came back as
			// events, n8n's Slack Trigger dropped them (the bot user is ignored), none reached the customer.
			for (const post of thread().filter((m) => m.bot_id)) {
				expect(deliveriesOf(post.ts).map((d) => [d.status, JSON.parse(d.responseText ?? '{}').message])).toContainEqual([200, 'Webhook call received']);
			}
			expect(state().messages.filter((m) => m.author_type === 'agent').map(landbotView)).toEqual([GREETING, ...atCustomer, ...quiet]);
		} finally {
			await load.stop();
		}
	});

	test('a Slack retry of an agent reply is not relayed twice, sent after the relay or while the first copy still runs; a claim refused otherwise still relays', async () => {
		// After the relay: the retry Slack sends when it saw no answer within 3 s.
		const [firstReply] = thread().filter((m) => !m.bot_id);
		const [delivery] = deliveriesOf(firstReply.ts);
		await slack.simulateRetry(delivery.eventId!, 'http_timeout');
		// At the same time as the first copy (what a slow n8n gets: the retry arrives while it works).
		const reply = slack.userPosts(CHANNEL, 'agent reply sent twice at once', { threadTs: rootTs });
		const [original] = deliveriesOf(reply.ts);
		await slack.simulateRetry(original.eventId!, 'http_timeout');
		await waitUntil('the reply at the customer', () => agentMessagesAtCustomer().includes('agent reply sent twice at once'), { timeoutMs: 30_000 });
		await settle();

		const retried = slack.getDeliveries().filter((d) => [delivery.eventId, original.eventId].includes(d.eventId) && d.retryNum === 1);
		expect(retried.map((d) => d.status)).toEqual([200, 200]);
		const counts = agentMessagesAtCustomer().filter((text) => text === 'agent reply 1' || text === 'agent reply sent twice at once');
		expect(counts.sort()).toEqual(['agent reply 1', 'agent reply sent twice at once']);
		// The copies stopped at the Relay Guard (its Duplicate output) in this one n8n process: one claim
		// per message. The claim (Slack answers already_reacted to a second one) is what stops copies a
		// guard of another process would let through (queue mode, a restart).
		for (const ts of [firstReply.ts, reply.ts]) {
			const claims = slack.getCalls('reactions.add').filter((c) => String(c.args.timestamp) === ts);
			expect(claims.map((c) => c.error ?? 'ok')).toEqual(['ok']);
		}
		const retriedCopies = slack.getDeliveries().filter((d) => d.kind === 'event_callback' && d.retryNum !== undefined).length;
		const secondClaims = slack.getCalls('reactions.add').filter((c) => c.error === 'already_reacted').length;
		figures.push(`Slack retries of events, whole run so far: ${retriedCopies}; stopped by the claim (already_reacted): ${secondClaims}; relayed twice: 0`);

		// A claim Slack refuses for another reason (here its rate limit, 429): the reply goes out anyway.
		slack.setFaults({ rateLimit: { calls: 1, methods: ['reactions.add'] } });
		try {
			const limited = slack.userPosts(CHANNEL, 'agent reply while Slack rate-limits reactions', { threadTs: rootTs });
			await waitUntil('the rate-limited reply at the customer', () => agentMessagesAtCustomer().includes(limited.text), { timeoutMs: 30_000 });
			await settle();
			expect(agentMessagesAtCustomer().filter((text) => text === limited.text)).toHaveLength(1);
			const claims = slack.getCalls('reactions.add').filter((c) => String(c.args.timestamp) === limited.ts);
			expect(claims.map((c) => [c.status, c.error])).toEqual([[429, 'ratelimited']]);
		} finally {
			slack.setFaults({});
		}
	});

	test('a file shared in the thread reaches the customer as its link; replies in other threads are left alone', async () => {
		slack.userPosts(CHANNEL, 'Here is your return label', { threadTs: rootTs, files: [{ name: 'label.pdf', data: '%PDF-1.4 label' }] });
		// A colleague's question in the channel and an answer in its thread: no handoff, nothing relayed.
		const other = slack.userPosts(CHANNEL, 'Does anyone know the returns address?');
		slack.userPosts(CHANNEL, 'It is on the wiki', { threadTs: other.ts });
		await waitUntil('the file link at the customer', () => agentMessagesAtCustomer().some((m) => m.startsWith('Here is your return label')), {
			timeoutMs: 30_000,
			describe: agentMessagesAtCustomer,
		});
		await settle();
		const [file] = thread().find((m) => m.subtype === 'file_share')!.files;
		expect(agentMessagesAtCustomer().filter((m) => m.startsWith('Here is your return label'))).toEqual([`Here is your return label\n${file.url_private}`]);
		expect(agentMessagesAtCustomer()).not.toContain('It is on the wiki');
		expect(slack.getMessages(CHANNEL, other.ts).every((m) => !m.reactions)).toBe(true);
	});

	test('a reply Landbot refuses ends in a failed execution naming the thread and the reply, and the next reply goes out without waiting for the turn to time out', async () => {
		// 400 is not retried: the send fails at once, its error output ends the turn as failed.
		landbot.setFaults({ rate: 1, statuses: [400] });
		let refused: Record<string, any> = {};
		try {
			refused = slack.userPosts(CHANNEL, 'agent reply Landbot refuses', { threadTs: rootTs });
			await waitUntil('the failed execution', async () => (await n8n.executions({ includeData: false, status: 'error' })).length > 0, { timeoutMs: 30_000 });
		} finally {
			landbot.setFaults({ rate: 0 });
		}
		// Well inside the turn timeout (60 s): the failed relay gave its turn back.
		slack.userPosts(CHANNEL, 'agent reply after the refused one', { threadTs: rootTs });
		await waitUntil('the next reply at the customer', () => agentMessagesAtCustomer().includes('agent reply after the refused one'), { timeoutMs: 20_000 });
		expect(agentMessagesAtCustomer()).not.toContain('agent reply Landbot refuses');
		const [failed] = await n8n.executions({ status: 'error' });
		expect(failed.workflowId).toBe(n8n.workflowIds[2]);
		expect(JSON.stringify(failed.data.resultData.error)).toContain(`Agent reply ${refused.ts} in thread ${rootTs} was not relayed`);
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
		expect(state().customer.custom_fields).toEqual({ [HANDOFF_FIELD]: rootTs });

		const question = 'Hello? Are you still there?';
		const asked = Date.now();
		landbot.customerSays(cid, question);
		await waitUntil('the conversation to be assigned again', () => state().agent_id === LANDBOT_AGENT_ID, { timeoutMs: 30_000, describe: () => state().events.slice(-5) });
		const reassignedMs = Date.now() - asked;
		await waitUntil('the question in the thread', () => botPostsInThread().some((m) => m.text === question), { timeoutMs: 30_000 });
		const answer = 'Yes, still here: your parcel left the warehouse today.';
		slack.userPosts(CHANNEL, answer, { threadTs: rootTs });
		await waitUntil('the answer at the customer', () => agentMessagesAtCustomer().includes(answer), { timeoutMs: 30_000, describe: agentMessagesAtCustomer });
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
		const reassigns = (await n8n.executions({ workflowId: n8n.workflowIds[3], includeData: false })).filter((e) => Date.parse(e.startedAt) >= quietSince);
		expect(reassigns.map((e) => e.status)).toEqual(['success']);
		figures.push(
			`idle unassignment (Landbot ${IDLE_UNASSIGN_MS / 60_000} min ×${TIME_SCALE}) ${silentMs} ms into the silent test; ` +
				`template 4 assigned again ${reassignedMs} ms after the next customer message`,
		);
	});

	test('/done: the handoff field goes first, then unassign, then the bot resumes at the block; the thread says so and is closed', async () => {
		const before = Date.now();
		slack.userPosts(CHANNEL, ' /done', { threadTs: rootTs }); // Slack's message box needs the leading space
		await waitUntil('the bot to resume', () => state().bot.active, { timeoutMs: 30_000, describe: state });
		await waitUntil('the handback note in the thread', () => thread().some((m) => m.text === HANDED_BACK), { timeoutMs: 30_000 });
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
		expect(thread()[0].text).toBe(`Carla asks for a human agent (Landbot customer ${cid}) · handed back to the bot`);
		expect(thread().filter((m) => m.text === HANDED_BACK)).toHaveLength(1);

		// After the handback: a late reply in the closed thread is not relayed, nor is what the
		// customer says to the bot posted in Slack.
		const atCustomer = agentMessagesAtCustomer().length;
		const inThread = thread().length;
		slack.userPosts(CHANNEL, 'one more thing', { threadTs: rootTs });
		landbot.customerSays(cid, 'thanks, bot');
		await sleep(1_000);
		await settle();
		expect(agentMessagesAtCustomer()).toHaveLength(atCustomer);
		expect(thread()).toHaveLength(inThread + 1); // the agent's own late reply, nothing else
	});

	test('no other failed execution, no secret in the executions or the log, Slack reached only through the proxy', async () => {
		// Only the refused reply's (its test above).
		const failed = (await n8n.executions({ includeData: false })).filter((e) => e.status !== 'success');
		expect(failed.map((e) => `${e.workflowId} ${e.status}`)).toEqual([`${n8n.workflowIds[2]} error`]);
		const { leaks, scanned } = await findLeaks(n8n, {
			'Slack bot token': [SLACK_TOKEN],
			'Slack signing secret': [SLACK_SECRET],
			'Webhook block secret (X-Handoff-Secret)': [blockSecret],
			'Landbot API token': [LANDBOT_TOKEN],
			'Landbot MessageHook token': landbot.listHooks().map((h) => h.token),
			'another Slack secret (simulator)': slack.secrets(),
		});
		expect(leaks).toEqual([]);
		expect(scanned.executions).toBeGreaterThan(2 * BURST);
		// Every post of the relay landed in its thread: the thread's ts stayed a string all the way.
		expect(slack.ghostMessages(CHANNEL)).toEqual([]);
		const connects = proxy.log.filter((l) => l.kind === 'connect');
		expect(new Set(connects.map((l) => `${l.target} ${l.status}`))).toEqual(new Set(['slack.com:443 200']));
		expect(proxy.log.filter((l) => l.kind === 'http')).toEqual([]);
		const methods = [...new Set(slack.getCalls().map((c) => c.apiMethod))].sort();
		expect(methods).toEqual(['chat.postMessage', 'chat.update', 'conversations.replies', 'reactions.add']);
		figures.push(`Slack Web API methods the templates called: ${methods.join(', ')}; ${slack.getCalls().length} calls`);
	});
});

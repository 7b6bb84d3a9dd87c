/**
 * Botpress (Human in the Loop API) ↔ Slack, end to end: templates 22–23 imported unchanged (only
 * their placeholders filled) into a real n8n 2.40.7 with the packed package, published, and driven
 * through the Botpress simulator and the Slack simulator. The simulated bot is connected to template
 * 22's Botpress HITL Trigger as a bot builder does (endpointBaseUrl, saved with a /ping); n8n's own,
 * unmodified Slack node and Slack Trigger reach https://slack.com through the TLS proxy
 * (test/e2e/lib/tlsProxy.ts), and the Slack simulator delivers signed Events API requests to the
 * trigger, with Slack's retries. Assertions read what the Botpress user (the simulator's
 * conversation) and the agents (the Slack channel) would see.
 */
import * as os from 'os';

import type { BotpressSimulator } from '../fakes';
import { DEFAULT_AGENT, SlackSimulator } from '../fakes/slack';
import { USER_CANCELLED_LINE, botpressCredential, connectBotpress, startBotpress } from './lib/botpress';
import { findLeaks } from './lib/leaks';
import { startCpuLoad } from './lib/load';
import { N8nInstance, packPackage } from './lib/n8n';
import { settle as settleAll, sleep, waitUntil } from './lib/relay';
import { SLACK_PLACEHOLDERS, slackCredential, slackProxyEnv } from './lib/slack';
import { type Template, loadTemplate, webhookPath } from './lib/templates';
import { startTlsProxy } from './lib/tlsProxy';
import type { TlsProxy } from './lib/tlsProxy';

/** Slack's event retries (0, 1, 5 min) run 1000× faster. */
const SLACK_TIME_SCALE = 0.001;
const CHANNEL = 'C0SUPPORT2';
const BOT_USER = 'U0SIMBOT02';
const SLACK_TOKEN = 'xoxb-2000000003-3000000004-e2eBotpressSlack';
const SLACK_SECRET = 'e2e-botpress-slack-signing-secret';
const SECOND_AGENT = { id: 'U0SIMAGT02', name: 'bruno', realName: 'Bruno Agent' };
const FILES = { botpressToSlack: '22-botpress-to-slack.json', slackToBotpress: '23-slack-to-botpress.json' } as const;
const HANDED_BACK = 'Handed back to the bot.';
/** What the HITL plugin shows the Botpress user (the simulator's defaults). */
const ESCALATED = 'I have escalated this conversation to a human agent. They should be with you shortly.';
const AGENT_STOPPED = 'The human agent closed the conversation. I will continue assisting you.';
/** The simulator's close command (the plugin's userHitlCloseCommand). */
const CLOSE_COMMAND = '/end';
/** Messages each way in the burst, and the gap between two (faster than one relay takes). */
const BURST = 10;
const GAP_MS = 200;

/** Slack's escaping of text (https://docs.slack.dev/messaging/formatting-message-text#escaping). */
const slackEscaped = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const rootText = (title: string) => `A Botpress user asks for a human agent: ${slackEscaped(title)} (Botpress handoff)`;

describe('Botpress HITL ↔ Slack handoff through templates 22–23 in a real n8n', () => {
	let bp: BotpressSimulator;
	let slack: SlackSimulator;
	let proxy: TlsProxy;
	let n8n: N8nInstance;
	const t: Record<keyof typeof FILES, Template> = {} as never;
	const t0 = Date.now();

	// One user's handoffs run through the tests below, in order.
	let conversationId: string;
	let rootTs: string;
	const figures: string[] = [];

	beforeAll(async () => {
		bp = await startBotpress();
		slack = new SlackSimulator({ token: SLACK_TOKEN, signingSecret: SLACK_SECRET, botUserId: BOT_USER, timeScale: SLACK_TIME_SCALE });
		slack.addUser(SECOND_AGENT);
		slack.createChannel({ id: CHANNEL, name: 'support' });
		proxy = await startTlsProxy({ handlers: slack.hosts });

		t.botpressToSlack = loadTemplate(FILES.botpressToSlack, { [SLACK_PLACEHOLDERS.channelId]: CHANNEL });
		t.slackToBotpress = loadTemplate(FILES.slackToBotpress, { [SLACK_PLACEHOLDERS.channelId]: CHANNEL, [SLACK_PLACEHOLDERS.botUserId]: BOT_USER });

		n8n = await N8nInstance.start({
			tarball: await packPackage(),
			// n8n reaches slack.com through the proxy, the Botpress simulator (127.0.0.1) directly.
			env: slackProxyEnv(proxy),
			credentials: [slackCredential(slack), botpressCredential(bp)],
			workflows: [t.botpressToSlack, t.slackToBotpress],
		});
		const slackTrigger = webhookPath(t.slackToBotpress, 'Agent reply in Slack');
		await n8n.waitForWebhook(slackTrigger);
		await connectBotpress(n8n, bp, t.botpressToSlack);
		// The Slack app's Event Subscriptions: Slack saves the Request URL once it answers the challenge.
		await slack.setEventUrl(n8n.webhookUrl(slackTrigger));
		console.log(`botpress-slack: n8n up with templates 22–23 published, Botpress and Slack connected after ${Date.now() - t0} ms`);
	}, 240_000);

	afterAll(async () => {
		await n8n?.stop();
		await slack?.stop();
		await proxy?.stop();
		await bp?.stop();
		console.log(`botpress-slack: figures\n  ${figures.join('\n  ')}\nbotpress-slack: whole file ${Date.now() - t0} ms`);
	}, 60_000);

	// ------------------------------------------------------------ helpers

	const conversation = () => bp.getConversation(conversationId)!;
	/** What the agents wrote, as the Botpress user reads it. */
	const atUser = () => conversation().messages.filter((m) => m.role === 'agent');
	const thread = (ts = rootTs) => slack.getMessages(CHANNEL, ts);
	/** The app's posts in the thread after the root and the history: the relayed user messages. */
	const relayedToThread = (ts = rootTs) => thread(ts).filter((m) => m.bot_id && m.ts !== ts).slice(1);
	const deliveriesOf = (ts: string) => slack.getDeliveries().filter((d) => d.kind === 'event_callback' && d.body.event?.ts === ts);
	const agentCalls = () => bp.getWebhookCalls().filter((c) => c.path === '/message-from-agent');
	/** Waits until n8n ran no execution for a moment: every relay that was going to happen has happened. */
	const settle = async () => await settleAll(n8n, [slack]);

	// ------------------------------------------------------------ tests

	test('handoff start: Botpress gets the thread\'s ts as the ticket ID; the thread names the ticket and holds the bot history', async () => {
		conversationId = bp.startConversation({ name: 'Carla', email: 'carla@example.com' }).id;
		await bp.botSays(conversationId, 'Hi! I am the shop bot. How can I help?');
		await bp.userSays(conversationId, 'My parcel <never> arrived & I am upset');
		await bp.botSays(conversationId, 'Shall I get you a person?');
		const title = 'Carla · parcel <lost>';
		const started = Date.now();
		const ids = await bp.startHitl(conversationId, { title, description: 'Order 1234, paid by card' });
		figures.push(`handoff start: Botpress had its ticket ID (the thread posted, the history in it) after ${Date.now() - started} ms`);

		const top = slack.getMessages(CHANNEL);
		expect(top.map((m) => m.text)).toEqual([rootText(title)]);
		expect(top[0]).toMatchObject({ bot_id: slack.botId, user: BOT_USER });
		rootTs = top[0].ts;
		// The ticket ID Botpress keeps is Slack's ID of the thread, as the exact string Slack gave.
		expect(ids.remoteConversationId).toBe(rootTs);
		expect(conversation()).toMatchObject({ hitl: 'active', remoteConversationId: rootTs });
		expect(thread().map((m) => m.text)).toEqual([
			top[0].text,
			slackEscaped(
				[
					'Order 1234, paid by card',
					'Conversation with the bot so far:',
					'bot: Hi! I am the shop bot. How can I help?',
					'customer: My parcel <never> arrived & I am upset',
					'bot: Shall I get you a person?',
				].join('\n'),
			),
		]);
		// What the user sees: Botpress's own escalation message, nothing from n8n.
		expect(bp.transcript(conversationId).slice(-1)[0]).toBe(`bot: ${ESCALATED}`);
		expect(slack.ghostMessages(CHANNEL)).toEqual([]);
		// No n8n link appended (includeLinkToWorkflow: false).
		expect(slack.getCalls('chat.postMessage').every((c) => c.args.includeLinkToWorkflow === false)).toBe(true);
	});

	test(`${BURST} user messages ${GAP_MS} ms apart, then ${BURST} agent replies ${GAP_MS} ms apart, under a CPU load: each arrives once; Botpress is answered only once its message is in Slack`, async () => {
		const load = startCpuLoad({ processes: os.cpus().length, duty: 0.7, maxMs: 120_000 });
		const started = Date.now();
		try {
			// ---- the user writes: Botpress HITL Trigger → the thread (one message Slack must get escaped, one file, one image)
			const invoice = bp.hostMedia({ name: 'invoice.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.4 invoice') });
			const photo = bp.hostMedia({ name: 'parcel.png', contentType: 'image/png', data: Buffer.from('not really a png') });
			const expectedInThread: string[] = [];
			/** Whether the message was in the thread when Botpress got the answer to its call. */
			const inThreadAtAnswer: boolean[] = [];
			const calls: Array<Promise<unknown>> = [];
			const says = (payload: string | Record<string, unknown>, inThread: string) => {
				expectedInThread.push(inThread);
				calls.push(
					bp.userSays(conversationId, payload).then((call) => {
						inThreadAtAnswer.push(relayedToThread().some((m) => m.text === inThread));
						return call;
					}),
				);
			};
			// Sent 200 ms apart without waiting for the answers: a user typing faster than a relay takes.
			for (let i = 1; i <= BURST; i++) {
				if (i === 4) {
					const text = 'user message 4: <!here> & <https://evil.example|your invoice>';
					says(text, slackEscaped(text));
				} else if (i === 6) says({ fileUrl: invoice, title: 'invoice.pdf' }, `invoice.pdf\n${invoice}`);
				else if (i === 8) says({ imageUrl: photo }, photo);
				else says(`user message ${i}`, `user message ${i}`);
				await sleep(GAP_MS);
			}
			// Botpress hears back from each call once its message is in the thread.
			const answers = (await Promise.all(calls)) as Array<{ status: number | null; error?: string }>;
			expect(answers.map((a) => [a.status, a.error])).toEqual(Array(BURST).fill([200, undefined]));
			expect(inThreadAtAnswer).toEqual(Array(BURST).fill(true));
			const userRelayed = Date.now();

			// ---- the agents answer in the thread: Slack Trigger → Botpress. Two agents; one reply carries a
			// link as Slack writes it and an escaped &, one is also sent to the channel (thread_broadcast).
			const agentSent: Array<{ text: string; agent: string }> = [];
			for (let i = 1; i <= BURST; i++) {
				const agent = i % 3 === 0 ? SECOND_AGENT.id : DEFAULT_AGENT.id;
				if (i === 2) {
					slack.userPosts(CHANNEL, 'agent reply 2: see <https://shop.example.com/returns> &amp; thanks', { threadTs: rootTs, user: agent });
					agentSent.push({ text: 'agent reply 2: see https://shop.example.com/returns & thanks', agent });
				} else if (i === 5) {
					slack.userPosts(CHANNEL, 'agent reply 5 (also in the channel)', { threadTs: rootTs, user: agent, replyBroadcast: true });
					agentSent.push({ text: 'agent reply 5 (also in the channel)', agent });
				} else {
					slack.userPosts(CHANNEL, `agent reply ${i}`, { threadTs: rootTs, user: agent });
					agentSent.push({ text: `agent reply ${i}`, agent });
				}
				await sleep(GAP_MS);
			}
			await waitUntil(`${BURST} agent replies at the Botpress user`, () => atUser().length >= BURST, {
				timeoutMs: 90_000,
				describe: () => atUser().map((m) => m.text),
			});
			const agentRelayed = Date.now();
			await load.stop();
			await settle();

			// The user's messages: once each, escaped, files as their link. Their order is the order in which
			// n8n handed Botpress's calls to the trigger (they carry no time of their own): counted, not asserted.
			const inThread = relayedToThread().map((m) => m.text);
			expect([...inThread].sort()).toEqual([...expectedInThread].sort());
			const userOutOfPlace = inThread.filter((text, i) => text !== expectedInThread[i]).length;
			const userOrder = inThread.map((text) => expectedInThread.indexOf(text) + 1).join(' ');
			// The agents' replies: once each, as the agent who wrote them (Botpress shows the Slack member as the agent).
			const got = atUser().map((m) => ({ text: m.text, agent: m.agentId }));
			const byText = (a: { text: string }, b: { text: string }) => a.text.localeCompare(b.text);
			expect([...got].sort(byText)).toEqual([...agentSent].sort(byText));
			// In order too: the Relay Guard lets one reply per thread out at a time, in Slack's order (ts).
			expect(got).toEqual(agentSent);
			expect(conversation().assignedAgentId).toBe(got[0].agent);
			const outOfPlace = got.filter((m, i) => m.text !== agentSent[i].text).length;
			const slackRetries = slack.getDeliveries().filter((d) => d.kind === 'event_callback' && d.retryNum !== undefined).length;
			figures.push(
				`burst under CPU load (${os.cpus().length} busy loops at 70%): ${BURST} user messages in the thread ${userRelayed - started} ms after the first, ` +
					`${userOutOfPlace} of ${BURST} out of place (${userOrder}); ` +
					`${BURST} agent replies at the user ${agentRelayed - userRelayed} ms after the first, ${outOfPlace} of ${BURST} out of place ` +
					`(${got.map((m) => m.text.replace(/^agent reply (\d+).*$/, '$1')).join(' ')}); ` +
					`Slack retried ${slackRetries} event deliveries (n8n slower than 3 s to answer)`,
			);

			// Every agent reply was claimed with one reaction, so Slack shows the agents what went out.
			for (const m of thread().filter((m) => !m.bot_id)) {
				expect([m.text, m.reactions]).toEqual([m.text, [{ name: 'outbox_tray', users: [BOT_USER], count: 1 }]]);
			}
		} finally {
			await load.stop();
		}
	});

	test('the app\'s own posts come back as events and are not echoed to the Botpress user', async () => {
		const own = thread().filter((m) => m.bot_id);
		expect(own.length).toBe(2 + BURST); // root, history, the user's messages
		// Slack delivered every one of them to the Slack Trigger, which answered it…
		for (const post of own) {
			expect(deliveriesOf(post.ts).map((d) => d.status)).toContain(200);
		}
		// …and none of them became an agent message, nor was any claimed.
		const agentTexts = atUser().map((m) => m.text);
		for (const post of own) expect(agentTexts).not.toContain(post.text);
		expect(agentCalls()).toHaveLength(BURST);
		expect(own.every((m) => !m.reactions)).toBe(true);
	});

	test('a Slack retry of an agent reply is not relayed twice, sent after the relay or while the first copy still runs (the Relay Guard drops it)', async () => {
		const [firstReply] = thread().filter((m) => !m.bot_id);
		const [delivery] = deliveriesOf(firstReply.ts);
		await slack.simulateRetry(delivery.eventId!, 'http_timeout');
		const reply = slack.userPosts(CHANNEL, 'agent reply sent twice at once', { threadTs: rootTs });
		const [original] = deliveriesOf(reply.ts);
		await slack.simulateRetry(original.eventId!, 'http_timeout');
		await waitUntil('the reply at the user', () => atUser().some((m) => m.text === reply.text), { timeoutMs: 30_000 });
		await settle();

		const retried = slack.getDeliveries().filter((d) => [delivery.eventId, original.eventId].includes(d.eventId) && d.retryNum === 1);
		expect(retried.map((d) => d.status)).toEqual([200, 200]);
		const texts = atUser().map((m) => m.text);
		expect(texts.filter((text) => text === firstReply.text)).toHaveLength(1);
		expect(texts.filter((text) => text === reply.text)).toHaveLength(1);
		// The copies stopped at the Relay Guard (its Duplicate output) in this one n8n process: one claim per message.
		for (const ts of [firstReply.ts, reply.ts]) {
			const outcomes = slack.getCalls('reactions.add').filter((c) => String(c.args.timestamp) === ts).map((c) => c.error ?? 'ok');
			expect(outcomes).toEqual(['ok']);
		}
		const retries = slack.getDeliveries().filter((d) => d.kind === 'event_callback' && d.retryNum !== undefined).length;
		const stopped = slack.getCalls('reactions.add').filter((c) => c.error === 'already_reacted').length;
		figures.push(`Slack retries of events, whole run so far: ${retries}; stopped by the claim (already_reacted): ${stopped}; relayed twice: 0`);
	});

	test('/done: Botpress takes the conversation back, the thread says so and is closed; later replies stay in Slack', async () => {
		const root = thread()[0].text;
		slack.userPosts(CHANNEL, ' /done', { threadTs: rootTs }); // Slack's message box needs the leading space
		await waitUntil('the handback note in the thread', () => thread().some((m) => m.text === HANDED_BACK), { timeoutMs: 30_000 });
		await settle();

		expect(conversation()).toMatchObject({ hitl: 'stopped', endedBy: 'agent' });
		expect(bp.transcript(conversationId).slice(-1)[0]).toBe(`bot: ${AGENT_STOPPED}`);
		expect(atUser().map((m) => m.text)).not.toContain('/done');
		expect(bp.getWebhookCalls().filter((c) => c.path === '/stop-hitl').map((c) => [c.body, c.outcome])).toEqual([
			[{ remoteConversationId: rootTs }, 'stopped'],
		]);
		expect(thread()[0].text).toBe(`${root} · handed back to the bot`);
		expect(thread().filter((m) => m.text === HANDED_BACK)).toHaveLength(1);

		// After the handback: a late reply in the closed thread is not relayed, nor is what the user
		// then says to the bot posted in Slack.
		const calls = bp.getWebhookCalls().length;
		const inThread = thread().length;
		slack.userPosts(CHANNEL, 'one more thing', { threadTs: rootTs });
		await bp.userSays(conversationId, 'thanks, bot');
		await sleep(1_000);
		await settle();
		expect(bp.getWebhookCalls()).toHaveLength(calls);
		expect(thread()).toHaveLength(inThread + 1); // the agent's own late reply, nothing else
	});

	test('a second handoff opens a new thread; the user ending it shows in the thread, which is then closed', async () => {
		const ids = await bp.startHitl(conversationId, { title: 'Carla again' });
		const secondTs = ids.remoteConversationId;
		expect(secondTs).not.toBe(rootTs);
		expect(slack.getMessages(CHANNEL).map((m) => m.text)).toContain(rootText('Carla again'));
		expect(thread(secondTs)[0]).toMatchObject({ ts: secondTs, user: BOT_USER, text: rootText('Carla again') });

		await bp.userSays(conversationId, 'still there?');
		slack.userPosts(CHANNEL, 'yes, Bruno here', { threadTs: secondTs, user: SECOND_AGENT.id });
		await waitUntil('the reply at the user', () => atUser().some((m) => m.text === 'yes, Bruno here'), { timeoutMs: 30_000 });
		// The plugin's close command: the cancellation line goes to the agent (the thread), then the close.
		const close = (await bp.userSays(conversationId, CLOSE_COMMAND)) as { path: string; status: number };
		expect([close.path, close.status]).toEqual(['closeRemoteTicket', 200]);
		await waitUntil('the thread to be closed', () => thread(secondTs)[0].text.endsWith('· ended by the user'), {
			timeoutMs: 30_000,
			describe: () => thread(secondTs).map((m) => m.text),
		});
		await settle();

		expect(conversation()).toMatchObject({ hitl: 'stopped', endedBy: 'user', sessions: 2 });
		expect(relayedToThread(secondTs).map((m) => m.text)).toEqual(['still there?', slackEscaped(`bot: ${USER_CANCELLED_LINE}`)]);
		expect(thread(secondTs)[0].text).toBe(`${rootText('Carla again')} · ended by the user`);
		// The agents no longer reach the user from there.
		const calls = bp.getWebhookCalls().length;
		slack.userPosts(CHANNEL, 'are you still there?', { threadTs: secondTs });
		await sleep(1_000);
		await settle();
		expect(bp.getWebhookCalls()).toHaveLength(calls);
		expect(bp.getOrphans()).toEqual([]);
	});

	test('no failed execution, no secret in the executions or the log, Slack reached only through the proxy', async () => {
		const failed = (await n8n.executions({ includeData: false })).filter((e) => e.status !== 'success');
		expect(failed.map((e) => `${e.id} ${e.workflowId} ${e.status}`)).toEqual([]);
		const { leaks, scanned } = await findLeaks(n8n, {
			'Slack bot token': [slack.token],
			'Slack signing secret': [slack.signingSecret],
			'Botpress webhook ID (the integration\'s only secret)': [bp.webhookId],
			'another Slack secret (simulator)': slack.secrets(),
		});
		expect(leaks).toEqual([]);
		expect(scanned.executions).toBeGreaterThan(2 * BURST);
		// Every post landed in its thread: the thread's ts stayed a string all the way through Botpress.
		expect(slack.ghostMessages(CHANNEL)).toEqual([]);
		const connects = proxy.log.filter((l) => l.kind === 'connect');
		expect(new Set(connects.map((l) => `${l.target} ${l.status}`))).toEqual(new Set(['slack.com:443 200']));
		expect(proxy.log.filter((l) => l.kind === 'http')).toEqual([]);
		const methods = [...new Set(slack.getCalls().map((c) => c.apiMethod))].sort();
		expect(methods).toEqual(['chat.postMessage', 'chat.update', 'conversations.replies', 'reactions.add']);
		figures.push(`Slack Web API methods the templates called: ${methods.join(', ')}; ${slack.getCalls().length} calls`);
	});
});

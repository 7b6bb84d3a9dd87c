/**
 * Botpress (Human in the Loop API) ↔ Microsoft Teams, end to end: templates 27–28 imported unchanged
 * (only their placeholders filled) into a real n8n 2.40.7 with the packed package, published, and
 * driven through the Botpress simulator and the Microsoft Graph simulator. The simulated bot is
 * connected to template 27's Botpress HITL Trigger as a bot builder does (endpointBaseUrl at n8n's
 * public URL, saved with a /ping); n8n's own, unmodified Microsoft Teams node and Teams Trigger reach
 * https://graph.microsoft.com (and the token endpoint) through the TLS proxy (test/e2e/lib/tlsProxy.ts);
 * the trigger's subscription is validated by the simulator and notifications come with Graph's retries.
 *
 * n8n runs behind the public URL https://n8n.handoff.test/ (N8N_WEBHOOK_URL), as behind a
 * TLS-terminating reverse proxy: Graph only notifies https. Both simulators reach that URL as n8n's
 * plain-HTTP port (test/e2e/lib/teams.ts). Assertions read what the Botpress user (the simulator's
 * conversation) and the agents (the Teams channel) would see.
 */
import * as os from 'os';

import { BotpressSimulator } from '../fakes';
import type { BotpressSimulatorOptions } from '../fakes';
import { TEAMS_DEFAULT_AGENT as DEFAULT_AGENT, TeamsSimulator } from '../fakes/teams';
import { USER_CANCELLED_LINE, botpressCredential } from './lib/botpress';
import { findLeaks } from './lib/leaks';
import { startCpuLoad } from './lib/load';
import { N8nInstance, packPackage } from './lib/n8n';
import { settle as settleAll, sleep, waitUntil } from './lib/relay';
import { PUBLIC_URL, RoutedOutbox, TEAMS_PLACEHOLDERS, freePort, htmlEscaped, publicRoute, teamsCredential, teamsN8nEnv } from './lib/teams';
import { type Template, loadTemplate, nodeByName, webhookPath } from './lib/templates';
import { startTlsProxy } from './lib/tlsProxy';
import type { TlsProxy } from './lib/tlsProxy';

/** Graph's notification retries (1, 2, 4… min) run 1000× faster. */
const GRAPH_TIME_SCALE = 0.001;
const TEAM = '6a1e0c3b-2d4f-4b8a-9e7c-1f2a3b4c5d6e';
const CHANNEL = '19:4c7e2a9b1d0f4e3a8b6c5d2e1f0a9b8c@thread.tacv2';
const FILES = { botpressToTeams: '27-botpress-to-teams.json', teamsToBotpress: '28-teams-to-botpress.json' } as const;
const HANDED_BACK = 'Handed back to the bot.';
const ENDED_BY_USER = 'Ended by the user.';
/** What the HITL plugin shows the Botpress user (the simulator's defaults). */
const ESCALATED = 'I have escalated this conversation to a human agent. They should be with you shortly.';
const AGENT_STOPPED = 'The human agent closed the conversation. I will continue assisting you.';
/** The simulator's close command (the plugin's userHitlCloseCommand). */
const CLOSE_COMMAND = '/end';
/** Messages each way in the burst, and the gap between two (faster than one relay takes). */
const BURST = 10;
const GAP_MS = 200;

const rootHtml = (title: string) => `A Botpress user asks for a human agent: ${htmlEscaped(title)} (Botpress handoff)`;
const linkHtml = (url: string) => `<a href="${htmlEscaped(url)}">${htmlEscaped(url)}</a>`;

/** The Botpress simulator, calling the integration's endpointBaseUrl (n8n's public URL) through the route. */
class RoutedBotpress extends BotpressSimulator {
	constructor(options: BotpressSimulatorOptions, route: (url: string) => string) {
		super(options);
		this.outbox = new RoutedOutbox(route);
	}
}

describe('Botpress HITL ↔ Microsoft Teams handoff through templates 27–28 in a real n8n', () => {
	let bp: BotpressSimulator;
	let teams: TeamsSimulator;
	let proxy: TlsProxy;
	let n8n: N8nInstance;
	let botUser: string;
	const t: Record<keyof typeof FILES, Template> = {} as never;
	const t0 = Date.now();

	// One user's handoffs run through the tests below, in order.
	let conversationId: string;
	let rootId: string;
	const figures: string[] = [];

	beforeAll(async () => {
		const port = await freePort();
		const route = publicRoute(port);
		bp = await new RoutedBotpress({}, route).start();
		teams = new TeamsSimulator({ timeScale: GRAPH_TIME_SCALE, route });
		botUser = teams.credentialUser.id;
		teams.createTeam({ id: TEAM, displayName: 'Support' });
		teams.createChannel(TEAM, { id: CHANNEL, displayName: 'Botpress handoffs' });
		proxy = await startTlsProxy({ handlers: teams.hosts });

		const where = { [TEAMS_PLACEHOLDERS.teamId]: TEAM, [TEAMS_PLACEHOLDERS.channelId]: CHANNEL };
		t.botpressToTeams = loadTemplate(FILES.botpressToTeams, where);
		t.teamsToBotpress = loadTemplate(FILES.teamsToBotpress, { ...where, [TEAMS_PLACEHOLDERS.botUserId]: botUser });

		n8n = await N8nInstance.start({
			port,
			tarball: await packPackage(),
			// n8n reaches Graph through the proxy, the Botpress simulator (127.0.0.1) directly.
			env: teamsN8nEnv(proxy),
			credentials: [teamsCredential(teams), botpressCredential(bp)],
			workflows: [t.botpressToTeams, t.teamsToBotpress],
		});
		const botpressBase = nodeByName(t.botpressToTeams, 'Botpress HITL').webhookId!;
		await Promise.all([n8n.waitForWebhook(`${botpressBase}/ping`), n8n.waitForWebhook(webhookPath(t.teamsToBotpress, 'Agent reply in Teams'))]);
		// The bot builder saves the integration's endpointBaseUrl, n8n's public URL: Botpress pings it.
		const endpointBaseUrl = `${PUBLIC_URL}/webhook/${botpressBase}`;
		await waitUntil(`Botpress to save endpointBaseUrl ${endpointBaseUrl}`, () => bp.configure(endpointBaseUrl).then(() => true, () => false), {
			timeoutMs: 60_000,
			pollMs: 250,
		});
		// The Teams Trigger's subscription: created only once n8n echoed Graph's validation token.
		await waitUntil('the Graph subscription of the Teams Trigger', () => teams.getSubscriptions().length === 1, { timeoutMs: 60_000, describe: () => teams.getDeliveries() });
		console.log(`botpress-teams: n8n up with templates 27–28 published, Botpress and Graph connected after ${Date.now() - t0} ms`);
	}, 240_000);

	afterAll(async () => {
		await n8n?.stop();
		await teams?.stop();
		await proxy?.stop();
		await bp?.stop();
		console.log(`botpress-teams: figures\n  ${figures.join('\n  ')}\nbotpress-teams: whole file ${Date.now() - t0} ms`);
	}, 60_000);

	// ------------------------------------------------------------ helpers

	const conversation = () => bp.getConversation(conversationId)!;
	/** What the agents wrote, as the Botpress user reads it. */
	const atUser = () => conversation().messages.filter((m) => m.role === 'agent');
	const replies = (root = rootId) => teams.getReplies(root);
	/** The relay's replies after the history: the relayed user and bot messages (and the closing notes). */
	const relayedToThread = (root = rootId) => replies(root).filter((m) => m.from.user.id === botUser).slice(1);
	const agentReplies = (root = rootId) => replies(root).filter((m) => m.from.user.id !== botUser);
	const notificationsOf = (messageId: string) => teams.getDeliveries().filter((d) => d.kind === 'notification' && d.messageId === messageId);
	const agentCalls = () => bp.getWebhookCalls().filter((c) => c.path === '/message-from-agent');
	/** Waits until n8n ran no execution for a moment: every relay that was going to happen has happened. */
	const settle = async () => await settleAll(n8n, [teams]);

	// ------------------------------------------------------------ tests

	test('handoff start: Botpress gets the Teams message ID as the ticket ID; the thread names the ticket and holds the bot history', async () => {
		conversationId = bp.startConversation({ name: 'Carla', email: 'carla@example.com' }).id;
		await bp.botSays(conversationId, 'Hi! I am the shop bot. How can I help?');
		await bp.userSays(conversationId, 'My parcel <never> arrived & I am "upset"');
		await bp.botSays(conversationId, 'Shall I get you a person?');
		const title = 'Carla · parcel <lost>';
		const started = Date.now();
		const ids = await bp.startHitl(conversationId, { title, description: 'Order 1234, paid by card' });
		figures.push(`handoff start: Botpress had its ticket ID (the thread posted, the history in it) after ${Date.now() - started} ms`);

		const top = teams.getMessages(TEAM, CHANNEL);
		expect(top.map((m) => m.body)).toEqual([{ contentType: 'html', content: rootHtml(title) }]);
		expect(top[0].from.user.id).toBe(botUser);
		rootId = top[0].id;
		// The ticket ID Botpress keeps is Teams' ID of the thread's first message, as a string.
		expect(ids.remoteConversationId).toBe(rootId);
		expect(conversation()).toMatchObject({ hitl: 'active', remoteConversationId: rootId });
		expect(replies().map((m) => m.body)).toEqual([
			{
				contentType: 'html',
				content: htmlEscaped(
					[
						'Order 1234, paid by card',
						'Conversation with the bot so far:',
						'bot: Hi! I am the shop bot. How can I help?',
						'customer: My parcel <never> arrived & I am "upset"',
						'bot: Shall I get you a person?',
					].join('\n'),
				),
			},
		]);
		// What the user sees: Botpress's own escalation message, nothing from n8n.
		expect(bp.transcript(conversationId).slice(-1)[0]).toBe(`bot: ${ESCALATED}`);
		// No n8n link appended (includeLinkToWorkflow: false).
		const posts = teams.getCalls({ method: 'POST', path: /\/messages/ });
		expect(posts.map((c) => JSON.stringify(c.body).includes('Powered by'))).toEqual([false, false]);
	});

	test(`${BURST} user messages ${GAP_MS} ms apart, then ${BURST} agent replies ${GAP_MS} ms apart, under a CPU load: each arrives once, the agents' in order; Botpress is answered only once its message is in Teams`, async () => {
		const load = startCpuLoad({ processes: os.cpus().length, duty: 0.7, maxMs: 120_000 });
		const started = Date.now();
		try {
			// ---- the user writes: Botpress HITL Trigger → the thread (one message HTML must get escaped, one file, one image)
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
						inThreadAtAnswer.push(relayedToThread().some((m) => m.body.content === inThread));
						return call;
					}),
				);
			};
			// Sent 200 ms apart without waiting for the answers: a user typing faster than a relay takes.
			for (let i = 1; i <= BURST; i++) {
				if (i === 4) {
					const text = 'user message 4: <b>not bold</b> & <a href="https://evil.example">your invoice</a>\nsecond line';
					says(text, htmlEscaped(text));
				} else if (i === 6) says({ fileUrl: invoice, title: 'invoice.pdf' }, `invoice.pdf<br>${linkHtml(invoice)}`);
				else if (i === 8) says({ imageUrl: photo }, linkHtml(photo));
				else says(`user message ${i}`, `user message ${i}`);
				await sleep(GAP_MS);
			}
			// Botpress hears back from each call once its message is in the thread.
			const answers = (await Promise.all(calls)) as Array<{ status: number | null; error?: string }>;
			expect(answers.map((a) => [a.status, a.error])).toEqual(Array(BURST).fill([200, undefined]));
			expect(inThreadAtAnswer).toEqual(Array(BURST).fill(true));
			const userRelayed = Date.now();

			// ---- the agents answer in the thread: Teams Trigger → Botpress. Two agents; one reply has links and
			// an entity as the Teams client writes them, one two lines.
			const colleague = teams.addUser({ displayName: 'Bruno Agent' });
			teams.addMember(TEAM, colleague.id);
			const agentSent: Array<{ text: string; agent: string }> = [];
			for (let i = 1; i <= BURST; i++) {
				const agent = i % 3 === 0 ? colleague.id : DEFAULT_AGENT.id;
				if (i === 2) {
					teams.userPosts(TEAM, CHANNEL, {
						replyTo: rootId,
						user: agent,
						html: '<p>agent reply 2: see <a href="https://shop.example.com/returns">https://shop.example.com/returns</a> &amp; <a href="https://shop.example.com/faq">our FAQ</a></p>',
					});
					agentSent.push({ text: 'agent reply 2: see https://shop.example.com/returns & our FAQ (https://shop.example.com/faq)', agent });
				} else if (i === 5) {
					teams.agentReplies(rootId, 'agent reply 5\nwith a second line', { user: agent });
					agentSent.push({ text: 'agent reply 5\nwith a second line', agent });
				} else {
					teams.agentReplies(rootId, `agent reply ${i}`, { user: agent });
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
			const inThread = relayedToThread().map((m) => m.body.content as string);
			expect(relayedToThread().every((m) => m.body.contentType === 'html')).toBe(true);
			expect([...inThread].sort()).toEqual([...expectedInThread].sort());
			const userOutOfPlace = inThread.filter((content, i) => content !== expectedInThread[i]).length;
			const userOrder = inThread.map((content) => expectedInThread.indexOf(content) + 1).join(' ');
			// The agents' replies: once each, as the agent who wrote them (Botpress shows the Azure AD user as the agent).
			const got = atUser().map((m) => ({ text: m.text, agent: m.agentId }));
			const byText = (a: { text: string }, b: { text: string }) => a.text.localeCompare(b.text);
			expect([...got].sort(byText)).toEqual([...agentSent].sort(byText));
			const outOfPlace = got.filter((m, i) => m.text !== agentSent[i].text).length;
			const graphRetries = teams.getDeliveries().filter((d) => d.kind === 'notification' && d.attempt > 1).length;
			figures.push(
				`burst under CPU load (${os.cpus().length} busy loops at 70%): ${BURST} user messages in the thread ${userRelayed - started} ms after the first, ` +
					`${userOutOfPlace} of ${BURST} out of place (${userOrder}); ` +
					`${BURST} agent replies at the user ${agentRelayed - userRelayed} ms after the first, ${outOfPlace} of ${BURST} out of place ` +
					`(${got.map((m) => m.text.replace(/^agent reply (\d+)[\s\S]*$/, '$1')).join(' ')}); ` +
					`Graph retried ${graphRetries} notifications (n8n slower than 3 s to answer)`,
			);
			// In order too: the Relay Guard lets one reply per thread out at a time, in Teams' order (createdDateTime).
			expect(got).toEqual(agentSent);
			expect(conversation().assignedAgentId).toBe(DEFAULT_AGENT.id);
		} finally {
			await load.stop();
		}
	});

	test('the relay\'s own posts come back as notifications and are not echoed to the Botpress user', async () => {
		const own = replies().filter((m) => m.from.user.id === botUser);
		expect(own.length).toBe(1 + BURST); // the history, the user's messages
		// Graph notified the Teams Trigger of every one of them, and n8n answered it…
		for (const post of own) {
			expect(notificationsOf(post.id).map((d) => d.status)).toContain(200);
		}
		// …and none of them became an agent message.
		expect(agentCalls()).toHaveLength(BURST);
		const relayed = new Set(agentCalls().map((c) => JSON.stringify((c.body as { payload?: unknown }).payload)));
		expect(relayed.size).toBe(BURST);
		expect(atUser().filter((m) => /^user message|^Conversation with the bot|^Order 1234|invoice\.pdf|parcel\.png/.test(m.text))).toEqual([]);
	});

	test('a Graph retry of an agent reply is not relayed twice, sent after the relay or while the first copy runs (the Relay Guard drops it)', async () => {
		// After the relay: the copy Graph sends when it saw no 2xx within 3 s.
		const [first] = agentReplies();
		const retry = await teams.simulateRetry(first.id);
		expect([retry.forced, retry.status]).toEqual([true, 200]);
		// At the same time as the first copy (what a slow n8n gets: the retry arrives while it works).
		const twice = teams.agentReplies(rootId, 'agent reply sent twice at once');
		await waitUntil('the first notification of it', () => notificationsOf(twice.id).some((d) => d.status !== null), { timeoutMs: 10_000 });
		await teams.simulateRetry(twice.id);
		await waitUntil('the reply at the user', () => atUser().some((m) => m.text === 'agent reply sent twice at once'), { timeoutMs: 30_000 });
		await settle();

		const texts = atUser().map((m) => m.text);
		expect(texts.filter((text) => text === 'agent reply 1')).toHaveLength(1);
		expect(texts.filter((text) => text === 'agent reply sent twice at once')).toHaveLength(1);
		expect([first.id, twice.id].map((id) => notificationsOf(id).map((d) => d.status))).toEqual([
			[200, 200],
			[200, 200],
		]);
		expect(agentCalls()).toHaveLength(BURST + 1);
		figures.push('Graph retries of 2 relayed notifications (one after the relay, one while the first copy ran): relayed twice 0');
	});

	test('/done: Botpress takes the conversation back, the thread says so once and is closed; later replies stay in Teams', async () => {
		teams.agentReplies(rootId, ' /done'); // the leading space a Teams client may need to send "/…" as text
		await waitUntil('the handback note in the thread', () => replies().some((m) => m.body.content === HANDED_BACK), { timeoutMs: 30_000 });
		await settle();

		expect(conversation()).toMatchObject({ hitl: 'stopped', endedBy: 'agent' });
		expect(bp.transcript(conversationId).slice(-1)[0]).toBe(`bot: ${AGENT_STOPPED}`);
		expect(atUser().map((m) => m.text)).not.toContain('/done');
		expect(bp.getWebhookCalls().filter((c) => c.path === '/stop-hitl').map((c) => [c.body, c.outcome])).toEqual([
			[{ remoteConversationId: rootId }, 'stopped'],
		]);
		expect(replies().filter((m) => m.body.content === HANDED_BACK).map((m) => m.from.user.id)).toEqual([botUser]);

		// After the handback: a late reply in the closed thread is not relayed, nor is what the user
		// then says to the bot posted in Teams.
		const calls = bp.getWebhookCalls().length;
		const inThread = replies().length;
		teams.agentReplies(rootId, 'one more thing');
		await bp.userSays(conversationId, 'thanks, bot');
		await sleep(1_000);
		await settle();
		expect(bp.getWebhookCalls()).toHaveLength(calls);
		expect(replies()).toHaveLength(inThread + 1); // the agent's own late reply, nothing else
	});

	test('a second handoff opens a new thread; the user ending it shows in the thread, which is then closed', async () => {
		const ids = await bp.startHitl(conversationId, { title: 'Carla again' });
		const secondId = ids.remoteConversationId;
		expect(secondId).not.toBe(rootId);
		expect(teams.getMessages(TEAM, CHANNEL).map((m) => [m.id, m.body.content])).toEqual([
			[rootId, rootHtml('Carla · parcel <lost>')],
			[secondId, rootHtml('Carla again')],
		]);

		await bp.userSays(conversationId, 'still there?');
		const bruno = teams.addUser({ displayName: 'Bruno Second' });
		teams.addMember(TEAM, bruno.id);
		teams.agentReplies(secondId, 'yes, Bruno here', { user: bruno.id });
		await waitUntil('the reply at the user', () => atUser().some((m) => m.text === 'yes, Bruno here'), { timeoutMs: 30_000 });
		expect(atUser().find((m) => m.text === 'yes, Bruno here')!.agentId).toBe(bruno.id);
		// The plugin's close command: the cancellation line goes to the agent (the thread), then the close.
		const close = (await bp.userSays(conversationId, CLOSE_COMMAND)) as { path: string; status: number };
		expect([close.path, close.status]).toEqual(['closeRemoteTicket', 200]);
		await waitUntil('the thread to be closed', () => replies(secondId).some((m) => m.body.content === ENDED_BY_USER), {
			timeoutMs: 30_000,
			describe: () => replies(secondId).map((m) => m.body.content),
		});
		await settle();

		expect(conversation()).toMatchObject({ hitl: 'stopped', endedBy: 'user', sessions: 2 });
		expect(relayedToThread(secondId).map((m) => m.body.content)).toEqual(['still there?', htmlEscaped(`bot: ${USER_CANCELLED_LINE}`), ENDED_BY_USER]);
		// The agents no longer reach the user from there.
		const calls = bp.getWebhookCalls().length;
		teams.agentReplies(secondId, 'are you still there?');
		await sleep(1_000);
		await settle();
		expect(bp.getWebhookCalls()).toHaveLength(calls);
		expect(bp.getOrphans()).toEqual([]);
	});

	test('no failed execution, no secret in the executions or the log, only Microsoft hosts through the proxy', async () => {
		const failed = (await n8n.executions({ includeData: false })).filter((e) => e.status !== 'success');
		expect(failed.map((e) => `${e.id} ${e.workflowId} ${e.status}`)).toEqual([]);
		const { leaks, scanned } = await findLeaks(n8n, {
			'Graph secrets (client secret, tokens, clientState)': teams.secrets(),
			'Botpress webhook ID (the integration\'s only secret)': [bp.webhookId],
		});
		expect(leaks).toEqual([]);
		expect(scanned.executions).toBeGreaterThan(2 * BURST);
		const connects = proxy.log.filter((l) => l.kind === 'connect').map((l) => `${l.target} ${l.status}`);
		expect(connects).toContain('graph.microsoft.com:443 200');
		expect(connects.filter((c) => !['graph.microsoft.com:443 200', 'login.microsoftonline.com:443 200'].includes(c))).toEqual([]);
		expect(proxy.log.filter((l) => l.kind === 'http')).toEqual([]);
		const graphCalls = teams.getCalls({ host: 'graph.microsoft.com' });
		const shapes = [
			...new Set(
				graphCalls.map(
					(c) =>
						`${c.method} /${c.version}${c.path.replace(TEAM, '{team}').replace(CHANNEL, '{channel}').replace(/\/\d{13}/g, '/{id}').replace(/\/subscriptions\/[0-9a-f-]{36}/, '/subscriptions/{id}')}`,
				),
			),
		].sort();
		figures.push(`Graph calls the templates made: ${graphCalls.length} (${shapes.join(', ')})`);
	});
});

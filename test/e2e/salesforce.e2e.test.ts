/**
 * Landbot ↔ Salesforce Live Agent handoff, end to end: templates 14 (handoff + polling loop) and 15
 * (customer messages → Send Message) imported unchanged (only their placeholders filled) into a real
 * n8n with the packed package, published, and driven through the Landbot and Live Agent simulators.
 * Assertions read what the customer sees (the Landbot conversation) and what the agent sees (the
 * Live Agent chat transcript and pre-chat details), plus the long polls n8n made.
 *
 * n8n runs at its default concurrency: the Landbot Trigger relays one customer's messages one at a time,
 * which template 15's read-send-write of the sequence needs. The polling loop is a sub-execution;
 * it does not hold up the customer's messages.
 * And with EXECUTIONS_TIMEOUT=8 s: the chat lasts longer, and template 14's own timeout setting (off)
 * keeps the loop running.
 */
import type { SalesforceLiveAgentSimulator } from '../fakes';
import { N8nInstance, packPackage } from './lib/n8n';
import {
	HEADER_SECRET_NAME,
	LANDBOT_AGENT_ID,
	type Platforms,
	headerSecretCredential,
	landbotCredential,
	landbotView,
	sleep,
	startPlatforms,
	waitForLandbotTrigger,
	waitUntil,
} from './lib/relay';
import {
	SALESFORCE_TEMPLATE_FILES,
	SESSION_FIELD,
	pollsOf,
	postsOf,
	prechatDetails,
	salesforceCredential,
	sessionForCustomer,
	startSalesforce,
} from './lib/salesforce';
import { PLACEHOLDERS, TEMPLATE_CREDENTIALS, type Template, loadTemplate, webhookPath } from './lib/templates';

/** Landbot's hook retries and idle unassignment run 20× faster. */
const TIME_SCALE = 0.05;
/** How long the Live Agent simulator holds a poll without news before its 204 (Salesforce: tens of seconds). */
const POLL_TIMEOUT_MS = 1_500;
/** A global execution timeout shorter than the chat: the loop must not be stopped by it. */
const EXECUTIONS_TIMEOUT_S = 8;
const BOT_ID = '777';
const RESUME_BLOCK = 'Nresume42';
const GREETING = 'An agent will be with you shortly.';
const NO_AGENT = 'Sorry, no agent is available right now. The bot will help you again.';
const CONNECTION_LOST = 'Sorry, we lost the connection to our agents. The bot will help you again.';

describe('Landbot ↔ Salesforce Live Agent through templates 14–15 in a real n8n', () => {
	let p: Platforms;
	let sf: SalesforceLiveAgentSimulator;
	let n8n: N8nInstance;
	let blockSecret: string;
	let handoff: Template;
	let customerToAgent: Template;
	const t0 = Date.now();

	beforeAll(async () => {
		p = await startPlatforms({ timeScale: TIME_SCALE });
		// Salesforce ends a session nobody polls "after a system timeout": 15 s here, so a loop that
		// stalls between polls would be noticed.
		sf = await startSalesforce({ pollTimeoutMs: POLL_TIMEOUT_MS, sessionTimeoutMs: 15_000 });
		handoff = loadTemplate(SALESFORCE_TEMPLATE_FILES.handoff, {
			[PLACEHOLDERS.landbotBotId]: BOT_ID,
			[PLACEHOLDERS.landbotBlockId]: RESUME_BLOCK,
		});
		customerToAgent = loadTemplate(SALESFORCE_TEMPLATE_FILES.customerToAgent, {
			[PLACEHOLDERS.landbotChannelId]: String(p.channelId),
		});
		const block = headerSecretCredential(TEMPLATE_CREDENTIALS.landbotWebhookBlock);
		blockSecret = block.value;

		n8n = await N8nInstance.start({
			tarball: await packPackage(),
			credentials: [landbotCredential(p), salesforceCredential(sf), block.credential],
			workflows: [handoff, customerToAgent],
			env: { EXECUTIONS_TIMEOUT: String(EXECUTIONS_TIMEOUT_S) },
		});
		await Promise.all([
			n8n.waitForWebhook(webhookPath(handoff, 'Handoff requested')),
			waitForLandbotTrigger(n8n, p, webhookPath(customerToAgent, 'Customer message in a Live Agent chat')),
		]);
		console.log(`salesforce: n8n up with templates 14 and 15 published, trigger live after ${Date.now() - t0} ms`);
	}, 240_000);

	afterAll(async () => {
		await n8n?.stop();
		await Promise.all([p?.stop(), sf?.stop()]);
		console.log(`salesforce: whole file ${Date.now() - t0} ms`);
	}, 60_000);

	// ------------------------------------------------------------ helpers

	const state = (cid: number) => p.landbot.getCustomerState(cid);
	const fields = (cid: number) => state(cid).customer.custom_fields as Record<string, unknown>;
	const landbotMessages = (cid: number, author?: 'user' | 'agent' | 'bot' | 'sys') =>
		state(cid).messages.filter((m) => author === undefined || m.author_type === author);
	/** What the agent's texts look like to the customer (the handoff greeting excluded). */
	const relayedAgentMessages = (cid: number) => landbotMessages(cid, 'agent').filter((m) => m.message !== GREETING);
	/** What the customer wrote, as the agent sees it in the Live Agent chat. */
	const visitorMessages = (sessionId: string) => sf.transcript(sessionId).filter((e) => e.from === 'visitor');

	function newCustomer(name: string) {
		return p.landbot.createCustomer({ channel_id: p.channelId, name, email: `${name.toLowerCase()}@example.com` }).id as number;
	}

	/** A bot conversation, one message a second (Landbot's transcript times have one-second resolution). */
	async function botConversation(cid: number, lines: Array<['bot' | 'customer', string]>) {
		for (const [who, text] of lines) {
			if (who === 'bot') p.landbot.botSays(cid, text);
			else p.landbot.customerSays(cid, text);
			await sleep(1_050);
		}
	}

	/** The bot's Webhook block calls template 14; resolves with the Live Agent session once the customer has the greeting. */
	async function startHandoff(cid: number) {
		const call = await p.landbot.webhookBlock(cid, {
			url: n8n.webhookUrl(webhookPath(handoff, 'Handoff requested')),
			headers: { [HEADER_SECRET_NAME]: blockSecret },
			body: { customer_id: '@id', name: '@name', email: '@email' },
		});
		expect(call.status).toBe(200);
		await waitUntil(`the handoff greeting for customer ${cid}`, () => landbotMessages(cid, 'agent').some((m) => m.message === GREETING), {
			timeoutMs: 60_000,
			describe: () => state(cid),
		});
		return waitUntil(`a Live Agent session for customer ${cid}`, () => sessionForCustomer(sf, cid));
	}

	/** The loop's executions of template 14 (sub-executions, mode "integrated"), with their status. */
	async function loopExecutions() {
		const all = await n8n.executions({ workflowId: n8n.workflowIds[0], includeData: false });
		return all.filter((e) => e.mode === 'integrated');
	}

	async function waitForBackToBot(cid: number) {
		await waitUntil('the bot to resume', () => state(cid).bot.active, { timeoutMs: 30_000, describe: () => state(cid) });
		await p.landbot.idle(30_000);
	}

	// ------------------------------------------------------------ tests

	test('a whole chat: transcript to the agent, messages both ways once and in order, loop ends with the chat, back to the bot', async () => {
		const started = Date.now();
		const cid = newCustomer('Carla');
		const history: Array<['bot' | 'customer', string]> = [
			['bot', 'Hi! I am the shop bot. How can I help?'],
			['customer', 'My parcel never arrived'],
			['bot', 'Sorry to hear that. Shall I get you a person?'],
			['customer', 'Yes please'],
		];
		await botConversation(cid, history);
		const session = await startHandoff(cid);

		// ---- the chat is requested with the transcript and the customer's details
		expect(session.state).toBe('queued');
		expect(session.visitorName).toBe('Carla');
		const details = prechatDetails(session);
		expect(details.map((d) => d.label)).toEqual(['E-mail Address', 'Landbot Customer ID', 'Bot Transcript']);
		expect(details[0].value).toBe('carla@example.com');
		expect(details.find((d) => d.label === 'Bot Transcript')).toMatchObject({
			displayToAgent: true,
			value: history.map(([who, text]) => `${who === 'bot' ? 'Bot' : 'Customer'}: ${text}`).join('\n'),
		});
		// The session lives in the customer field, with the next sequence after ChasitorInit (1).
		expect(state(cid).customer.custom_fields).toEqual({
			[SESSION_FIELD]: expect.objectContaining({ id: session.id, key: session.key, affinityToken: session.affinityToken, sequence: 2 }),
		});
		expect(state(cid).agent_id).toBe(LANDBOT_AGENT_ID);
		expect(state(cid).bot.active).toBe(false);
		const handedOff = Date.now();

		// ---- the customer writes while the chat waits in the queue; then an agent accepts
		const customerSent: string[] = [];
		const agentSent: string[] = [];
		p.landbot.customerSays(cid, 'Is anybody there?');
		customerSent.push('Is anybody there?');
		await waitUntil('the queued message at Live Agent', () => visitorMessages(session.id).length === 1, {
			describe: () => sf.getSession(session.id),
		});
		sf.agentAccepts(session.id, { name: 'Sam Agent' });

		// ---- ten messages each way, interleaved, an image from the customer (Live Agent carries text only)
		const image = 'https://cdn.example.com/uploads/damaged-box.jpg';
		for (let i = 1; i <= 10; i++) {
			if (i === 4) {
				p.landbot.customerSays(cid, { image, caption: 'This is the box' });
				customerSent.push(`This is the box\n${image}`);
			} else {
				p.landbot.customerSays(cid, `customer message ${i}`);
				customerSent.push(`customer message ${i}`);
			}
			await sleep(250);
			sf.agentSays(session.id, `agent message ${i}`);
			agentSent.push(`agent message ${i}`);
			await sleep(250);
		}
		// ---- bursts: five customer messages 30 ms apart (each one needs the sequence the previous one
		// wrote back) and five agent messages 20 ms apart (several of them in one poll)
		for (let i = 1; i <= 5; i++) {
			p.landbot.customerSays(cid, `quick customer ${i}`);
			customerSent.push(`quick customer ${i}`);
			await sleep(30);
		}
		for (let i = 1; i <= 5; i++) {
			sf.agentSays(session.id, `quick agent ${i}`);
			agentSent.push(`quick agent ${i}`);
			await sleep(20);
		}
		const waitForAll = (what: string) =>
			waitUntil(
				what,
				() => visitorMessages(session.id).length >= customerSent.length && relayedAgentMessages(cid).length >= agentSent.length,
				{
					timeoutMs: 60_000,
					describe: () => ({
						toAgent: visitorMessages(session.id).map((e) => e.text),
						toCustomer: relayedAgentMessages(cid).map(landbotView),
					}),
				},
			);
		await waitForAll('every message on the other side');

		// ---- a quiet moment longer than Live Agent's poll timeout (204s), then one more each way
		await sleep(POLL_TIMEOUT_MS * 2 + 500);
		sf.agentSays(session.id, 'Anything else?');
		agentSent.push('Anything else?');
		await sleep(300);
		p.landbot.customerSays(cid, 'No, thanks!');
		customerSent.push('No, thanks!');
		await waitForAll('the last two messages');
		const relayed = Date.now();
		// Late duplicates would come from retried deliveries: let every retry window pass.
		await p.landbot.idle(30_000);
		await sleep(1_500);

		expect({
			toAgent: visitorMessages(session.id).map((e) => e.text),
			toCustomer: relayedAgentMessages(cid).map(landbotView),
		}).toEqual({ toAgent: customerSent, toCustomer: agentSent });
		expect(landbotMessages(cid, 'agent').filter((m) => m.message === GREETING)).toHaveLength(1);
		// The message written while queued was held for the agent; everything else arrived established.
		expect(visitorMessages(session.id).map((e) => Boolean(e.beforeEstablished))).toEqual(customerSent.map((_, i) => i === 0));
		// Sequences: ChasitorInit 1, then one per customer message, none reused (a reused one is dropped).
		const posts = postsOf(sf, session);
		expect(posts.map((c) => Number(c.headers['x-liveagent-sequence']))).toEqual(
			Array.from({ length: customerSent.length + 1 }, (_, i) => i + 1),
		);
		expect(posts.filter((c) => c.duplicate)).toEqual([]);
		expect(visitorMessages(session.id).map((e) => e.sequence)).toEqual(customerSent.map((_, i) => i + 2));
		expect(fields(cid)[SESSION_FIELD]).toMatchObject({ sequence: customerSent.length + 2 });
		// The loop kept polling through quiet times (204), one poll at a time, never superseded.
		const pollsBeforeEnd = pollsOf(sf, session);
		expect(pollsBeforeEnd.filter((c) => c.status === 204).length).toBeGreaterThan(0);
		expect(pollsBeforeEnd.filter((c) => c.status === 409)).toEqual([]);
		// Between one poll's answer and the next request there is a moment with no poll open (long on a
		// busy machine): the loop is alive when it opens the next one.
		await waitUntil('the loop to be polling again', () => sf.getSession(session.id)!.pollPending, {
			describe: () => pollsOf(sf, session).slice(-3),
		});

		// ---- the agent ends the chat: the loop sees ChatEnded, forgets the session, unassigns, back to the bot
		const endedAt = Date.now();
		sf.agentEnds(session.id);
		await waitForBackToBot(cid);
		const backAt = Date.now();
		await sleep(POLL_TIMEOUT_MS * 2); // a poll after the end would show up by now

		const after = state(cid);
		expect(after.agent_id).toBeNull();
		expect(after.customer.custom_fields).toEqual({});
		expect(after.bot).toEqual({ id: Number(BOT_ID), node: RESUME_BLOCK, active: true, launched: true });
		expect(landbotView(after.messages[after.messages.length - 1])).toBe(`Bot ${BOT_ID} started at ${RESUME_BLOCK}`);
		const customerCalls = p.landbot
			.getCalls()
			.filter((c) => c.path.startsWith(`/v1/customers/${cid}/`) && c.at >= endedAt)
			.map((c) => `${c.method} ${c.path.replace(`/v1/customers/${cid}/`, '')}`);
		expect(customerCalls).toEqual([`DELETE fields/${SESSION_FIELD}/`, 'PUT unassign/', `PUT assign_bot/${BOT_ID}/`]);
		// Nothing polls after the end: the poll waiting when the agent ended got ChatEnded, and none followed.
		const polls = pollsOf(sf, session);
		expect(polls.filter((c) => c.at >= endedAt)).toEqual([]);
		expect(polls[polls.length - 1].status).toBe(200);
		expect(sf.getSession(session.id)).toMatchObject({ state: 'ended', endedBy: 'agent', pollPending: false });
		// Nothing more reached the customer.
		expect(relayedAgentMessages(cid).map(landbotView)).toEqual(agentSent);

		// ---- the loop was one sub-execution for the whole chat; it finished when the chat ended, successfully,
		// although it ran longer than EXECUTIONS_TIMEOUT
		const loops = await waitUntil('the loop execution to finish', async () => {
			const found = await loopExecutions();
			return found.length === 1 && found[0].finished ? found : undefined;
		});
		expect(loops[0].status).toBe('success');
		const loopMs = Date.parse(loops[0].stoppedAt) - Date.parse(loops[0].startedAt);
		expect(loopMs).toBeGreaterThan(EXECUTIONS_TIMEOUT_S * 1000);
		expect(Date.parse(loops[0].stoppedAt)).toBeLessThanOrEqual(backAt + 10_000);

		console.log(
			`whole chat: bot phase + handoff ${handedOff - started} ms, ${customerSent.length} + ${agentSent.length} messages relayed ` +
				`in ${relayed - handedOff} ms (incl. a ${POLL_TIMEOUT_MS * 2 + 500} ms pause), end → bot ${backAt - endedAt} ms, ` +
				`${polls.length} polls (${polls.filter((c) => c.status === 204).length} × 204), loop execution ${loopMs} ms`,
		);
	});

	test('no agent available: the customer is told, goes back to the bot, and the loop stops after one poll', async () => {
		sf.setAgentsAvailable(false);
		try {
			const cid = newCustomer('Nina');
			await botConversation(cid, [
				['bot', 'Hello Nina!'],
				['customer', 'Human please'],
			]);
			const session = await startHandoff(cid);
			await waitForBackToBot(cid);
			await sleep(POLL_TIMEOUT_MS * 2);

			expect(sf.getSession(session.id)).toMatchObject({ state: 'ended', endedBy: 'unavailable' });
			expect(landbotMessages(cid, 'agent').map(landbotView)).toEqual([GREETING, NO_AGENT]);
			expect(state(cid).customer.custom_fields).toEqual({});
			expect(state(cid).agent_id).toBeNull();
			expect(state(cid).bot).toMatchObject({ id: Number(BOT_ID), node: RESUME_BLOCK, active: true });
			expect(pollsOf(sf, session).map((c) => c.status)).toEqual([200]);
		} finally {
			sf.setAgentsAvailable(true);
		}
	});

	test('polling fails for good (Live Agent answers 503 to every retry): the customer is told and goes back to the bot', async () => {
		const cid = newCustomer('Lars');
		// The node polls up to three times before giving up; the loop then ends the chat for the customer.
		sf.injectPollStatus(503, 3);
		const session = await startHandoff(cid);
		await waitForBackToBot(cid);
		await sleep(POLL_TIMEOUT_MS);

		expect(pollsOf(sf, session).map((c) => c.status)).toEqual([503, 503, 503]);
		expect(landbotMessages(cid, 'agent').map(landbotView)).toEqual([GREETING, CONNECTION_LOST]);
		expect(state(cid).customer.custom_fields).toEqual({});
		expect(state(cid).bot).toMatchObject({ id: Number(BOT_ID), node: RESUME_BLOCK, active: true });
		// Nobody polls that session any more: Salesforce ends it after its timeout, and the agent sees the chat end.
		expect(sf.getSession(session.id)!.pollPending).toBe(false);
	});

	test('a customer message for a chat that is already over is not relayed, and the leftover session field is deleted', async () => {
		// A session whose chat has ended (the agent ended it; the field was left behind, e.g. by a
		// crashed loop): Live Agent answers 403 for it.
		const gone = sf.listSessions().find((s) => s.state === 'ended' && s.endedBy === 'agent')!;
		expect(gone).toBeDefined();
		const cid = p.landbot.createCustomer({
			channel_id: p.channelId,
			name: 'Olga',
			agent_id: LANDBOT_AGENT_ID,
			fields: {
				[SESSION_FIELD]: {
					type: 'object',
					value: { id: gone.id, key: gone.key, affinityToken: gone.affinityToken, sequence: 99, ack: -1, clientPollTimeout: 40 },
				},
			},
		}).id as number;
		const transcriptBefore = sf.transcript(gone.id).length;
		const since = Date.now();
		p.landbot.customerSays(cid, 'Hello again?');
		await waitUntil('the leftover field to be deleted', () => !(SESSION_FIELD in fields(cid)), {
			timeoutMs: 20_000,
			describe: () => state(cid),
		});
		expect(sf.transcript(gone.id)).toHaveLength(transcriptBefore);
		const refused = postsOf(sf, gone).filter((c) => c.at >= since);
		expect(refused.map((c) => [c.status, c.headers['x-liveagent-sequence']])).toEqual([[403, '99']]);
	});

	test('every execution succeeded, and the loops were sub-executions', async () => {
		await sleep(500);
		const executions = await n8n.executions({ includeData: true });
		const failed = executions
			.filter((e) => e.status !== 'success')
			.map((e) => ({ id: e.id, workflowId: e.workflowId, mode: e.mode, status: e.status, error: e.data?.resultData?.error?.message }));
		expect(failed).toEqual([]);
		const loops = await loopExecutions();
		expect(loops).toHaveLength(3);
		console.log(
			`salesforce: ${executions.length} executions, all successful (${loops.length} polling loops, ` +
				`${executions.filter((e) => e.mode === 'webhook').length} webhook executions)`,
		);
	});
});

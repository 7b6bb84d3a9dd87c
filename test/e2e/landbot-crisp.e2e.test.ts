/**
 * Landbot ↔ Crisp handoff, end to end: templates 33–35 (with template 4, re-assign after Landbot's
 * idle unassignment) imported unchanged (only their placeholders filled) into a real n8n 2.40.7 with
 * the packed package, published, and driven through the Landbot simulator and the Crisp simulator.
 * Crisp has no API to register a hook: the published trigger's Production URL is set as the
 * plugin's hook through the simulator's settings helper, as a user pastes it into the Marketplace.
 * One customer's whole handoff runs through the tests below, in order. Assertions read what the
 * customer (Landbot) and the operators (the Crisp conversation) would see.
 */
import * as os from 'os';

import type { LandbotMessage } from '../fakes';
import { CrispSimulator, crispSignature } from '../fakes/crisp';
import type { CrispSeed } from '../fakes/crisp';
import { findLeaks } from './lib/leaks';
import { startCpuLoad } from './lib/load';
import { N8nInstance, packPackage, request } from './lib/n8n';
import {
	HEADER_SECRET_NAME,
	LANDBOT_AGENT_ID,
	LANDBOT_TOKEN,
	executionCount,
	headerSecretCredential,
	landbotCredential,
	landbotView,
	sleep,
	startLandbot,
	waitForLandbotTrigger,
	waitUntil,
} from './lib/relay';
import { PLACEHOLDERS, TEMPLATE_CREDENTIALS, type Template, loadTemplate, webhookPath } from './lib/templates';

/** Landbot's hook retries (5, 10, 15 s…) run 20× faster; Crisp's (CHOICE of the simulator: 10 s · n) 5×. */
const TIME_SCALE = 0.05;
const CRISP_TIME_SCALE = 0.2;
const BOT_ID = '777';
const RESUME_BLOCK = 'Nresume42';
const GREETING = 'An agent will be with you shortly.';
const HANDOFF_FIELD = 'handoff_conversation';
/** The origin the package's Crisp node writes with (nodes/Crisp/marker.ts). */
const RELAY_ORIGIN = 'urn:n8n-handoff:relay:0';
const CRISP_CREDENTIAL = { id: 'crisp-credential', name: 'Crisp account', type: 'crispApi' } as const;
/** The plugin hook's events, as the sticky note of template 35 says to tick them. */
const HOOK_EVENTS = ['message:send', 'message:received', 'session:set_state'];
const FILES = {
	handoffStart: '33-landbot-crisp-handoff-start.json',
	landbotToCrisp: '34-landbot-to-crisp.json',
	crispToLandbot: '35-crisp-to-landbot.json',
	timeoutReassign: '4-landbot-timeout-reassign.json',
} as const;
/** Messages each way in the burst, and the gap between two of one side (faster than one relay takes). */
const BURST = 20;
const GAP_MS = 200;

describe('Landbot ↔ Crisp handoff through templates 33–35 (and 4) in a real n8n', () => {
	let crisp: CrispSimulator;
	let seed: CrispSeed;
	let landbot: Awaited<ReturnType<typeof startLandbot>>;
	let channelId: number;
	let n8n: N8nInstance;
	let blockSecret: string;
	const t: Record<keyof typeof FILES, Template> = {} as never;
	const t0 = Date.now();
	const figures: string[] = [];
	/** Executions this file makes fail on purpose (a relay refused by Crisp). */
	let provokedFailures = 0;

	let cid: number;
	let sessionId: string;
	const history: Array<['bot' | 'customer', string]> = [
		['bot', 'Hi! I am the shop bot. How can I help?'],
		['customer', 'My parcel never arrived'],
		['bot', 'Sorry to hear that. Shall I get you a person?'],
		['customer', 'Yes please'],
	];
	const operatorSent: string[] = [];
	const customerSent: string[] = [];

	const hookPath = () => webhookPath(t.crispToLandbot, 'Crisp event');

	function signedPost(body: unknown, timestamp = String(Date.now()), secret = seed.pluginSecret) {
		const raw = JSON.stringify(body);
		return request(n8n.webhookUrl(hookPath()), {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'x-crisp-request-timestamp': timestamp, 'x-crisp-signature': crispSignature(secret, timestamp, raw) },
			body: raw,
		});
	}

	/** The Crisp Trigger is live: n8n takes a signed delivery of an event it does not read (200, nothing runs). */
	async function waitForCrispTrigger(): Promise<void> {
		await n8n.waitForWebhook(hookPath());
		await waitUntil('n8n to accept a signed Crisp delivery', async () => {
			const res = await signedPost({ website_id: seed.websiteId, event: 'message:compose:send', data: {}, timestamp: Date.now() }).catch(() => undefined);
			return res?.status === 200;
		});
	}

	beforeAll(async () => {
		crisp = await new CrispSimulator({ timeScale: CRISP_TIME_SCALE }).start();
		seed = crisp.seedWebsite({ name: 'Acme Support' });
		landbot = await startLandbot(TIME_SCALE);
		channelId = landbot.createChannel({ name: 'Web bot', type: 'landbot' }).id;

		const channel = { [PLACEHOLDERS.landbotChannelId]: String(channelId) };
		t.handoffStart = loadTemplate(FILES.handoffStart, {});
		t.landbotToCrisp = loadTemplate(FILES.landbotToCrisp, channel);
		t.crispToLandbot = loadTemplate(FILES.crispToLandbot, { [PLACEHOLDERS.landbotBotId]: BOT_ID, [PLACEHOLDERS.landbotBlockId]: RESUME_BLOCK });
		t.timeoutReassign = loadTemplate(FILES.timeoutReassign, channel);
		const block = headerSecretCredential(TEMPLATE_CREDENTIALS.landbotWebhookBlock);
		blockSecret = block.value;

		n8n = await N8nInstance.start({
			tarball: await packPackage(),
			credentials: [
				landbotCredential({ landbot }),
				block.credential,
				{
					...CRISP_CREDENTIAL,
					data: {
						tier: 'plugin',
						identifier: seed.pluginToken.identifier,
						tokenKey: seed.pluginToken.key,
						websiteId: seed.websiteId,
						hookSecret: seed.pluginSecret,
						apiUrl: crisp.baseUrl,
					},
				},
			],
			workflows: [t.handoffStart, t.landbotToCrisp, t.crispToLandbot, t.timeoutReassign],
		});
		await Promise.all([
			n8n.waitForWebhook(webhookPath(t.handoffStart, 'Handoff requested')),
			waitForLandbotTrigger(n8n, { landbot }, webhookPath(t.landbotToCrisp, 'Customer message in a handoff')),
			waitForLandbotTrigger(n8n, { landbot }, webhookPath(t.timeoutReassign, 'Handoff interrupted')),
			waitForCrispTrigger(),
		]);
		// Marketplace → plugin → Settings → Web Hooks: the user pastes the Production URL.
		crisp.setPluginHook(seed.pluginId, n8n.webhookUrl(hookPath()), HOOK_EVENTS);
		console.log(`landbot-crisp: n8n up with templates 33–35 and 4 published, triggers live after ${Date.now() - t0} ms`);
	}, 240_000);

	afterAll(async () => {
		await n8n?.stop();
		await landbot?.stop();
		await crisp?.stop();
		console.log(`landbot-crisp: figures\n  ${figures.join('\n  ')}\nlandbot-crisp: whole file ${Date.now() - t0} ms`);
	}, 60_000);

	// ------------------------------------------------------------ helpers

	const state = () => landbot.getCustomerState(cid);
	/** What operators wrote, as the customer sees it in Landbot (the greeting excluded). */
	const operatorMessagesAtCustomer = () =>
		state()
			.messages.filter((m: LandbotMessage) => m.author_type === 'agent' && m.message !== GREETING)
			.map(landbotView);
	const messages = () => crisp.getMessages(sessionId);
	/** What the customer wrote, as the operators see it in Crisp (visitor messages). */
	const customerMessagesInCrisp = () => messages().filter((m) => m.from === 'user').map((m) => String(m.content));
	const deliveries = () => crisp.getDeliveries().filter((d) => d.body.data?.session_id === sessionId);
	const messageDeliveries = (fingerprint: number) => deliveries().filter((d) => d.body.data?.fingerprint === fingerprint);

	const settle = async () => {
		await Promise.all([landbot.idle(30_000), crisp.idle(30_000)]);
		await sleep(1_500);
	};

	async function operatorReplyArrives(text: string) {
		const sent = crisp.operatorReplies(sessionId, seed.operators[1].userId, text);
		operatorSent.push(text);
		await waitUntil(`"${text}" at the customer`, () => operatorMessagesAtCustomer().length >= operatorSent.length, {
			timeoutMs: 60_000,
			describe: operatorMessagesAtCustomer,
		});
		return sent;
	}

	// ------------------------------------------------------------ tests

	test('the handoff starts: a conversation of the external customer landbot-<id>, the bot history as a note, unresolved for the operators', async () => {
		const started = Date.now();
		cid = landbot.createCustomer({ channel_id: channelId, name: 'Carla', email: 'carla@example.com' }).id as number;
		// One message a second: Landbot's transcript times have one-second resolution.
		for (const [who, text] of history) {
			if (who === 'bot') landbot.botSays(cid, text);
			else landbot.customerSays(cid, text);
			await sleep(1_050);
		}
		const call = await landbot.webhookBlock(cid, {
			url: n8n.webhookUrl(webhookPath(t.handoffStart, 'Handoff requested')),
			headers: { [HEADER_SECRET_NAME]: blockSecret },
			body: { customer_id: '@id', name: '@name', email: '@email' },
		});
		expect(call.status).toBe(200);
		await waitUntil('the handoff greeting', () => state().messages.some((m) => m.message === GREETING), { timeoutMs: 60_000, describe: state });
		figures.push(`handoff start (Webhook block → greeting): ${Date.now() - started - history.length * 1_050} ms`);

		sessionId = String((state().customer.custom_fields as Record<string, unknown>)[HANDOFF_FIELD]);
		expect(sessionId).toMatch(/^session_/);
		expect(crisp.getConversation(sessionId)).toMatchObject({
			website_id: seed.websiteId,
			state: 'unresolved',
			meta: { nickname: 'Carla', email: 'carla@example.com', data: { external_id: `landbot-${cid}` } },
		});
		const [note, ...rest] = messages();
		expect(note).toMatchObject({ type: 'note', from: 'operator', origin: RELAY_ORIGIN });
		expect(String(note.content).split('\n')).toEqual(history.map(([who, text]) => `${who === 'bot' ? 'Bot' : 'Customer'}: ${text}`));
		expect(rest).toEqual([]);
		expect(state().customer.custom_fields).toEqual({ [HANDOFF_FIELD]: sessionId });
		expect(state().agent_id).toBe(LANDBOT_AGENT_ID);
		expect(state().bot.active).toBe(false);
		// Crisp delivered the note back (message:received, ours): answered 200 and not relayed.
		await settle();
		expect(messageDeliveries(note.fingerprint).map((d) => [d.event, d.status])).toEqual([['message:received', 200]]);
		expect(operatorMessagesAtCustomer()).toEqual([]);
	});

	test(`${BURST} customer messages and ${BURST} operator replies, each side ${GAP_MS} ms apart, under a CPU load: once each and in order both ways, no echo`, async () => {
		const load = startCpuLoad({ processes: os.cpus().length, duty: 0.7, maxMs: 120_000 });
		const started = Date.now();
		try {
			for (let i = 1; i <= BURST; i++) {
				landbot.customerSays(cid, `customer message ${i}`);
				customerSent.push(`customer message ${i}`);
				await sleep(GAP_MS / 2);
				crisp.operatorReplies(sessionId, seed.operators[i % 2].userId, `operator reply ${i}`);
				operatorSent.push(`operator reply ${i}`);
				await sleep(GAP_MS / 2);
			}
			await waitUntil(
				`${BURST} customer messages in Crisp and ${BURST} operator replies in Landbot`,
				() => customerMessagesInCrisp().length >= BURST && operatorMessagesAtCustomer().length >= BURST,
				{ timeoutMs: 90_000, describe: () => ({ crisp: customerMessagesInCrisp(), landbot: operatorMessagesAtCustomer() }) },
			);
			figures.push(`burst under CPU load (${os.cpus().length} busy loops at 70%): ${BURST} + ${BURST} messages relayed in ${Date.now() - started} ms`);
		} finally {
			await load.stop();
		}
		await settle();

		expect({ toOperators: customerMessagesInCrisp(), toCustomer: operatorMessagesAtCustomer() }).toEqual({ toOperators: customerSent, toCustomer: operatorSent });
		// Written as the visitor, with the package's origin.
		const mirrored = messages().filter((m) => m.from === 'user');
		expect(mirrored.every((m) => m.origin === RELAY_ORIGIN && m.user?.user_id === sessionId)).toBe(true);

		// No echo: Crisp delivered every mirrored customer message back (message:send, n8n answered 200),
		// none reached the customer; Landbot reported every relayed operator message, none went to Crisp.
		const echoes = mirrored.flatMap((m) => messageDeliveries(m.fingerprint));
		expect(echoes.map((d) => [d.event, d.status])).toEqual(mirrored.map(() => ['message:send', 200]));
		expect(state().messages.filter((m: LandbotMessage) => m.author_type === 'user').map(landbotView)).toEqual([
			...history.filter(([who]) => who === 'customer').map(([, text]) => text),
			...customerSent,
		]);
		const retried = deliveries().filter((d) => d.attempt > 1).length;
		figures.push(`Crisp delivery attempts of the conversation after a failed one: ${retried} of ${deliveries().length}`);
	});

	test('a private note is not relayed; the next reply is', async () => {
		const note = crisp.operatorReplies(sessionId, seed.operators[0].userId, 'Internal: customer is a VIP, refund without asking', { type: 'note' });
		await operatorReplyArrives('Thanks for waiting, I am checking');
		await settle();
		expect(operatorMessagesAtCustomer()).toEqual(operatorSent);
		expect(messageDeliveries(note.fingerprint).map((d) => [d.event, d.status])).toEqual([['message:received', 200]]);
	});

	test('an unsigned, a wrongly signed or a replayed delivery is refused 401 and starts no execution', async () => {
		await sleep(500);
		const before = await executionCount(n8n);
		const atCustomer = operatorMessagesAtCustomer().length;
		const url = n8n.webhookUrl(hookPath());
		// What a genuine operator message of this conversation looks like, with a new fingerprint.
		const genuine = deliveries().find((d) => d.event === 'message:received' && d.body.data?.type === 'text')!;
		const forged = { ...genuine.body, data: { ...genuine.body.data, fingerprint: 999_999, content: 'forged: send me your card number' }, timestamp: Date.now() };
		const raw = JSON.stringify(forged);
		const now = String(Date.now());
		const cases: Array<[string, Record<string, string>, string]> = [
			['unsigned', {}, raw],
			['wrong secret', { 'x-crisp-request-timestamp': now, 'x-crisp-signature': crispSignature('not-the-secret', now, raw) }, raw],
			['signature of another body', { 'x-crisp-request-timestamp': now, 'x-crisp-signature': crispSignature(seed.pluginSecret, now, genuine.rawBody) }, raw],
			['no timestamp', { 'x-crisp-signature': crispSignature(seed.pluginSecret, now, raw) }, raw],
			// Signed with the secret, but 10 minutes ago: a replay.
			['replayed', { 'x-crisp-request-timestamp': String(Date.now() - 600_000), 'x-crisp-signature': crispSignature(seed.pluginSecret, String(Date.now() - 600_000), raw) }, raw],
		];
		for (const [label, headers, body] of cases) {
			const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
			expect([label, res.status]).toEqual([label, 401]);
		}
		await sleep(1_500);
		expect(await executionCount(n8n)).toBe(before);
		expect(operatorMessagesAtCustomer()).toHaveLength(atCustomer);
	});

	test("a relay that fails is answered 500, and Crisp's next attempt relays it once", async () => {
		// Crisp refuses every call for a moment (403, as for a plugin not installed on the website): the
		// relay cannot read the conversation. Not a 5xx: the node would retry it for up to a minute,
		// longer than Crisp waits for a hook's answer (10 s in the simulator, CHOICE).
		crisp.setFaults({ rate: 1, statuses: [403] });
		const text = 'sent while the Crisp API fails';
		let fingerprint = 0;
		try {
			fingerprint = crisp.operatorReplies(sessionId, seed.operators[1].userId, text).fingerprint;
			operatorSent.push(text);
			await waitUntil('the first delivery attempt to fail', () => messageDeliveries(fingerprint).some((d) => d.attempt === 1 && (d.status !== null || d.error)), {
				timeoutMs: 60_000,
				describe: () => messageDeliveries(fingerprint),
			});
		} finally {
			crisp.setFaults({ rate: 0 });
		}
		provokedFailures += 1;
		await waitUntil(`"${text}" at the customer`, () => operatorMessagesAtCustomer().length >= operatorSent.length, { timeoutMs: 60_000, describe: operatorMessagesAtCustomer });
		await settle();
		expect(messageDeliveries(fingerprint).map((d) => [d.attempt, d.status])).toEqual([
			[1, 500],
			[2, 200],
		]);
		expect(operatorMessagesAtCustomer()).toEqual(operatorSent);
	});

	test('idle unassignment: workflow 4 re-assigns on the next customer message, which still reaches the operators', async () => {
		landbot.configure({ idleUnassignMs: 30_000 }); // 1.5 s at this time scale
		try {
			// Landbot counts the idle time from the agent's last message.
			await operatorReplyArrives('I am still looking into it');
			await waitUntil('Landbot to unassign the idle conversation', () => state().events.some((e) => e.type === 'idle_unassign'), { timeoutMs: 20_000, describe: () => state().events });
			landbot.configure({ idleUnassignMs: 0 });
			expect(state().agent_id).toBeNull();
			expect(state().customer.custom_fields).toEqual({ [HANDOFF_FIELD]: sessionId });

			landbot.customerSays(cid, 'Hello? Are you still there?');
			customerSent.push('Hello? Are you still there?');
			await waitUntil('the conversation to be assigned again', () => state().agent_id === LANDBOT_AGENT_ID, { timeoutMs: 20_000, describe: () => state().events });
			await waitUntil('the customer message in Crisp', () => customerMessagesInCrisp().length === customerSent.length, { timeoutMs: 20_000 });
			await settle();
			const events = state().events;
			const idleAt = events.findIndex((e) => e.type === 'idle_unassign');
			expect(events.slice(idleAt).map((e) => [e.type, e.agent_id ?? null])).toEqual([
				['idle_unassign', LANDBOT_AGENT_ID],
				['assign', LANDBOT_AGENT_ID],
			]);
			expect(customerMessagesInCrisp()).toEqual(customerSent);
			expect(state().bot.active).toBe(false);
		} finally {
			landbot.configure({ idleUnassignMs: 0 });
		}
	});

	test('an outage: what the operator wrote while n8n was down (Crisp gave up after its attempts) comes first, once and in order, with the next reply', async () => {
		await n8n.kill9();
		const downSince = Date.now();
		const during = ['while n8n is down 1', 'while n8n is down 2', 'while n8n is down 3'];
		const missed: number[] = [];
		for (const text of during) {
			missed.push(crisp.operatorReplies(sessionId, seed.operators[1].userId, text).fingerprint);
			operatorSent.push(text);
			await sleep(200);
		}
		await crisp.idle(60_000);
		// Every attempt refused (n8n is down), and Crisp gave up on each: none to come.
		const attempts = (fingerprint: number) => messageDeliveries(fingerprint).map((d) => [d.attempt, d.status, d.gaveUp === true]);
		expect(missed.map(attempts)).toEqual(missed.map(() => [[1, null, false], [2, null, false], [3, null, true]]));
		figures.push(`outage: Crisp gave up on the 3 replies ${Date.now() - downSince} ms after the kill`);
		await n8n.restart();
		await waitForCrispTrigger();
		const back = Date.now();
		figures.push(`outage: n8n restarted and the trigger live ${back - downSince} ms after the kill`);

		const next = await operatorReplyArrives('after the outage');
		figures.push(`catch-up: 3 missed replies and the next one at the customer ${Date.now() - back} ms after the next reply`);
		await settle();
		expect(operatorMessagesAtCustomer()).toEqual(operatorSent);
		// One read-back: the mark, then the batch(es) of messages before the reply.
		const reads = crisp.getCalls().filter((c) => c.at >= back && c.method === 'GET' && c.path.endsWith(`/conversation/${sessionId}/messages`));
		figures.push(`catch-up: ${reads.length} batch(es) of messages read back`);
		expect(reads.length).toBeGreaterThanOrEqual(1);
		// The mark is the last relayed message; the conversation's other data is kept.
		const last = messages().find((m) => m.fingerprint === next.fingerprint)!;
		expect(crisp.getConversation(sessionId)!.meta.data).toEqual({ external_id: `landbot-${cid}`, n8n_handoff_relayed: `${last.timestamp} ${last.fingerprint}` });
	});

	test('the operator resolves the conversation: the handoff field goes first, then unassign, then the bot resumes at the block', async () => {
		const from = Date.now();
		crisp.resolve(sessionId);
		await waitUntil('the bot to resume', () => state().bot.active, { timeoutMs: 30_000, describe: state });
		figures.push(`resolve → the bot at its block in ${Date.now() - from} ms`);
		await settle(); // time for a wrong re-assignment by workflow 4 to show up
		const after = state();
		expect(after.agent_id).toBeNull();
		expect(after.customer.custom_fields).toEqual({});
		expect(after.bot).toEqual({ id: Number(BOT_ID), node: RESUME_BLOCK, active: true, launched: true });
		const customerCalls = landbot
			.getCalls()
			.filter((c) => c.path.startsWith(`/v1/customers/${cid}/`) && c.at >= from && c.status !== 429)
			.map((c) => `${c.method} ${c.path.replace(`/v1/customers/${cid}/`, '')}`);
		expect(customerCalls).toEqual([`DELETE fields/${HANDOFF_FIELD}/`, 'PUT unassign/', `PUT assign_bot/${BOT_ID}/`]);
		expect(operatorMessagesAtCustomer()).toEqual(operatorSent);
		expect(crisp.getConversation(sessionId)!.state).toBe('resolved');
	});

	test('the customer asks again: the same Crisp conversation (found by its external id), unresolved again, with the new history note', async () => {
		landbot.customerSays(cid, 'One more question, a human please');
		await sleep(1_050);
		const call = await landbot.webhookBlock(cid, {
			url: n8n.webhookUrl(webhookPath(t.handoffStart, 'Handoff requested')),
			headers: { [HEADER_SECRET_NAME]: blockSecret },
			body: { customer_id: '@id', name: '@name', email: '@email' },
		});
		expect(call.status).toBe(200);
		await waitUntil('the second greeting', () => state().messages.filter((m) => m.message === GREETING).length === 2, { timeoutMs: 60_000, describe: state });
		await settle();
		expect(state().customer.custom_fields).toEqual({ [HANDOFF_FIELD]: sessionId });
		expect(crisp.listSessions(seed.websiteId)).toEqual([sessionId]);
		expect(crisp.getConversation(sessionId)!.state).toBe('unresolved');
		const notes = messages().filter((m) => m.type === 'note' && m.origin === RELAY_ORIGIN);
		expect(notes).toHaveLength(2);
		expect(String(notes[1].content).split('\n').pop()).toBe('Customer: One more question, a human please');
		expect(operatorMessagesAtCustomer()).toEqual(operatorSent);
	});

	test('every execution the relays started succeeded, but the one refused on purpose', async () => {
		const executions = await n8n.executions({ includeData: true });
		const failed = executions
			.filter((e) => e.status !== 'success')
			.map((e) => ({ workflowId: e.workflowId, status: e.status, error: e.data?.resultData?.error?.message }));
		// Workflows in the order given to N8nInstance.start: 35 is the third.
		const crispToLandbotId = n8n.workflowIds[2];
		expect(failed.map((e) => e.workflowId)).toEqual(Array.from({ length: provokedFailures }, () => crispToLandbotId));
		figures.push(`${executions.length} executions, ${failed.length} failed (provoked); Crisp API calls ${crisp.getCalls().length}`);
	});

	// Last: after every relay above ran, with every secret the run used.
	test("no secret the run used is in any execution (run data, workflow snapshot) or in n8n's log", async () => {
		const { leaks, control, scanned } = await findLeaks(
			n8n,
			{
				'Webhook block secret (X-Handoff-Secret)': [blockSecret],
				'Landbot API token': [LANDBOT_TOKEN],
				'Landbot MessageHook token': landbot.listHooks().map((h) => h.token),
				'Crisp plugin token key': [seed.pluginToken.key],
				'Crisp plugin hook secret': [seed.pluginSecret],
				'another Landbot secret (simulator)': landbot.secrets(),
				'another Crisp secret (tokens, plugins; simulator)': crisp.secrets(),
			},
			// The external customer id: in the run data of every relay of this conversation.
			{ control: [`landbot-${cid}`] },
		);
		figures.push(
			`${scanned.secrets} secrets looked for in ${scanned.executions} executions (REST API), ${scanned.rows} database rows and ` +
				`${Math.round(scanned.logBytes / 1024)} KB of n8n's log: ${leaks.length} found`,
		);
		expect(leaks).toEqual([]);
		expect(control.some((where) => where.endsWith(': run data'))).toBe(true);
		expect(control.some((where) => where.startsWith('database execution_data'))).toBe(true);
	});
});

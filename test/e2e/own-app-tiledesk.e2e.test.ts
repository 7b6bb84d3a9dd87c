/**
 * Tiledesk's mirror-conversation recipe for your own chat app, end to end: template 6 imported
 * unchanged (only the app's URL filled in) into a real n8n with the packed package, the Tiledesk
 * simulator, and a tiny stand-in app that posts its users' messages to n8n and records what n8n
 * posts back. Assertions read the Tiledesk conversation and the app's inbox.
 */
import { WebhookReceiver } from '../fakes';
import { findLeaks } from './lib/leaks';
import { N8nInstance, packPackage, request } from './lib/n8n';
import {
	HEADER_SECRET_NAME,
	type TiledeskSide,
	carriesMarker,
	executionCount,
	headerSecretCredential,
	isInfoLine,
	requestIdFor,
	sleep,
	startTiledesk,
	tiledeskCredential,
	tiledeskView,
	waitForTiledeskTrigger,
	waitUntil,
} from './lib/relay';
import { PLACEHOLDERS, TEMPLATE_CREDENTIALS, TEMPLATE_FILES, type Template, loadTemplate, webhookPath } from './lib/templates';

const TIME_SCALE = 0.05;
const APP_PATH = '/handoff/agent-message';

describe('own chat app ↔ Tiledesk through template 6 in a real n8n', () => {
	let td: TiledeskSide;
	let app: WebhookReceiver;
	let n8n: N8nInstance;
	let template: Template;
	let toN8nSecret: string;
	let toAppSecret: string;
	let tiledeskBotId: string;
	/** The app answers 500 to the n-th request it gets (0-based), once; -1 = never. */
	let failRequest = -1;
	const t0 = Date.now();

	/** Requests with the right secret that the app answered 2xx, copies included. */
	const taken = () => app.requests.filter((r) => r.path === APP_PATH && r.status >= 200 && r.status < 300).map((r) => r.body as Record<string, unknown>);
	/**
	 * What the app accepted, as a real app does: the first of each messageId (n8n sends a POST again
	 * when it missed the answer, so a copy of one the app took can come; template 6 sends the id for that).
	 */
	const accepted = () =>
		taken()
			.filter((body, i, all) => all.findIndex((other) => other.messageId === body.messageId) === i)
			.map(({ messageId, ...rest }) => {
				expect(typeof messageId).toBe('string');
				return rest;
			});

	beforeAll(async () => {
		td = await startTiledesk({ timeScale: TIME_SCALE });
		// A default department with a Tiledesk bot: it holds the conversation until the handoff.
		const bot = td.tiledesk.createBot(td.projectId, { name: 'Waiting bot' });
		tiledeskBotId = bot._id;
		const department = (
			await request(`${td.tiledesk.baseUrl}/${td.projectId}/departments`)
		).json<Array<{ _id: string; default: boolean }>>().find((d) => d.default)!;
		td.tiledesk.setDepartmentBot(department._id, bot._id);

		const inbound = headerSecretCredential(TEMPLATE_CREDENTIALS.ownAppToN8n);
		const outbound = headerSecretCredential(TEMPLATE_CREDENTIALS.n8nToOwnApp);
		toN8nSecret = inbound.value;
		toAppSecret = outbound.value;
		app = await new WebhookReceiver().start();
		app.responder = (req, index) => {
			if (req.headers[HEADER_SECRET_NAME.toLowerCase()] !== toAppSecret) return 401;
			if (index === failRequest) return 500;
			return 200;
		};
		template = loadTemplate(TEMPLATE_FILES.ownApp, { [PLACEHOLDERS.ownAppUrl]: app.url(APP_PATH) });

		n8n = await N8nInstance.start({
			tarball: await packPackage(),
			credentials: [tiledeskCredential(td), inbound.credential, outbound.credential],
			workflows: [template],
		});
		await Promise.all([
			n8n.waitForWebhook(webhookPath(template, 'App message')),
			waitForTiledeskTrigger(n8n, td, webhookPath(template, 'Agent message'), ['message.create']),
		]);
		console.log(`own-app: n8n up with template 6 published, trigger live after ${Date.now() - t0} ms`);
	}, 240_000);

	afterAll(async () => {
		await n8n?.stop();
		await td?.tiledesk.stop();
		await app?.stop();
		console.log(`own-app: whole file ${Date.now() - t0} ms`);
	}, 60_000);

	/** The app posts a user's message to n8n, as its backend would. */
	async function appSays(body: { userId: string; name: string; text: string; handoff?: boolean }, secret = toN8nSecret) {
		return request(n8n.webhookUrl(webhookPath(template, 'App message')), {
			method: 'POST',
			headers: { [HEADER_SECRET_NAME]: secret },
			body,
		});
	}

	const messages = (userId: string) => td.tiledesk.getMessages(requestIdFor(td, userId));
	const mirrored = (userId: string) => messages(userId).filter((m) => m.sender === `app-${userId}` && !isInfoLine(m));

	test('user messages are mirrored, the handoff routes to an agent, agent replies reach the app exactly once', async () => {
		const userId = 'u-1001';
		const rid = requestIdFor(td, userId);
		const early = ['Hi, I have a question about my invoice', 'It shows the wrong address'];
		for (const text of early) {
			expect((await appSays({ userId, name: 'Ada', text })).status).toBe(200);
		}
		await waitUntil('the mirrored messages', () => mirrored(userId).length === early.length, { describe: () => messages(userId) });
		let conversation = td.tiledesk.getRequest(rid) as any;
		expect(conversation.lead.lead_id).toBe(`app-${userId}`);
		expect(conversation.participants).toEqual([`bot_${tiledeskBotId}`]);
		expect(conversation.attributes.n8nHandoffExternalId).toBe(userId);

		// The handoff: this message is mirrored, then `\agent` hands the conversation to the agent.
		expect((await appSays({ userId, name: 'Ada', text: 'Can I talk to a person?', handoff: true })).status).toBe(200);
		await waitUntil('an agent in the conversation', () => (td.tiledesk.getRequest(rid) as any).participants.includes(td.agentId), {
			describe: () => td.tiledesk.getRequest(rid),
		});
		conversation = td.tiledesk.getRequest(rid) as any;
		expect(conversation.participants).toEqual([td.agentId]);
		expect(conversation.status).toBe(200);
		expect(mirrored(userId).map(tiledeskView)).toEqual([...early, 'Can I talk to a person?']);
		const agentLine = messages(userId).findIndex((m) => m.text?.endsWith('\\agent'));
		expect(agentLine).toBeGreaterThan(messages(userId).findIndex((m) => m.text === 'Can I talk to a person?'));
		expect(isInfoLine(messages(userId)[agentLine])).toBe(true);

		// The agent answers; the app refuses the second POST once (500): n8n tries again.
		failRequest = app.requests.length + 1;
		const image = 'https://cdn.example.com/agent/invoice-help.png';
		td.tiledesk.agentSays(rid, td.agentId, 'Hello Ada, I am Alice. Let me check.');
		await sleep(300);
		td.tiledesk.agentSays(rid, td.agentId, { type: 'image', text: 'Where to find the address', metadata: { src: image, name: 'invoice-help.png' } });
		await sleep(300);
		// Meanwhile the user writes again: mirrored, not sent back to the app.
		expect((await appSays({ userId, name: 'Ada', text: 'Thanks!' })).status).toBe(200);
		await sleep(300);
		td.tiledesk.agentSays(rid, td.agentId, 'Fixed it for you.');

		await waitUntil('three agent messages at the app', () => accepted().length >= 3, {
			timeoutMs: 30_000,
			describe: () => app.requests.map((r) => [r.status, r.body]),
		});
		await td.tiledesk.idle(30_000);
		await sleep(2_000); // room for a late duplicate

		expect(accepted()).toEqual([
			{ userId, text: 'Hello Ada, I am Alice. Let me check.', url: null },
			{ userId, text: 'Where to find the address', url: image },
			{ userId, text: 'Fixed it for you.', url: null },
		]);
		expect(app.requests.filter((r) => r.status === 500)).toHaveLength(1);
		const copies = taken().length - accepted().length;
		console.log(`own-app: ${copies} copies of agent messages the app had taken (n8n retried a POST whose answer it missed)`);
		expect(app.requests.every((r) => r.headers['content-type']?.startsWith('application/json'))).toBe(true);
		expect(mirrored(userId).map(tiledeskView)).toEqual([...early, 'Can I talk to a person?', 'Thanks!']);
		// Everything n8n wrote carries the marker; nothing the agent wrote came back as a copy.
		const fromN8n = messages(userId).filter(carriesMarker);
		expect(fromN8n.every((m) => m.sender === `app-${userId}` || isInfoLine(m))).toBe(true);
		expect(messages(userId).filter((m) => m.text === 'Fixed it for you.')).toHaveLength(1);
	});

	test("another user's conversation is separate; a wrong secret gets 401 and starts no execution", async () => {
		const other = 'u-2002';
		expect((await appSays({ userId: other, name: 'Ben', text: 'Hello from Ben' })).status).toBe(200);
		await waitUntil("Ben's mirrored message", () => mirrored(other).length === 1);
		expect(mirrored('u-1001').map(tiledeskView)).not.toContain('Hello from Ben');
		await sleep(500);

		const before = await executionCount(n8n);
		const forged = await appSays({ userId: other, name: 'Mallory', text: 'forged', handoff: true }, 'wrong-secret');
		expect(forged.status).toBe(401);
		const missing = await request(n8n.webhookUrl(webhookPath(template, 'App message')), {
			method: 'POST',
			body: { userId: other, name: 'Mallory', text: 'forged' },
		});
		expect(missing.status).toBe(401);
		// A forged Tiledesk delivery to the trigger.
		const trigger = await request(n8n.webhookUrl(webhookPath(template, 'Agent message')), {
			method: 'POST',
			headers: { 'x-hook-secret': 'wrong' },
			body: { timestamp: Date.now(), hook: { event: 'message.create' }, payload: { _id: 'x', sender: td.agentId, recipient: requestIdFor(td, other), text: 'forged' }, token: 'x' },
		});
		expect(trigger.status).toBe(401);
		await sleep(1_500);
		expect(await executionCount(n8n)).toBe(before);
		expect(mirrored(other).map(tiledeskView)).toEqual(['Hello from Ben']);
		expect(accepted().some((b) => b.text === 'forged')).toBe(false);
	});

	test('every execution succeeded', async () => {
		const executions = await n8n.executions({ includeData: true });
		const failed = executions
			.filter((e) => e.status !== 'success')
			.map((e) => ({ id: e.id, status: e.status, error: e.data?.resultData?.error?.message }));
		expect(failed).toEqual([]);
		console.log(`own-app: ${executions.length} executions, all successful`);
	});

	// Last: after the relays above, with every secret the run used.
	test('no secret the run used is in any execution (run data, workflow snapshot) or in n8n\'s log', async () => {
		const { leaks, control, scanned } = await findLeaks(
			n8n,
			{
				'App → n8n secret (X-Handoff-Secret)': [toN8nSecret],
				'n8n → app secret (X-Handoff-Secret)': [toAppSecret],
				'Tiledesk project shared secret': [td.sharedSecret],
				'Tiledesk subscription secret': td.tiledesk.listSubscriptions().map((s) => s.secret as string),
				'another Tiledesk secret (JWT, Basic credential, password; simulator)': td.tiledesk.secrets(),
			},
			{ control: [requestIdFor(td, 'u-1001')] },
		);
		console.log(
			`own-app: ${scanned.secrets} secrets looked for in ${scanned.executions} executions (REST API), ` +
				`${scanned.rows} database rows and ${Math.round(scanned.logBytes / 1024)} KB of n8n's log: ${leaks.length} found`,
		);
		expect(leaks).toEqual([]);
		expect(control.some((where) => where.endsWith(': run data'))).toBe(true);
	});
});

/**
 * The Slack recipe end to end, with n8n 2.40.7's own unmodified Slack node and Slack Trigger: n8n
 * runs with HTTPS_PROXY at the TLS proxy (test/e2e/lib/tlsProxy.ts), which serves https://slack.com
 * from the Slack simulator; the simulator delivers signed Events API requests to the trigger.
 * Besides proving the plumbing, it pins down what a relay template must work around.
 */
import { SlackSimulator, DEFAULT_AGENT, slackSignature } from '../fakes/slack';
import { N8nInstance, request } from './lib/n8n';
import { startTlsProxy } from './lib/tlsProxy';
import type { TlsProxy } from './lib/tlsProxy';

const CHANNEL = 'C0SUPPORT1';
const SECRET = 'e2e-slack-signing-secret';
const TOKEN = 'xoxb-2000000001-3000000002-e2eBotToken';
const TRIGGER_WEBHOOK_ID = '5a1c0000-0000-4000-8000-00000000e2e1';
const CREDENTIAL = { id: 'slackSimCred0001', name: 'Slack sim' };

/** Webhook → Slack chat.postMessage (top level) → answers the new message's ts: how a relay opens a thread. */
const openThread = {
	name: 'e2e slack open thread',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{
			id: '5a1c0000-0000-4000-8000-000000000001',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: '5a1c0000-0000-4000-8000-0000000000a1',
			parameters: { httpMethod: 'POST', path: 'slack-open', responseMode: 'responseNode', options: {} },
		},
		{
			id: '5a1c0000-0000-4000-8000-000000000002',
			name: 'Post root',
			type: 'n8n-nodes-base.slack',
			typeVersion: 2.7,
			position: [220, 0],
			credentials: { slackApi: CREDENTIAL },
			parameters: {
				select: 'channel',
				channelId: { __rl: true, mode: 'id', value: CHANNEL },
				text: '={{ $json.body.text }}',
				otherOptions: { includeLinkToWorkflow: false },
			},
		},
		{
			id: '5a1c0000-0000-4000-8000-000000000003',
			name: 'Respond',
			type: 'n8n-nodes-base.respondToWebhook',
			typeVersion: 1.1,
			position: [440, 0],
			parameters: { respondWith: 'json', responseBody: '={{ JSON.stringify({ ts: $json.message_timestamp, channel: $json.channel }) }}', options: {} },
		},
	],
	connections: {
		Webhook: { main: [[{ node: 'Post root', type: 'main', index: 0 }]] },
		'Post root': { main: [[{ node: 'Respond', type: 'main', index: 0 }]] },
	},
};

/** Slack Trigger (messages in CHANNEL, the bot's own user ignored) → Slack node replies in the same thread. */
const relayReplies = {
	name: 'e2e slack relay replies',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{
			id: '5a1c0000-0000-4000-8000-000000000011',
			name: 'Slack Trigger',
			type: 'n8n-nodes-base.slackTrigger',
			typeVersion: 1,
			position: [0, 0],
			webhookId: TRIGGER_WEBHOOK_ID,
			credentials: { slackApi: CREDENTIAL },
			parameters: {
				trigger: ['message'],
				channelId: { __rl: true, mode: 'id', value: CHANNEL },
				// The trigger passes the bot's own posts (echoes) on; ignoring the bot user drops them.
				options: { userIds: ['U0SIMBOT01'] },
			},
		},
		{
			id: '5a1c0000-0000-4000-8000-000000000012',
			name: 'Reply in thread',
			type: 'n8n-nodes-base.slack',
			typeVersion: 2.7,
			position: [220, 0],
			credentials: { slackApi: CREDENTIAL },
			parameters: {
				select: 'channel',
				channelId: { __rl: true, mode: 'id', value: '={{ $json.channel }}' },
				text: '=Relayed: {{ $json.text }}',
				// An expression keeps the ts a string; the field is typed number in the UI.
				otherOptions: { includeLinkToWorkflow: false, thread_ts: { replyValues: { thread_ts: '={{ $json.thread_ts ?? $json.ts }}' } } },
			},
		},
	],
	connections: { 'Slack Trigger': { main: [[{ node: 'Reply in thread', type: 'main', index: 0 }]] } },
};

describe('n8n\'s own Slack nodes against the Slack simulator through the TLS proxy', () => {
	let slack: SlackSimulator;
	let proxy: TlsProxy;
	let n8n: N8nInstance;
	let triggerUrl: string;
	let rootTs: string;

	const triggerId = () => n8n.workflowIds[1];
	const deliveryOf = (predicate: (event: any) => boolean) =>
		slack.getDeliveries().filter((d) => d.kind === 'event_callback' && predicate(d.body.event));
	/**
	 * What n8n answered a delivery: `{"message":"Webhook call received"}` when the trigger's filters
	 * dropped the event (no execution); the bare text `firstEntryJson` when it started one (the
	 * trigger declares no responseData, so n8n answers the default's name).
	 */
	const answered = (d: { status: number | null; responseText?: string }) => {
		const text = d.responseText ?? '';
		return [d.status, text.startsWith('{') ? JSON.parse(text).message : text];
	};
	const STARTED = 'firstEntryJson';
	const DROPPED = 'Webhook call received';

	beforeAll(async () => {
		slack = new SlackSimulator({ token: TOKEN, signingSecret: SECRET, botUserId: 'U0SIMBOT01', timeScale: 0.001 });
		slack.createChannel({ id: CHANNEL, name: 'support' });
		proxy = await startTlsProxy({ handlers: slack.hosts });
		n8n = await N8nInstance.start({
			env: proxy.env,
			credentials: [{ ...CREDENTIAL, type: 'slackApi', data: { accessToken: TOKEN, signatureSecret: SECRET } }],
			workflows: [openThread, relayReplies],
		});
		triggerUrl = n8n.webhookUrl(`${TRIGGER_WEBHOOK_ID}/webhook`);
		await n8n.waitForWebhook('slack-open');
		await n8n.waitForWebhook(`${TRIGGER_WEBHOOK_ID}/webhook`);
	}, 240_000);

	afterAll(async () => {
		await n8n?.stop();
		await slack?.stop();
		await proxy?.stop();
	});

	test('saving the Request URL: the Slack Trigger answers Slack\'s signed url_verification challenge', async () => {
		const result = await slack.setEventUrl(triggerUrl);
		expect(result).toMatchObject({ verified: true, status: 200 });
		expect(JSON.parse(result.responseText!)).toEqual({ challenge: result.challenge });
	});

	test('Webhook → Slack node: chat.postMessage reaches slack.com with the Bearer token; the echo is filtered', async () => {
		const res = await request(n8n.webhookUrl('slack-open'), { method: 'POST', body: { text: 'Carla (web chat) needs a human' } });
		expect(res.status).toBe(200);
		const answer = res.json();
		expect(answer).toEqual({ ts: expect.stringMatching(/^\d{10}\.\d{6}$/), channel: CHANNEL });
		rootTs = answer.ts;

		const [post] = slack.getCalls('chat.postMessage');
		expect(post).toMatchObject({ host: 'slack.com', httpMethod: 'POST', path: '/api/chat.postMessage', status: 200, ok: true });
		expect(post.headers.authorization).toBe(`Bearer ${TOKEN}`);
		expect(post.headers['content-type']).toBe('application/json; charset=utf-8');
		// includeLinkToWorkflow: false → the text as given (the default appends an n8n link); n8n
		// also sends the option itself along as an argument, which Slack ignores.
		expect(post.args).toEqual({ channel: CHANNEL, text: 'Carla (web chat) needs a human', includeLinkToWorkflow: false });
		expect(slack.getMessages(CHANNEL).map((m) => [m.text, m.bot_id])).toEqual([['Carla (web chat) needs a human', slack.botId]]);

		// Slack sends the bot's own post back as a message event; the trigger's user filter drops it
		// (n8n answers "Webhook call received" when it starts no execution).
		await slack.idle();
		const echo = deliveryOf((e) => e.ts === rootTs);
		expect(echo.map(answered)).toEqual([[200, DROPPED]]);
		expect(echo[0].body.event).toMatchObject({ bot_id: slack.botId, user: 'U0SIMBOT01' });
	});

	test('an agent\'s signed thread reply starts the trigger, whose Slack node answers in the same thread', async () => {
		const reply = slack.userPosts(CHANNEL, 'Hi Carla, Alice here', { threadTs: rootTs });
		const [execution] = await n8n.waitForExecutions(1, { workflowId: triggerId() });
		expect(execution.status).toBe('success');
		const runData = execution.data.resultData.runData;
		// The trigger outputs body.event only: what a relay gets of an agent's reply.
		expect(runData['Slack Trigger'][0].data.main[0][0].json).toEqual({
			type: 'message',
			text: 'Hi Carla, Alice here',
			user: DEFAULT_AGENT.id,
			ts: reply.ts,
			team: slack.teamId,
			client_msg_id: expect.any(String),
			blocks: expect.any(Array),
			thread_ts: rootTs,
			parent_user_id: 'U0SIMBOT01',
			channel: CHANNEL,
			event_ts: reply.ts,
			channel_type: 'channel',
		});
		const posted = runData['Reply in thread'][0].data.main[0][0].json;
		expect(posted).toMatchObject({ ok: true, channel: CHANNEL, message_timestamp: expect.any(String) });
		expect(posted.ts).toBeUndefined(); // n8n renames ts to message_timestamp

		const thread = slack.getMessages(CHANNEL, rootTs).map((m) => m.text);
		expect(thread).toEqual(['Carla (web chat) needs a human', 'Hi Carla, Alice here', 'Relayed: Hi Carla, Alice here']);
		expect(slack.ghostMessages(CHANNEL)).toEqual([]);
		const [, replyCall] = slack.getCalls('chat.postMessage');
		expect(replyCall.args).toEqual({ channel: CHANNEL, text: 'Relayed: Hi Carla, Alice here', thread_ts: rootTs, reply_broadcast: false, includeLinkToWorkflow: false });

		await slack.idle();
		const agentDelivery = deliveryOf((e) => e.ts === reply.ts);
		expect(agentDelivery.map(answered)).toEqual([[200, STARTED]]);
		const relayedEcho = deliveryOf((e) => e.text === 'Relayed: Hi Carla, Alice here');
		expect(relayedEcho.map(answered)).toEqual([[200, DROPPED]]);
	});

	test('the trigger does not dedupe: Slack\'s retry of the same event_id runs the workflow again', async () => {
		const [first] = deliveryOf((e) => e.text === 'Hi Carla, Alice here');
		await slack.simulateRetry(first.eventId!, 'http_timeout');
		const retry = slack.getDeliveries().filter((d) => d.eventId === first.eventId && d.retryNum === 1);
		expect(retry.map(answered)).toEqual([[200, STARTED]]);
		await n8n.waitForExecutions(2, { workflowId: triggerId() });
		expect(slack.getMessages(CHANNEL, rootTs).filter((m) => m.text === 'Relayed: Hi Carla, Alice here')).toHaveLength(2);
	});

	test('wrongly signed or unsigned deliveries are refused with 401, and Slack retries them', async () => {
		const body = JSON.stringify(JSON.parse(deliveryOf((e) => e.text === 'Hi Carla, Alice here')[0].rawBody));
		const now = String(Math.floor(Date.now() / 1000));
		const post = (headers: Record<string, string>) =>
			request(triggerUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
		expect((await post({ 'x-slack-request-timestamp': now, 'x-slack-signature': slackSignature('not-the-secret', now, body) })).status).toBe(401);
		expect((await post({ 'x-slack-signature': slackSignature(SECRET, now, body) })).status).toBe(401);
		const stale = String(Math.floor(Date.now() / 1000) - 600);
		expect((await post({ 'x-slack-request-timestamp': stale, 'x-slack-signature': slackSignature(SECRET, stale, body) })).status).toBe(401);

		// The simulator signing with another secret: every attempt 401, then Slack gives up.
		slack.configure({ signingSecret: 'rotated-but-n8n-not-told' });
		try {
			const lost = slack.userPosts(CHANNEL, 'this one is lost', { threadTs: rootTs });
			await slack.idle();
			const attempts = deliveryOf((e) => e.ts === lost.ts);
			expect(attempts.map((d) => [d.status, d.retryNum, d.gaveUp])).toEqual([
				[401, undefined, undefined],
				[401, 1, undefined],
				[401, 2, undefined],
				[401, 3, true],
			]);
		} finally {
			slack.configure({ signingSecret: SECRET });
		}
		// None of them started an execution: the next good one is the third.
		slack.userPosts(CHANNEL, 'back again', { threadTs: rootTs });
		const executions = await n8n.waitForExecutions(3, { workflowId: triggerId() });
		const texts = executions.map((e) => e.data.resultData.runData['Slack Trigger'][0].data.main[0][0].json.text);
		expect(texts).toEqual(['Hi Carla, Alice here', 'Hi Carla, Alice here', 'back again']);
	});

	test('n8n reached Slack only through the proxy, and only slack.com', () => {
		const connects = proxy.log.filter((l) => l.kind === 'connect');
		expect(connects.length).toBeGreaterThan(0);
		expect(new Set(connects.map((l) => `${l.target} ${l.status}`))).toEqual(new Set(['slack.com:443 200']));
		expect(proxy.log.filter((l) => l.kind === 'http')).toEqual([]);
		expect(slack.getCalls().every((c) => c.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
	});
});

/**
 * The Slack simulator behaves as Slack documents its Web API and Events API (and as n8n 2.40.7's
 * Slack node calls them); the TLS proxy lets unmodified clients reach it as https://slack.com.
 */
import * as crypto from 'crypto';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as tls from 'tls';

import { SlackSimulator, DEFAULT_AGENT } from '../../fakes/slack';
import type { SlackSimulatorOptions } from '../../fakes/slack';
import { close, listen } from '../../fakes/http';
import { startTlsProxy } from '../../e2e/lib/tlsProxy';
import type { TlsProxy } from '../../e2e/lib/tlsProxy';

const CHANNEL = 'C0SUPPORT1';

interface Received {
	headers: http.IncomingHttpHeaders;
	raw: string;
	body: any;
}
type Answer = { status: number; body?: string; headers?: Record<string, string> } | 'hold';

/** An Events API endpoint: records each request, answers the challenge, then as `responder` says. */
class EventReceiver {
	readonly requests: Received[] = [];
	responder: (r: Received, index: number) => Answer = () => ({ status: 200 });
	private server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const raw = Buffer.concat(chunks).toString('utf8');
			const received = { headers: req.headers, raw, body: JSON.parse(raw) };
			const index = this.requests.length;
			this.requests.push(received);
			if (received.body.type === 'url_verification' && this.echoChallenge) {
				res.writeHead(200, { 'Content-Type': 'application/json' });
				res.end(JSON.stringify({ challenge: received.body.challenge }));
				return;
			}
			const answer = this.responder(received, index);
			if (answer === 'hold') return; // never answers: Slack's 3 s timeout decides
			res.writeHead(answer.status, { 'Content-Type': 'text/plain', ...(answer.headers ?? {}) });
			res.end(answer.body ?? 'ok');
		});
	});
	echoChallenge = true;
	url = '';

	async start(): Promise<this> {
		this.url = `http://127.0.0.1:${await listen(this.server, 0, '127.0.0.1')}/slack/events`;
		return this;
	}

	events(): any[] {
		return this.requests.filter((r) => r.body.type === 'event_callback').map((r) => r.body);
	}

	async stop(): Promise<void> {
		await close(this.server);
	}
}

/** Computed here, independently of the simulator: v0= hex HMAC-SHA256(secret, "v0:<ts>:<raw body>"). */
function expectedSignature(secret: string, headers: http.IncomingHttpHeaders, raw: string): string {
	return `v0=${crypto.createHmac('sha256', secret).update(`v0:${headers['x-slack-request-timestamp']}:${raw}`).digest('hex')}`;
}

describe('SlackSimulator', () => {
	let sim: SlackSimulator;
	let origin: string;
	let receiver: EventReceiver;

	async function startSim(options: SlackSimulatorOptions = {}, withUrl = true): Promise<void> {
		sim = new SlackSimulator({ timeScale: 0.001, ...options });
		sim.createChannel({ id: CHANNEL, name: 'support' });
		origin = await sim.listen();
		if (withUrl) await sim.setEventUrl(receiver.url);
	}

	/** A Web API call as n8n's Slack node makes it: JSON body with charset, or GET with a query. */
	async function api(method: string, args: Record<string, unknown> = {}, opts: { token?: string | null; get?: boolean; headers?: Record<string, string> } = {}) {
		const token = opts.token === undefined ? sim.token : opts.token;
		const auth: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
		const res = opts.get
			? await fetch(`${origin}/api/${method}?${new URLSearchParams(args as Record<string, string>)}`, { headers: { ...auth, ...opts.headers } })
			: await fetch(`${origin}/api/${method}`, {
					method: 'POST',
					headers: { 'Content-Type': 'application/json; charset=utf-8', ...auth, ...opts.headers },
					body: JSON.stringify(args),
				});
		return { status: res.status, headers: res.headers, body: (await res.json()) as any };
	}

	beforeEach(async () => {
		receiver = await new EventReceiver().start();
	});

	afterEach(async () => {
		await sim?.stop();
		await receiver.stop();
	});

	describe('Web API auth and errors', () => {
		beforeEach(() => startSim({}, false));

		test('not_authed without a token, invalid_auth with a wrong one: HTTP 200 {ok:false,error}', async () => {
			expect(await api('auth.test', {}, { token: null })).toMatchObject({ status: 200, body: { ok: false, error: 'not_authed' } });
			expect(await api('auth.test', {}, { token: 'xoxb-wrong' })).toMatchObject({ status: 200, body: { ok: false, error: 'invalid_auth' } });
			const me = await api('auth.test');
			expect(me.body).toEqual({
				ok: true,
				url: 'https://sim-workspace.slack.com/',
				team: 'Simulated Workspace',
				user: 'handoff-bot',
				team_id: sim.teamId,
				user_id: sim.botUserId,
				bot_id: sim.botId,
				is_enterprise_install: false,
			});
		});

		test('the token is taken from a form or query argument, never from a JSON body', async () => {
			const form = await fetch(`${origin}/api/auth.test`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ token: sim.token }).toString(),
			});
			expect(((await form.json()) as any).ok).toBe(true);
			expect((await api('auth.test', { token: sim.token }, { token: null })).body.error).toBe('not_authed');
		});

		test('channel_not_found, no_text, not_in_channel, is_archived; missing_charset is a warning', async () => {
			expect((await api('chat.postMessage', { channel: 'C0NOWHERE1', text: 'x' })).body).toEqual({ ok: false, error: 'channel_not_found' });
			expect((await api('chat.postMessage', { channel: CHANNEL })).body.error).toBe('no_text');
			const outside = sim.createChannel({ name: 'no-bot', botMember: false });
			expect((await api('chat.postMessage', { channel: outside.id, text: 'x' })).body.error).toBe('not_in_channel');
			sim.join(outside.id);
			expect((await api('chat.postMessage', { channel: outside.id, text: 'x' })).body.ok).toBe(true);
			sim.archive(outside.id);
			expect((await api('chat.postMessage', { channel: outside.id, text: 'x' })).body.error).toBe('is_archived');
			const noCharset = await api('chat.postMessage', { channel: '#support', text: 'by name' }, { headers: { 'Content-Type': 'application/json' } });
			expect(noCharset.body).toMatchObject({ ok: true, channel: CHANNEL, warning: 'missing_charset', response_metadata: { warnings: ['missing_charset'] } });
			expect((await api('chat.nothing', {})).body).toMatchObject({ ok: false, error: 'unknown_method' });
		});

		test('injected rate limit: HTTP 429 {ok:false,error:"ratelimited"} with Retry-After, or without', async () => {
			sim.setFaults({ rateLimit: { calls: 1, retryAfterSec: 7, methods: ['chat.postMessage'] } });
			expect((await api('auth.test')).status).toBe(200);
			const limited = await api('chat.postMessage', { channel: CHANNEL, text: 'x' });
			expect(limited.status).toBe(429);
			expect(limited.body).toEqual({ ok: false, error: 'ratelimited' });
			expect(limited.headers.get('retry-after')).toBe('7');
			expect((await api('chat.postMessage', { channel: CHANNEL, text: 'x' })).status).toBe(200);
			sim.setFaults({ rateLimit: { calls: 1, retryAfterSec: null } });
			const bare = await api('auth.test');
			expect(bare.status).toBe(429);
			expect(bare.headers.get('retry-after')).toBeNull();
			expect(sim.getCalls().filter((c) => c.injected).map((c) => c.apiMethod)).toEqual(['chat.postMessage', 'auth.test']);
		});
	});

	describe('messages and threads', () => {
		beforeEach(() => startSim({}, false));

		test('chat.postMessage answers ok, channel, ts and the bot message; ts strictly increase', async () => {
			const first = await api('chat.postMessage', { channel: CHANNEL, text: 'New conversation' });
			expect(first.body).toEqual({
				ok: true,
				channel: CHANNEL,
				ts: expect.stringMatching(/^\d{10}\.\d{6}$/),
				message: expect.objectContaining({
					type: 'message',
					text: 'New conversation',
					user: sim.botUserId,
					bot_id: sim.botId,
					app_id: sim.appId,
					team: sim.teamId,
					ts: first.body.ts,
					bot_profile: expect.objectContaining({ id: sim.botId, app_id: sim.appId }),
				}),
			});
			const stamps = [first.body.ts];
			for (let i = 0; i < 5; i++) stamps.push((await api('chat.postMessage', { channel: CHANNEL, text: `m${i}` })).body.ts);
			for (let i = 1; i < stamps.length; i++) expect(stamps[i] > stamps[i - 1]).toBe(true);
			expect(new Set(stamps).size).toBe(stamps.length);
		});

		test('thread_ts replies: in conversations.replies (root first, with reply counters), not in history', async () => {
			const root = (await api('chat.postMessage', { channel: CHANNEL, text: 'Customer Carla needs help' })).body.ts;
			const reply = await api('chat.postMessage', { channel: CHANNEL, text: 'Carla: my box is damaged', thread_ts: root });
			expect(reply.body.message).toMatchObject({ thread_ts: root, parent_user_id: sim.botUserId });
			const agent = sim.userPosts(CHANNEL, 'Hi Carla, Alice here', { threadTs: root });
			expect(agent).toMatchObject({ thread_ts: root, parent_user_id: sim.botUserId, user: DEFAULT_AGENT.id, client_msg_id: expect.any(String) });
			expect(agent.bot_id).toBeUndefined();

			const thread = await api('conversations.replies', { channel: CHANNEL, ts: root, limit: '100' }, { get: true });
			expect(thread.body.messages.map((m: any) => m.text)).toEqual(['Customer Carla needs help', 'Carla: my box is damaged', 'Hi Carla, Alice here']);
			expect(thread.body.messages[0]).toMatchObject({
				thread_ts: root,
				reply_count: 2,
				reply_users_count: 2,
				reply_users: [sim.botUserId, DEFAULT_AGENT.id],
				latest_reply: agent.ts,
			});
			expect(thread.body.has_more).toBe(false);
			// A reply's ts gives that reply alone.
			const single = await api('conversations.replies', { channel: CHANNEL, ts: agent.ts }, { get: true });
			expect(single.body.messages.map((m: any) => m.ts)).toEqual([agent.ts]);

			sim.userPosts(CHANNEL, 'unrelated top-level');
			const history = await api('conversations.history', { channel: CHANNEL, limit: '10' }, { get: true });
			expect(history.body.messages.map((m: any) => m.text)).toEqual(['unrelated top-level', 'Customer Carla needs help']);
			expect(sim.getMessages(CHANNEL, root).map((m) => m.text)).toHaveLength(3);
			expect((await api('conversations.replies', { channel: CHANNEL, ts: '1000000000.000001' }, { get: true })).body.error).toBe('thread_not_found');
		});

		test('thread_ts is an exact string: a number-mangled one is accepted and the reply is seen nowhere', async () => {
			const root = (await api('chat.postMessage', { channel: CHANNEL, text: 'root' })).body.ts as string;
			// What String(Number(ts)) does to a ts that ends in zeros (e.g. "…123400" → "…1234").
			const mangled = String(Number(`${root.split('.')[0]}.123400`));
			const lost = await api('chat.postMessage', { channel: CHANNEL, text: 'lost reply', thread_ts: mangled });
			expect(lost.body.ok).toBe(true);
			expect(sim.getMessages(CHANNEL).map((m) => m.text)).toEqual(['root']);
			expect(sim.getMessages(CHANNEL, root).map((m) => m.text)).toEqual(['root']);
			expect(sim.ghostMessages(CHANNEL).map((m) => m.text)).toEqual(['lost reply']);
			expect((await api('chat.postMessage', { channel: CHANNEL, text: 'x', thread_ts: '0' })).body.error).toBe('invalid_thread_ts');
			// reply_broadcast: the reply is shown in the channel too.
			await api('chat.postMessage', { channel: CHANNEL, text: 'also in channel', thread_ts: root, reply_broadcast: true });
			expect(sim.getMessages(CHANNEL).map((m) => [m.text, m.subtype])).toEqual([
				['root', undefined],
				['also in channel', 'thread_broadcast'],
			]);
		});

		test('conversations.history pages newest first with a cursor; oldest/latest bound it', async () => {
			const stamps: string[] = [];
			for (let i = 0; i < 5; i++) stamps.push((await api('chat.postMessage', { channel: CHANNEL, text: `m${i}` })).body.ts);
			const first = await api('conversations.history', { channel: CHANNEL, limit: '2' }, { get: true });
			expect(first.body.messages.map((m: any) => m.text)).toEqual(['m4', 'm3']);
			expect(first.body.has_more).toBe(true);
			const second = await api('conversations.history', { channel: CHANNEL, limit: '2', cursor: first.body.response_metadata.next_cursor }, { get: true });
			expect(second.body.messages.map((m: any) => m.text)).toEqual(['m2', 'm1']);
			const bounded = await api('conversations.history', { channel: CHANNEL, oldest: stamps[1], latest: stamps[3] }, { get: true });
			expect(bounded.body.messages.map((m: any) => m.text)).toEqual(['m2']);
			const inclusive = await api('conversations.history', { channel: CHANNEL, oldest: stamps[1], latest: stamps[3], inclusive: 'true' }, { get: true });
			expect(inclusive.body.messages.map((m: any) => m.text)).toEqual(['m3', 'm2', 'm1']);
			expect((await api('conversations.history', { channel: CHANNEL, cursor: 'bogus' }, { get: true })).body.error).toBe('invalid_cursor');
		});

		test('chat.update edits the bot\'s own message only; reactions.add once per user and name', async () => {
			const ts = (await api('chat.postMessage', { channel: CHANNEL, text: 'draft' })).body.ts;
			const updated = await api('chat.update', { channel: CHANNEL, ts, text: 'final' });
			expect(updated.body).toMatchObject({ ok: true, channel: CHANNEL, ts, text: 'final', message: { text: 'final', edited: { user: sim.botId } } });
			const human = sim.userPosts(CHANNEL, 'mine');
			expect((await api('chat.update', { channel: CHANNEL, ts: human.ts, text: 'x' })).body.error).toBe('cant_update_message');
			expect((await api('chat.update', { channel: CHANNEL, ts: '1000000000.000001', text: 'x' })).body.error).toBe('message_not_found');

			expect((await api('reactions.add', { channel: CHANNEL, timestamp: human.ts, name: 'eyes' })).body).toEqual({ ok: true });
			expect((await api('reactions.add', { channel: CHANNEL, timestamp: human.ts, name: 'eyes' })).body.error).toBe('already_reacted');
			expect((await api('reactions.add', { channel: CHANNEL, timestamp: human.ts, name: ':eyes:' })).body.error).toBe('invalid_name');
			expect(sim.getMessages(CHANNEL).find((m) => m.ts === human.ts)!.reactions).toEqual([{ name: 'eyes', users: [sim.botUserId], count: 1 }]);
		});

		test('users.info, users.profile.get (the credential test), conversations.info', async () => {
			const user = await api('users.info', { user: DEFAULT_AGENT.id }, { get: true });
			expect(user.body.user).toMatchObject({ id: DEFAULT_AGENT.id, name: 'alice', real_name: 'Alice Agent', is_bot: false, profile: { email: 'alice@example.com' } });
			expect((await api('users.info', { user: sim.botUserId }, { get: true })).body.user).toMatchObject({ is_bot: true, profile: { bot_id: sim.botId } });
			expect((await api('users.info', { user: 'U0NOBODY01' }, { get: true })).body.error).toBe('user_not_found');
			expect((await api('users.profile.get', {}, { get: true })).body).toMatchObject({ ok: true, profile: { bot_id: sim.botId } });
			expect((await api('conversations.info', { channel: CHANNEL }, { get: true })).body.channel).toMatchObject({ id: CHANNEL, name: 'support', is_member: true, is_channel: true });
		});
	});

	describe('Events API', () => {
		test('url_verification when the Request URL is saved; kept only if the challenge comes back', async () => {
			receiver.echoChallenge = false;
			await startSim({}, false);
			await expect(sim.setEventUrl(receiver.url)).rejects.toThrow(/challenge/);
			expect(sim.requestUrl).toBeUndefined();
			sim.userPosts(CHANNEL, 'before any URL');
			receiver.echoChallenge = true;
			const result = await sim.setEventUrl(receiver.url);
			expect(result.verified).toBe(true);
			expect(sim.requestUrl).toBe(receiver.url);
			const checks = receiver.requests.map((r) => r.body);
			expect(checks).toEqual([
				{ token: expect.any(String), challenge: expect.any(String), type: 'url_verification' },
				{ token: expect.any(String), challenge: expect.any(String), type: 'url_verification' },
			]);
			expect(checks[0].challenge).not.toBe(checks[1].challenge);
			// Events before the URL was saved are not delivered later.
			await sim.idle();
			expect(receiver.events()).toEqual([]);
		});

		test('an agent\'s thread reply is a signed event_callback message event', async () => {
			await startSim({ signingSecret: 'unit-secret' });
			const root = (await api('chat.postMessage', { channel: CHANNEL, text: 'New conversation' })).body.ts;
			const reply = sim.userPosts(CHANNEL, 'On it!', { threadTs: root });
			await sim.idle();
			for (const r of receiver.requests) {
				expect(r.headers['x-slack-signature']).toBe(expectedSignature('unit-secret', r.headers, r.raw));
				expect(Math.abs(Number(r.headers['x-slack-request-timestamp']) - Date.now() / 1000)).toBeLessThan(300);
				expect(r.headers['user-agent']).toMatch(/^Slackbot 1\.0/);
				expect(r.headers['x-slack-retry-num']).toBeUndefined();
			}
			const [echo, agent] = receiver.events();
			expect(agent).toEqual({
				token: expect.any(String),
				team_id: sim.teamId,
				context_team_id: sim.teamId,
				context_enterprise_id: null,
				api_app_id: sim.appId,
				event: {
					type: 'message',
					text: 'On it!',
					user: DEFAULT_AGENT.id,
					ts: reply.ts,
					team: sim.teamId,
					client_msg_id: expect.any(String),
					blocks: [expect.objectContaining({ type: 'rich_text' })],
					thread_ts: root,
					parent_user_id: sim.botUserId,
					channel: CHANNEL,
					event_ts: reply.ts,
					channel_type: 'channel',
				},
				type: 'event_callback',
				event_id: expect.stringMatching(/^Ev[A-Z0-9]+$/),
				event_time: expect.any(Number),
				authorizations: [{ enterprise_id: null, team_id: sim.teamId, user_id: sim.botUserId, is_bot: true, is_enterprise_install: false }],
				is_ext_shared_channel: false,
				event_context: expect.any(String),
			});
			// The bot's own post came back too, marked with bot_id (Slack echoes an app's messages).
			expect(echo.event).toMatchObject({ type: 'message', text: 'New conversation', bot_id: sim.botId, user: sim.botUserId, app_id: sim.appId, ts: root });
			expect(echo.event_id).not.toBe(agent.event_id);
		});

		test('chat.update → message_changed; reactions → reaction_added; no events from channels without the bot', async () => {
			await startSim();
			const ts = (await api('chat.postMessage', { channel: CHANNEL, text: 'draft' })).body.ts;
			await api('chat.update', { channel: CHANNEL, ts, text: 'final' });
			await api('reactions.add', { channel: CHANNEL, timestamp: ts, name: 'white_check_mark' });
			const outside = sim.createChannel({ name: 'elsewhere', botMember: false });
			sim.userPosts(outside.id, 'not for the bot');
			await sim.idle();
			const events = receiver.events().map((e) => e.event);
			expect(events.map((e) => [e.type, e.subtype])).toEqual([
				['message', undefined],
				['message', 'message_changed'],
				['reaction_added', undefined],
			]);
			expect(events[1]).toMatchObject({ hidden: true, channel: CHANNEL, message: { text: 'final', ts, bot_id: sim.botId }, previous_message: { text: 'draft' } });
			expect(events[1].user).toBeUndefined();
			expect(events[2]).toEqual({ type: 'reaction_added', user: sim.botUserId, reaction: 'white_check_mark', item_user: sim.botUserId, item: { type: 'message', channel: CHANNEL, ts }, event_ts: expect.any(String) });
		});

		test('a receiver answering 500 gets 3 retries (0, 1, 5 min × timeScale), same event, signed anew', async () => {
			await startSim({ signingSecret: 'unit-secret', timeScale: 0.001 });
			receiver.responder = () => ({ status: 500 });
			sim.userPosts(CHANNEL, 'hello?');
			await sim.idle();
			const attempts = sim.getDeliveries().filter((d) => d.kind === 'event_callback');
			expect(attempts.map((a) => [a.attempt, a.status, a.retryNum, a.retryReason, a.retryInMs, a.gaveUp])).toEqual([
				[1, 500, undefined, undefined, 0, undefined],
				[2, 500, 1, 'http_error', 60, undefined],
				[3, 500, 2, 'http_error', 300, undefined],
				[4, 500, 3, 'http_error', undefined, true],
			]);
			const got = receiver.requests.filter((r) => r.body.type === 'event_callback');
			expect(got.map((r) => r.headers['x-slack-retry-num'])).toEqual([undefined, '1', '2', '3']);
			expect(got.map((r) => r.headers['x-slack-retry-reason'])).toEqual([undefined, 'http_error', 'http_error', 'http_error']);
			expect(new Set(got.map((r) => r.raw)).size).toBe(1);
			for (const r of got) expect(r.headers['x-slack-signature']).toBe(expectedSignature('unit-secret', r.headers, r.raw));
		});

		test('X-Slack-No-Retry: 1 stops retries; a late answer is http_timeout; a dead URL connection_failed', async () => {
			await startSim({ ackTimeoutMs: 200 });
			receiver.responder = () => ({ status: 503, headers: { 'X-Slack-No-Retry': '1' } });
			sim.userPosts(CHANNEL, 'one');
			await sim.idle();
			expect(sim.getDeliveries().filter((d) => d.kind === 'event_callback').map((d) => [d.status, d.noRetry, d.gaveUp])).toEqual([[503, true, true]]);

			let held = false;
			receiver.responder = (r) => {
				if (r.body.event?.text !== 'two' || held) return { status: 200 };
				held = true;
				return 'hold'; // no answer at all: only Slack's timeout can end this attempt
			};
			sim.userPosts(CHANNEL, 'two');
			await sim.idle();
			const two = sim.getDeliveries().filter((d) => d.body.event?.text === 'two');
			expect(two.map((d) => [d.status, d.retryNum, d.retryReason])).toEqual([
				[null, undefined, undefined],
				[200, 1, 'http_timeout'],
			]);

			const dead = new EventReceiver();
			await dead.start();
			const deadUrl = dead.url;
			await sim.setEventUrl(deadUrl);
			await dead.stop();
			sim.userPosts(CHANNEL, 'three');
			await sim.idle();
			const three = sim.getDeliveries().filter((d) => d.body.event?.text === 'three');
			expect(three.map((d) => [d.status, d.retryReason])).toEqual([
				[null, undefined],
				[null, 'connection_failed'],
				[null, 'connection_failed'],
				[null, 'connection_failed'],
			]);
			expect(three[3].gaveUp).toBe(true);
		});

		test('simulateRetry sends a delivered event again as Slack\'s retry of a slow answer', async () => {
			await startSim();
			sim.userPosts(CHANNEL, 'once');
			await sim.idle();
			const [first] = receiver.events();
			await sim.simulateRetry(first.event_id);
			const copies = receiver.requests.filter((r) => r.body.event_id === first.event_id);
			expect(copies.map((r) => [r.headers['x-slack-retry-num'], r.headers['x-slack-retry-reason']])).toEqual([
				[undefined, undefined],
				['1', 'http_timeout'],
			]);
			expect(copies[1].raw).toBe(copies[0].raw);
		});
	});

	describe('files, through the TLS proxy as n8n\'s Slack node uploads them', () => {
		let proxy: TlsProxy;

		beforeEach(async () => {
			await startSim();
			proxy = await startTlsProxy({ handlers: sim.hosts });
		});

		afterEach(() => proxy.stop());

		test('getUploadURLExternal → multipart POST to files.slack.com → completeUploadExternal shares it in a thread', async () => {
			const call = (url: string, init: ViaProxyInit = {}) => viaProxy(proxy, url, { ...init, headers: { Authorization: `Bearer ${sim.token}`, ...(init.headers ?? {}) } });
			const root = JSON.parse((await call('https://slack.com/api/chat.postMessage', { method: 'POST', json: { channel: CHANNEL, text: 'root' } })).text).ts;
			const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 7, 7, 7]);
			const ticket = JSON.parse((await call(`https://slack.com/api/files.getUploadURLExternal?filename=label.png&length=${png.length}`)).text);
			expect(ticket).toEqual({ ok: true, upload_url: expect.stringMatching(/^https:\/\/files\.slack\.com\/upload\/v1\/.+/), file_id: expect.stringMatching(/^F/) });

			const boundary = '----n8nboundary';
			const multipart = Buffer.concat([
				Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="label.png"\r\nContent-Type: image/png\r\n\r\n`),
				png,
				Buffer.from(`\r\n--${boundary}--\r\n`),
			]);
			const uploaded = await call(ticket.upload_url, { method: 'POST', headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` }, raw: multipart });
			expect(uploaded).toMatchObject({ status: 200, text: `OK - ${png.length}` });

			const done = JSON.parse(
				(await call('https://slack.com/api/files.completeUploadExternal', {
					method: 'POST',
					json: { files: [{ id: ticket.file_id, title: 'Shipping label' }], channel_id: CHANNEL, thread_ts: root, initial_comment: 'label attached' },
				})).text,
			);
			expect(done.files[0]).toMatchObject({ id: ticket.file_id, title: 'Shipping label', name: 'label.png', mimetype: 'image/png', size: png.length });
			const shared = sim.getMessages(CHANNEL, root)[1];
			expect(shared).toMatchObject({ subtype: 'file_share', text: 'label attached', thread_ts: root, files: [{ id: ticket.file_id }] });

			const download = await call(done.files[0].url_private_download);
			expect(download.status).toBe(200);
			expect(download.body).toEqual(png);
			const anonymous = await viaProxy(proxy, done.files[0].url_private_download);
			expect(anonymous.headers['content-type']).toMatch(/^text\/html/);
			expect(JSON.parse((await call('https://slack.com/api/files.upload', { method: 'POST', json: {} })).text).error).toBe('method_deprecated');
			expect(proxy.log.filter((l) => l.kind === 'connect').map((l) => [l.target, l.status])).toEqual(
				expect.arrayContaining([
					['slack.com:443', 200],
					['files.slack.com:443', 200],
				]),
			);
		});

		test('a file an agent attaches arrives as a file_share event with a url_private_download that needs the token', async () => {
			sim.userPosts(CHANNEL, 'here is the photo', { files: [{ name: 'box.jpg', mimetype: 'image/jpeg', data: 'jpeg-bytes' }] });
			await sim.idle();
			const [event] = receiver.events().map((e) => e.event);
			expect(event).toMatchObject({ type: 'message', subtype: 'file_share', user: DEFAULT_AGENT.id, files: [{ name: 'box.jpg', mimetype: 'image/jpeg', size: 10 }] });
			const file = await viaProxy(proxy, event.files[0].url_private_download, { headers: { Authorization: `Bearer ${sim.token}` } });
			expect(file.body.toString()).toBe('jpeg-bytes');
		});
	});
});

describe('TLS proxy', () => {
	let proxy: TlsProxy;
	const echo: http.RequestListener = (req, res) => {
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.end(JSON.stringify({ host: req.headers.host, url: req.url, method: req.method }));
	};

	beforeAll(async () => {
		proxy = await startTlsProxy({ handlers: { 'slack.com': echo, 'graph.microsoft.com': echo } });
	});

	afterAll(() => proxy.stop());

	test('env carries the proxy in both cases, NO_PROXY for loopback, and the CA', () => {
		expect(proxy.env).toEqual({
			HTTPS_PROXY: proxy.url,
			HTTP_PROXY: proxy.url,
			https_proxy: proxy.url,
			http_proxy: proxy.url,
			NO_PROXY: '127.0.0.1,localhost,::1',
			no_proxy: '127.0.0.1,localhost,::1',
			NODE_EXTRA_CA_CERTS: proxy.caPath,
		});
		expect(proxy.caPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
	});

	test('https.request through a CONNECT tunnel with the test CA reaches the handler of the Host', async () => {
		const slack = await viaProxy(proxy, 'https://slack.com/api/auth.test?x=1', { method: 'POST', json: { a: 1 } });
		expect(slack.status).toBe(200);
		expect(JSON.parse(slack.text)).toEqual({ host: 'slack.com', url: '/api/auth.test?x=1', method: 'POST' });
		const graph = await viaProxy(proxy, 'https://graph.microsoft.com/v1.0/subscriptions');
		expect(JSON.parse(graph.text).host).toBe('graph.microsoft.com');
	});

	test('without the test CA the certificate is refused', async () => {
		await expect(viaProxy(proxy, 'https://slack.com/api/auth.test', { ca: null })).rejects.toThrow(/certificate/i);
	});

	test('CONNECT to a host without a handler, or not on 443, is 403; plain HTTP only to loopback', async () => {
		expect(await connectStatus(proxy, 'example.com:443')).toBe(403);
		expect(await connectStatus(proxy, 'login.microsoftonline.com:443')).toBe(403);
		expect(await connectStatus(proxy, 'slack.com:80')).toBe(403);
		expect(proxy.log.filter((l) => l.kind === 'connect' && l.status === 403).map((l) => l.target)).toEqual(
			expect.arrayContaining(['example.com:443', 'login.microsoftonline.com:443', 'slack.com:80']),
		);

		const local = http.createServer(echo);
		const port = await listen(local, 0, '127.0.0.1');
		try {
			const forwarded = await plainViaProxy(proxy, `http://127.0.0.1:${port}/hello`);
			expect(forwarded.status).toBe(200);
			expect(JSON.parse(forwarded.text)).toMatchObject({ url: '/hello' });
			const refused = await plainViaProxy(proxy, 'http://example.com/');
			expect(refused.status).toBe(403);
			expect(refused.text).toMatch(/only loopback/);
		} finally {
			await close(local);
		}
	});

	test('a handler can only be set for a host the certificate covers', () => {
		expect(() => proxy.setHandler('example.com', echo)).toThrow(/does not cover/);
		expect(() => proxy.setHandler('files.slack.com', echo)).not.toThrow();
		expect(() => proxy.setHandler('a.b.slack.com', echo)).toThrow(/does not cover/);
	});
});

// ---------------------------------------------------------------- clients through the proxy

interface ViaProxyInit {
	method?: string;
	headers?: Record<string, string>;
	json?: unknown;
	raw?: Buffer;
	/** The CA to trust; default the proxy's test CA; null = Node's default store only. */
	ca?: string | null;
}

/**
 * A CONNECT written by hand on a plain socket: http.request's CONNECT goes through the request
 * interceptor other unit files install (nock), which cannot read a CONNECT target as a URL.
 */
function tunnel(proxy: TlsProxy, target: string): Promise<{ status: number; socket: net.Socket }> {
	const { hostname, port } = new URL(proxy.url);
	return new Promise((resolve, reject) => {
		const socket = net.connect(Number(port), hostname, () => socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`));
		let head = Buffer.alloc(0);
		const onData = (chunk: Buffer) => {
			head = Buffer.concat([head, chunk]);
			const end = head.indexOf('\r\n\r\n');
			if (end < 0) return;
			socket.off('data', onData);
			socket.off('error', reject);
			const rest = head.subarray(end + 4);
			if (rest.length) socket.unshift(rest);
			const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head.subarray(0, end).toString('latin1'))?.[1] ?? 0);
			resolve({ status, socket });
		};
		socket.on('data', onData);
		socket.on('error', reject);
	});
}

async function connectStatus(proxy: TlsProxy, target: string): Promise<number> {
	const { status, socket } = await tunnel(proxy, target);
	socket.destroy();
	return status;
}

/** An HTTPS request through a CONNECT tunnel, the way proxy agents make it. */
async function viaProxy(proxy: TlsProxy, url: string, init: ViaProxyInit = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer; text: string }> {
	const target = new URL(url);
	const { status, socket } = await tunnel(proxy, `${target.hostname}:443`);
	if (status !== 200) {
		socket.destroy();
		throw new Error(`CONNECT ${target.hostname}: ${status}`);
	}
	const payload = init.json !== undefined ? Buffer.from(JSON.stringify(init.json)) : init.raw;
	const headers: Record<string, string> = { ...(init.json !== undefined ? { 'Content-Type': 'application/json; charset=utf-8' } : {}), ...(init.headers ?? {}) };
	if (payload) headers['Content-Length'] = String(payload.length);
	const ca = init.ca === null ? undefined : init.ca ?? proxy.caPem;
	return new Promise((resolve, reject) => {
		const req = https.request(
			{
				host: target.hostname,
				port: 443,
				defaultPort: 443, // no agent here: without it Node writes "Host: slack.com:80"
				path: `${target.pathname}${target.search}`,
				method: init.method ?? 'GET',
				headers,
				createConnection: () => tls.connect({ socket, servername: target.hostname, ca }),
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => {
					const body = Buffer.concat(chunks);
					socket.destroy();
					resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
				});
			},
		);
		req.on('error', (err) => {
			socket.destroy();
			reject(err);
		});
		req.end(payload);
	});
}

/** A plain-HTTP proxy request (absolute URL in the request line). */
function plainViaProxy(proxy: TlsProxy, url: string): Promise<{ status: number; text: string }> {
	const { hostname, port } = new URL(proxy.url);
	return new Promise((resolve, reject) => {
		const req = http.request({ host: hostname, port, method: 'GET', path: url, headers: { host: new URL(url).host }, agent: false }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
		});
		req.on('error', reject);
		req.end();
	});
}

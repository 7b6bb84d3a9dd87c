/**
 * The Microsoft Graph simulator behaves as Graph documents subscriptions, change notifications and
 * channel messages (and as n8n 2.40.7's Teams node and Teams Trigger call them); the TLS proxy
 * lets unmodified clients reach it as https://graph.microsoft.com and https://login.microsoftonline.com.
 */
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as tls from 'tls';

import { TeamsSimulator, TEAMS_DEFAULT_AGENT } from '../../fakes/teams';
import type { TeamsSimulatorOptions } from '../../fakes/teams';
import { close, httpRequest, listen, waitFor } from '../../fakes/http';
import type { HttpResult } from '../../fakes/http';
import { startTlsProxy } from '../../e2e/lib/tlsProxy';
import type { TlsProxy } from '../../e2e/lib/tlsProxy';

const TEAM = '0d3f1f2a-1111-2222-3333-444455556666';
const CHANNEL = '19:5e1d7b0c2a9f4e3d8c6b1a0f9e8d7c6b@thread.tacv2';
const PUBLIC_URL = 'https://n8n.example.com/webhook/teams';

interface Received {
	url: string;
	headers: http.IncomingHttpHeaders;
	raw: string;
}
type Answer = { status: number; body?: string; contentType?: string } | 'hold';

/** A notification endpoint: records each request, answers validation as `validation` says, the rest as `responder`. */
class NotificationReceiver {
	readonly requests: Received[] = [];
	validation: 'echo' | 'html' | 'wrong' | 'hold' = 'echo';
	responder: (r: Received, index: number) => Answer = () => ({ status: 202 });
	url = '';
	private server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const received = { url: req.url ?? '', headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') };
			this.requests.push(received);
			const token = new URL(received.url, 'http://x').searchParams.get('validationToken');
			if (token !== null) {
				if (this.validation === 'hold') return;
				res.writeHead(200, { 'Content-Type': this.validation === 'html' ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8' });
				res.end(this.validation === 'wrong' ? encodeURIComponent(token) : token);
				return;
			}
			const answer = this.responder(received, this.notifications().length - 1);
			if (answer === 'hold') return;
			res.writeHead(answer.status, { 'Content-Type': answer.contentType ?? 'text/plain' });
			res.end(answer.body ?? '');
		});
	});

	async start(): Promise<this> {
		this.url = `http://127.0.0.1:${await listen(this.server, 0, '127.0.0.1')}/webhook/teams`;
		return this;
	}

	notifications(): any[] {
		return this.requests.filter((r) => !r.url.includes('validationToken=')).map((r) => JSON.parse(r.raw));
	}

	validations(): Received[] {
		return this.requests.filter((r) => r.url.includes('validationToken='));
	}

	async stop(): Promise<void> {
		await close(this.server);
	}
}

describe('TeamsSimulator', () => {
	let sim: TeamsSimulator;
	let origin: string;
	let receiver: NotificationReceiver;
	let token: string;

	/** A Graph call as n8n's Teams node makes it (Bearer token, JSON). */
	const graph = (method: string, path: string, body?: unknown, bearer: string | null = token): Promise<HttpResult> =>
		httpRequest(`${origin}${path}`, {
			method,
			headers: { host: 'graph.microsoft.com', ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }) },
			body,
		});
	const tokenRequest = (form: Record<string, string>, tenant = 'common'): Promise<HttpResult> =>
		httpRequest(`${origin}/${tenant}/oauth2/v2.0/token`, {
			method: 'POST',
			headers: { host: 'login.microsoftonline.com', 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams(form).toString(),
		});
	const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
	/** The subscription n8n's Teams Trigger creates (utils-trigger.js createSubscription). */
	const subscribe = (overrides: Record<string, unknown> = {}) =>
		graph('POST', '/v1.0/subscriptions', {
			changeType: 'created',
			notificationUrl: PUBLIC_URL,
			resource: `/teams/${TEAM}/channels/${CHANNEL}/messages`,
			expirationDateTime: inMinutes(4318),
			latestSupportedTlsVersion: 'v1_2',
			lifecycleNotificationUrl: PUBLIC_URL,
			clientState: 'a'.repeat(64),
			...overrides,
		});

	async function startSim(options: TeamsSimulatorOptions = {}): Promise<void> {
		sim = new TeamsSimulator({ timeScale: 0.001, route: (url) => url.replace(PUBLIC_URL, receiver.url), ...options });
		sim.createTeam({ id: TEAM, displayName: 'Support' });
		sim.createChannel(TEAM, { id: CHANNEL, displayName: 'Handoffs' });
		origin = await sim.listen();
		token = String(sim.credentialData().oauthTokenData && (sim.credentialData().oauthTokenData as { access_token: string }).access_token);
	}

	beforeEach(async () => {
		receiver = await new NotificationReceiver().start();
	});

	afterEach(async () => {
		await sim?.stop();
		await receiver.stop();
	});

	describe('authentication', () => {
		test('no or an unknown bearer token: 401 InvalidAuthenticationToken in Graph\'s error shape, with WWW-Authenticate', async () => {
			await startSim();
			for (const bearer of [null, 'not-a-token']) {
				const res = await graph('GET', '/v1.0/subscriptions', undefined, bearer);
				expect(res.status).toBe(401);
				expect(res.body.error).toMatchObject({ code: 'InvalidAuthenticationToken', message: expect.any(String), innerError: { 'request-id': expect.any(String), date: expect.any(String) } });
				expect(res.headers['www-authenticate']).toMatch(/^Bearer realm=""/);
			}
			expect((await graph('GET', '/v1.0/subscriptions')).status).toBe(200);
		});

		test('an expired access token is refused; the refresh_token grant issues a new one that works, the client secret checked', async () => {
			await startSim();
			sim.expireAccessTokens();
			const expired = await graph('GET', '/v1.0/subscriptions');
			expect([expired.status, expired.body.error.message]).toEqual([401, 'Lifetime validation failed, the token is expired.']);

			const { refresh_token } = sim.credentialData().oauthTokenData as { refresh_token: string };
			const wrongSecret = await tokenRequest({ grant_type: 'refresh_token', refresh_token, client_id: sim.clientId, client_secret: 'nope' });
			expect([wrongSecret.status, wrongSecret.body.error, wrongSecret.body.error_codes]).toEqual([401, 'invalid_client', [7000215]]);
			const wrongGrant = await tokenRequest({ grant_type: 'refresh_token', refresh_token: 'revoked', client_id: sim.clientId, client_secret: sim.clientSecret });
			expect([wrongGrant.status, wrongGrant.body.error]).toEqual([400, 'invalid_grant']);

			const refreshed = await tokenRequest({ grant_type: 'refresh_token', refresh_token, client_id: sim.clientId, client_secret: sim.clientSecret });
			expect(refreshed.status).toBe(200);
			expect(refreshed.body).toMatchObject({ token_type: 'Bearer', expires_in: 3599, access_token: expect.any(String), refresh_token: expect.any(String) });
			expect(refreshed.body.access_token).not.toBe(token);
			expect((await graph('GET', '/v1.0/subscriptions', undefined, refreshed.body.access_token)).status).toBe(200);
			// Client credentials as Basic auth work too (client-oauth2's "header" authentication).
			const basic = await httpRequest(`${origin}/${sim.tenantId}/oauth2/v2.0/token`, {
				method: 'POST',
				headers: {
					host: 'login.microsoftonline.com',
					'Content-Type': 'application/x-www-form-urlencoded',
					authorization: `Basic ${Buffer.from(`${sim.clientId}:${sim.clientSecret}`).toString('base64')}`,
				},
				body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token }).toString(),
			});
			expect(basic.status).toBe(200);
		});
	});

	describe('subscriptions', () => {
		test('POST validates the notification and lifecycle URLs (?validationToken=, text/plain) before it answers 201', async () => {
			await startSim();
			const res = await subscribe();
			expect(res.status).toBe(201);
			expect(res.body).toMatchObject({ id: expect.any(String), resource: `/teams/${TEAM}/channels/${CHANNEL}/messages`, changeType: 'created', notificationUrl: PUBLIC_URL, clientState: 'a'.repeat(64) });
			expect(Date.parse(res.body.expirationDateTime)).toBeGreaterThan(Date.now() + 4300 * 60_000);
			const validations = receiver.validations();
			expect(validations).toHaveLength(2);
			for (const v of validations) {
				expect(v.headers['content-type']).toMatch(/^text\/plain/);
				expect(v.raw).toBe('');
				expect(new URL(v.url, 'http://x').searchParams.get('validationToken')).toMatch(/^Validation: /);
			}
			const list = await graph('GET', '/v1.0/subscriptions');
			expect(list.body.value.map((s: { id: string }) => s.id)).toEqual([res.body.id]);
		});

		test.each([
			['html', 'Response must be of content type text/plain'],
			['wrong', 'Response must exactly match validationToken'],
			['hold', 'timed out'],
		] as const)('a validation answered %s is refused with 400 and no subscription', async (mode, reason) => {
			await startSim({ validationTimeoutMs: 300 });
			receiver.validation = mode;
			const res = await subscribe();
			expect(res.status).toBe(400);
			expect(res.body.error.code).toBe('ValidationError');
			expect(res.body.error.message).toContain(reason);
			expect(sim.getSubscriptions()).toEqual([]);
		});

		test('expiration limits for channel messages, https only, clientState ≤ 128; PATCH renews, DELETE removes', async () => {
			await startSim();
			const refused = [
				await subscribe({ expirationDateTime: inMinutes(4321) }),
				await subscribe({ expirationDateTime: inMinutes(-1) }),
				await subscribe({ expirationDateTime: inMinutes(61), lifecycleNotificationUrl: undefined }),
				await subscribe({ notificationUrl: 'http://n8n.example.com/webhook/teams' }),
				await subscribe({ clientState: 'x'.repeat(129) }),
			];
			expect(refused.map((r) => r.status)).toEqual([400, 400, 400, 400, 400]);
			expect(refused[2].body.error.message).toContain('lifecycleNotificationUrl is a required property');
			expect(receiver.validations()).toEqual([]);
			const short = await subscribe({ expirationDateTime: inMinutes(59), lifecycleNotificationUrl: undefined });
			expect(short.status).toBe(201);

			const renewed = await graph('PATCH', `/v1.0/subscriptions/${short.body.id}`, { expirationDateTime: inMinutes(30) });
			expect([renewed.status, Date.parse(renewed.body.expirationDateTime) < Date.now() + 31 * 60_000]).toEqual([200, true]);
			expect((await graph('DELETE', `/v1.0/subscriptions/${short.body.id}`)).status).toBe(204);
			expect((await graph('DELETE', `/v1.0/subscriptions/${short.body.id}`)).status).toBe(404);
		});

		test('a channel the user cannot see: 404 for an unknown one, 403 when not a member of the team', async () => {
			await startSim();
			expect((await subscribe({ resource: `/teams/${TEAM}/channels/19:nope@thread.tacv2/messages` })).status).toBe(404);
			const other = sim.createTeam({ displayName: 'Finance', members: [TEAMS_DEFAULT_AGENT.id] });
			const channel = sim.createChannel(other.id, { displayName: 'General' });
			expect((await subscribe({ resource: `/teams/${other.id}/channels/${channel.id}/messages` })).status).toBe(403);
		});
	});

	describe('channel messages', () => {
		test('POST a message and a reply (beta, as n8n posts them): 201 chatMessage as the credential\'s user; GET on v1.0 and beta', async () => {
			await startSim();
			const root = await graph('POST', `/beta/teams/${TEAM}/channels/${CHANNEL}/messages`, { body: { contentType: 'html', content: 'Carla asks (Landbot customer 7)' } });
			expect(root.status).toBe(201);
			expect(root.body).toMatchObject({
				id: expect.stringMatching(/^\d{13}$/),
				replyToId: null,
				messageType: 'message',
				from: { user: { id: sim.credentialUser.id, displayName: sim.credentialUser.displayName } },
				body: { contentType: 'html', content: 'Carla asks (Landbot customer 7)' },
				channelIdentity: { teamId: TEAM, channelId: CHANNEL },
				attachments: [],
			});
			expect(new Date(root.body.createdDateTime).getTime()).toBe(Number(root.body.id));
			const reply = await graph('POST', `/beta/teams/${TEAM}/channels/${CHANNEL}/messages/${root.body.id}/replies`, { body: { contentType: 'text', content: 'history' } });
			expect([reply.status, reply.body.replyToId, reply.body.body]).toEqual([201, root.body.id, { contentType: 'text', content: 'history' }]);

			for (const version of ['v1.0', 'beta']) {
				const got = await graph('GET', `/${version}/teams/${TEAM}/channels/${CHANNEL}/messages/${root.body.id}`);
				expect([got.status, got.body.id, got.body['@odata.context']]).toEqual([200, root.body.id, expect.stringContaining(`graph.microsoft.com/${version}/$metadata`)]);
			}
			// A reply is read under its root (the path Graph documents), not as a top-level message.
			expect((await graph('GET', `/v1.0/teams/${TEAM}/channels/${CHANNEL}/messages/${reply.body.id}`)).status).toBe(404);
			const underRoot = await graph('GET', `/v1.0/teams/${TEAM}/channels/${CHANNEL}/messages/${root.body.id}/replies/${reply.body.id}`);
			expect([underRoot.status, underRoot.body.id]).toEqual([200, reply.body.id]);
			expect((await graph('POST', `/beta/teams/${TEAM}/channels/${CHANNEL}/messages`, { body: { content: '' } })).status).toBe(400);
			expect((await graph('GET', `/beta/teams/${TEAM}/channels/${CHANNEL}/messages/1`)).body.error.code).toBe('NotFound');
		});

		test('GET replies pages with $top and @odata.nextLink (newest first), as getAllReplies follows it', async () => {
			await startSim();
			const root = sim.userPosts(TEAM, CHANNEL, { text: 'question' });
			for (let i = 1; i <= 25; i++) sim.agentReplies(root.id, `answer ${i}`);
			const seen: string[] = [];
			let next: string | undefined = `/beta/teams/${TEAM}/channels/${CHANNEL}/messages/${root.id}/replies`;
			let pages = 0;
			while (next) {
				const res = await graph('GET', next.replace('https://graph.microsoft.com', ''));
				expect(res.status).toBe(200);
				seen.push(...res.body.value.map((m: any) => m.body.content));
				next = res.body['@odata.nextLink'];
				pages += 1;
			}
			expect(pages).toBe(2);
			expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `<p>answer ${25 - i}</p>`));
			const limited = await graph('GET', `/beta/teams/${TEAM}/channels/${CHANNEL}/messages/${root.id}/replies?$top=3`);
			expect(limited.body.value).toHaveLength(3);
			expect((await graph('GET', `/beta/teams/${TEAM}/channels/${CHANNEL}/messages/${root.id}/replies?$top=51`)).status).toBe(400);
		});

		test('what an agent types arrives as the Teams client sends it: escaped HTML, files as reference attachments', async () => {
			await startSim();
			const root = sim.userPosts(TEAM, CHANNEL, { text: 'root' });
			const reply = sim.agentReplies(root.id, 'a < b & "c"\nnext line', { files: [{ name: 'label.pdf' }] });
			expect(reply.from.user).toMatchObject({ id: TEAMS_DEFAULT_AGENT.id, displayName: TEAMS_DEFAULT_AGENT.displayName });
			const [attachment] = reply.attachments;
			expect(attachment).toMatchObject({ contentType: 'reference', name: 'label.pdf', contentUrl: expect.stringMatching(/^https:\/\/contoso\.sharepoint\.com\/sites\/Support\/Shared%20Documents\/Handoffs\/label\.pdf$/) });
			expect(reply.body).toEqual({ contentType: 'html', content: `<p>a &lt; b &amp; &quot;c&quot;<br>next line</p><attachment id="${attachment.id}"></attachment>` });
			expect(sim.getThread(root.id).map((m) => m.id)).toEqual([root.id, reply.id]);
			expect(() => sim.agentReplies(reply.id, 'a reply to a reply')).toThrow(/no message .* to reply to/);
		});
	});

	describe('change notifications', () => {
		async function subscribed(): Promise<string> {
			const res = await subscribe();
			expect(res.status).toBe(201);
			return res.body.id;
		}

		test('a created message and a reply are each POSTed to the routed notificationUrl: ids only, clientState, no content', async () => {
			await startSim();
			const subscriptionId = await subscribed();
			const root = sim.userPosts(TEAM, CHANNEL, { text: 'secret question' });
			const reply = sim.agentReplies(root.id, 'secret answer');
			await sim.idle();
			const [first, second] = receiver.notifications();
			const resource = `teams('${TEAM}')/channels('${CHANNEL}')/messages('${root.id}')`;
			expect(first).toEqual({
				value: [
					{
						subscriptionId,
						changeType: 'created',
						tenantId: sim.tenantId,
						clientState: 'a'.repeat(64),
						subscriptionExpirationDateTime: expect.any(String),
						resource,
						resourceData: { id: root.id, '@odata.type': '#Microsoft.Graph.chatMessage', '@odata.id': resource },
						encryptedContent: null,
					},
				],
			});
			expect(second.value[0].resourceData).toEqual({ id: reply.id, '@odata.type': '#Microsoft.Graph.chatMessage', '@odata.id': `${resource}/replies('${reply.id}')` });
			expect(JSON.stringify(receiver.notifications())).not.toContain('secret');
			expect(receiver.requests.map((r) => r.headers['content-type'])).toContain('application/json; charset=utf-8');
		});

		test('a notification answered 500, or not within 3 s, is sent again with exponential backoff; one answered 2xx is not', async () => {
			await startSim({ ackTimeoutMs: 200 });
			await subscribed();
			receiver.responder = (_r, index) => (index === 0 ? { status: 500 } : index === 1 ? 'hold' : { status: 202 });
			const m = sim.userPosts(TEAM, CHANNEL, { text: 'hello' });
			await waitFor(() => receiver.notifications().length >= 3, 5_000);
			await sim.idle();
			const attempts = sim.getDeliveries().filter((d) => d.kind === 'notification' && d.messageId === m.id);
			expect(attempts.map((a) => [a.attempt, a.status, a.error ? 'error' : 'answered'])).toEqual([
				[1, 500, 'answered'],
				[2, null, 'error'],
				[3, 202, 'answered'],
			]);
			expect(attempts.map((a) => a.retryInMs)).toEqual([60, 120, undefined]); // 1 min, 2 min × 0.001
			expect(new Set(receiver.notifications().map((n) => JSON.stringify(n))).size).toBe(1); // the same notification each time
		});

		test('Graph gives up after 4 hours (scaled), and simulateRetry sends a delivered notification once more', async () => {
			await startSim({ timeScale: 0.0001 });
			await subscribed();
			receiver.responder = () => ({ status: 503 });
			const failing = sim.userPosts(TEAM, CHANNEL, { text: 'never delivered' });
			await sim.idle(10_000);
			const attempts = sim.getDeliveries().filter((d) => d.messageId === failing.id);
			// 1, 2, 4, … 128 minutes: the 9th delay would pass 4 hours.
			expect(attempts).toHaveLength(8);
			expect(attempts[attempts.length - 1].gaveUp).toBe(true);

			receiver.responder = () => ({ status: 202 });
			const delivered = sim.userPosts(TEAM, CHANNEL, { text: 'delivered' });
			await sim.idle();
			const before = receiver.notifications().length;
			const retry = await sim.simulateRetry(delivered.id);
			expect([retry.forced, retry.status, retry.attempt]).toEqual([true, 202, 2]);
			expect(receiver.notifications().slice(before)).toEqual([receiver.notifications()[before - 1]]);
		});

		test('nothing for an expired or deleted subscription, or without one', async () => {
			await startSim();
			sim.userPosts(TEAM, CHANNEL, { text: 'before any subscription' });
			const id = await subscribed();
			expect((await graph('DELETE', `/v1.0/subscriptions/${id}`)).status).toBe(204);
			sim.userPosts(TEAM, CHANNEL, { text: 'after the delete' });
			await sim.idle();
			expect(receiver.notifications()).toEqual([]);
		});
	});
});

// ---------------------------------------------------------------- through the TLS proxy

/** A CONNECT written by hand (as in slack.test.ts): other unit files' nock interceptor cannot read a CONNECT target. */
function tunnel(proxy: TlsProxy, target: string): Promise<net.Socket> {
	const { hostname, port } = new URL(proxy.url);
	return new Promise((resolve, reject) => {
		const socket = net.connect(Number(port), hostname, () => socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`));
		let head = Buffer.alloc(0);
		const onData = (chunk: Buffer) => {
			head = Buffer.concat([head, chunk]);
			const end = head.indexOf('\r\n\r\n');
			if (end < 0) return;
			socket.off('data', onData);
			if (!/^HTTP\/1\.[01] 200/.test(head.toString('latin1'))) return reject(new Error(head.toString('latin1')));
			resolve(socket);
		};
		socket.on('data', onData);
		socket.on('error', reject);
	});
}

async function viaProxy(proxy: TlsProxy, url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; text: string }> {
	const target = new URL(url);
	const socket = await tunnel(proxy, `${target.hostname}:443`);
	return new Promise((resolve, reject) => {
		const req = https.request(
			{
				host: target.hostname,
				port: 443,
				defaultPort: 443,
				path: `${target.pathname}${target.search}`,
				method: init.method ?? 'GET',
				headers: { ...(init.headers ?? {}), ...(init.body ? { 'Content-Length': String(Buffer.byteLength(init.body)) } : {}) },
				createConnection: () => tls.connect({ socket, servername: target.hostname, ca: proxy.caPem }),
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => {
					socket.destroy();
					resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
				});
			},
		);
		req.on('error', reject);
		req.end(init.body);
	});
}

describe('TeamsSimulator through the TLS proxy', () => {
	let sim: TeamsSimulator;
	let proxy: TlsProxy;

	beforeAll(async () => {
		sim = new TeamsSimulator();
		proxy = await startTlsProxy({ handlers: sim.hosts });
	});

	afterAll(async () => {
		await proxy.stop();
		await sim.stop();
	});

	test('hosts: graph.microsoft.com and login.microsoftonline.com, both covered by the test certificate', async () => {
		expect(Object.keys(sim.hosts).sort()).toEqual(['graph.microsoft.com', 'login.microsoftonline.com']);
		const { access_token, refresh_token } = sim.credentialData().oauthTokenData as Record<string, string>;
		const me = await viaProxy(proxy, 'https://graph.microsoft.com/v1.0/subscriptions', { headers: { Authorization: `Bearer ${access_token}` } });
		expect([me.status, JSON.parse(me.text).value]).toEqual([200, []]);
		const refreshed = await viaProxy(proxy, 'https://login.microsoftonline.com/common/oauth2/v2.0/token', {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token, client_id: sim.clientId, client_secret: sim.clientSecret }).toString(),
		});
		expect([refreshed.status, JSON.parse(refreshed.text).token_type]).toEqual([200, 'Bearer']);
	});
});

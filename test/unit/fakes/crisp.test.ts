/**
 * The Crisp simulator behaves as docs/platforms/crisp.md (from the project's Crisp fact sheet:
 * node-crisp-api, docs.crisp.chat REST API v1 and Web Hooks v1) describes: what a client of the REST
 * API and a receiver of its Web Hooks would see.
 */
import * as crypto from 'crypto';
import { CrispSimulator } from '../../fakes/crisp';
import type { CrispSeed, CrispToken } from '../../fakes/crisp';
import { WebhookReceiver } from '../../fakes/receiver';
import type { ReceivedRequest } from '../../fakes/receiver';
import { httpRequest } from '../../fakes/http';

/** Independent of the simulator: how a receiver checks X-Crisp-Signature (docs, lib __verifySignature). */
function verifies(request: ReceivedRequest, secret: string): boolean {
	const timestamp = String(request.headers['x-crisp-request-timestamp'] ?? '');
	const given = String(request.headers['x-crisp-signature'] ?? '');
	const expected = crypto.createHmac('sha256', secret).update(`[${timestamp};${request.rawBody}]`).digest('hex');
	return given.length === expected.length && crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

describe('CrispSimulator', () => {
	let sim: CrispSimulator;
	let receiver: WebhookReceiver;
	let seed: CrispSeed;
	let W: string;

	const auth = (t: CrispToken, tier: string = t.tier) => ({
		Authorization: `Basic ${Buffer.from(`${t.identifier}:${t.key}`).toString('base64')}`,
		'X-Crisp-Tier': tier,
	});
	const api = (method: string, path: string, body?: unknown, token: CrispToken | null = seed.pluginToken, headers: Record<string, string> = {}) =>
		httpRequest(`${sim.baseUrl}${path}`, { method, headers: { ...(token ? auth(token) : {}), ...headers }, body });

	const at = (path: string) => (r: ReceivedRequest) => r.path === path;
	const events = (path: string) => receiver.requests.filter(at(path)).map((r) => String(r.body.event)).sort();

	async function start(options: ConstructorParameters<typeof CrispSimulator>[0] = {}) {
		sim = await new CrispSimulator({ timeScale: 0.001, ...options }).start();
		seed = sim.seedWebsite({ pluginHookUrl: receiver.url('/plugin') });
		W = `/v1/website/${seed.websiteId}`;
	}

	async function newConversation(meta: Record<string, unknown> = {}) {
		const res = await api('POST', `${W}/conversation`);
		expect(res.status).toBe(200);
		const sid = res.body.data.session_id as string;
		if (Object.keys(meta).length > 0) expect((await api('PATCH', `${W}/conversation/${sid}/meta`, meta)).status).toBe(200);
		return sid;
	}

	beforeEach(async () => {
		receiver = await new WebhookReceiver().start();
	});

	afterEach(async () => {
		await sim.stop();
		await receiver.stop();
	});

	describe('authentication and the envelope', () => {
		beforeEach(() => start());

		test('a plugin token reaches websites that installed the plugin; answers are {error:false, reason, data}', async () => {
			const res = await api('GET', `${W}/operators/list`);
			expect(res.status).toBe(200);
			expect(res.body).toMatchObject({ error: false, reason: expect.any(String) });
			expect(res.body.data.map((o: any) => o.details.email).sort()).toEqual(['ada@example.com', 'alice@example.com']);
			const websites = await api('GET', '/v1/plugin/connect/websites/all/1');
			expect(websites.body.data).toEqual([expect.objectContaining({ website_id: seed.websiteId })]);
			sim.uninstallPlugin(seed.pluginId, seed.websiteId);
			expect(await api('GET', `${W}/operators/list`)).toMatchObject({ status: 403, body: { error: true, reason: 'not_allowed' } });
		});

		test('a wrong key, no header or a wrong tier is 401 in the error envelope', async () => {
			const wrong = { ...seed.pluginToken, key: 'nope' };
			expect(await api('GET', `${W}/operators/list`, undefined, wrong)).toMatchObject({ status: 401, body: { error: true, reason: 'unauthorized', data: expect.any(Object) } });
			expect((await api('GET', `${W}/operators/list`, undefined, null)).status).toBe(401);
			expect((await api('GET', `${W}/operators/list`, undefined, seed.pluginToken, { 'X-Crisp-Tier': 'website' })).status).toBe(401);
		});

		test('a website token reaches only its own workspace and not the plugin routes', async () => {
			const t = seed.websiteToken;
			expect((await api('GET', W, undefined, t)).body.data.website_id).toBe(seed.websiteId);
			const other = sim.createWebsite({ name: 'Other' });
			expect((await api('GET', `/v1/website/${other.websiteId}`, undefined, t)).status).toBe(403);
			expect((await api('GET', '/v1/plugin/connect/websites/all/1', undefined, t)).status).toBe(403);
		});

		test('the daily quota answers 429; injected faults are recorded as such', async () => {
			sim.configure({ pluginDailyQuota: 2 });
			expect((await api('GET', `${W}/operators/list`)).status).toBe(200);
			expect((await api('GET', `${W}/operators/list`)).status).toBe(200);
			expect(await api('GET', `${W}/operators/list`)).toMatchObject({ status: 429, body: { error: true } });
			sim.configure({ pluginDailyQuota: 0 });
			sim.setFaults({ rate: 1, statuses: [503] });
			expect((await api('GET', `${W}/operators/list`)).status).toBe(503);
			sim.setFaults({ rate: 0 });
			expect(sim.getCalls().filter((c) => c.injected).length).toBe(1);
		});
	});

	describe('conversations, meta, messages', () => {
		beforeEach(() => start());

		test('create → session_id; PATCH meta sets nickname, email, phone, subject, segments, data; GET and HEAD read it', async () => {
			const sid = await newConversation({
				nickname: 'Carla',
				email: 'carla@example.com',
				phone: '+33600000000',
				subject: 'Refund',
				segments: ['bot-handoff'],
				data: { external_id: 'ext-1' },
			});
			expect(sid).toMatch(/^session_/);
			await api('PATCH', `${W}/conversation/${sid}/meta`, { data: { plan: 'gold' } });
			const got = await api('GET', `${W}/conversation/${sid}`);
			expect(got.body.data).toMatchObject({
				session_id: sid,
				state: 'pending',
				meta: { nickname: 'Carla', email: 'carla@example.com', phone: '+33600000000', subject: 'Refund', segments: ['bot-handoff'], data: { external_id: 'ext-1', plan: 'gold' } },
			});
			expect((await api('HEAD', `${W}/conversation/${sid}`)).status).toBe(200);
			expect((await api('HEAD', `${W}/conversation/session_nope`)).status).toBe(404);
			expect(await api('PATCH', `${W}/conversation/${sid}/meta`, { email: 'not an email' })).toMatchObject({ status: 400, body: { error: true } });
		});

		test('the list searches by text, segment and a data filter, and filters resolved', async () => {
			const a = await newConversation({ nickname: 'Ann', segments: ['vip'], data: { external_id: 'ext-a' } });
			const b = await newConversation({ nickname: 'Bob', data: { external_id: 'ext-b' } });
			await api('POST', `${W}/conversation/${b}/message`, { type: 'text', from: 'user', origin: 'chat', content: 'my parcel is late' });
			const ids = async (q: string) => (await api('GET', `${W}/conversations/1?${q}`)).body.data.map((c: any) => c.session_id);
			expect(await ids('search_type=text&search_query=parcel')).toEqual([b]);
			expect(await ids('search_type=segment&search_query=vip')).toEqual([a]);
			const filter = encodeURIComponent(JSON.stringify([{ model: 'session', criterion: 'data.external_id', operator: 'eq', query: ['ext-a'] }]));
			expect(await ids(`search_type=filter&search_query=${filter}`)).toEqual([a]);
			await api('PATCH', `${W}/conversation/${a}/state`, { state: 'resolved' });
			expect(await ids('filter_resolved=1')).toEqual([a]);
			// The sheet's name and the one Crisp's clients send.
			expect(await ids('filter_unresolved=1')).toEqual([b]);
			expect(await ids('filter_not_resolved=1')).toEqual([b]);
		});

		test('messages: text, note, file from user or operator; one by fingerprint; bad ones are refused', async () => {
			const sid = await newConversation({ nickname: 'Carla' });
			const post = (body: Record<string, unknown>) => api('POST', `${W}/conversation/${sid}/message`, body);
			const sent = await post({ type: 'text', from: 'user', origin: 'urn:handoff:bot:0', content: 'Hello', fingerprint: 4242 });
			expect(sent.status).toBeLessThan(300);
			expect(sent.body).toMatchObject({ error: false, data: { fingerprint: 4242 } });
			await post({ type: 'text', from: 'operator', origin: 'urn:handoff:bot:0', content: 'Bot here', user: { nickname: 'Handoff bot' }, automated: true });
			await post({ type: 'note', from: 'operator', origin: 'chat', content: 'internal' });
			await post({ type: 'file', from: 'user', origin: 'chat', content: { name: 'a.pdf', url: 'https://files.example.com/a.pdf', type: 'application/pdf' } });
			expect((await post({ type: 'sticker', from: 'user', origin: 'chat', content: 'x' })).status).toBe(400);
			expect((await post({ type: 'text', from: 'bot', origin: 'chat', content: 'x' })).status).toBe(400);
			expect((await post({ type: 'text', from: 'user', origin: 'chat', content: 'again', fingerprint: 4242 })).status).toBe(409);

			const one = await api('GET', `${W}/conversation/${sid}/message/4242`);
			expect(one.body.data).toMatchObject({ fingerprint: 4242, from: 'user', content: 'Hello', origin: 'urn:handoff:bot:0', user: { user_id: sid, nickname: 'Carla' } });
			const all = (await api('GET', `${W}/conversation/${sid}/messages`)).body.data;
			expect(all.map((m: any) => [m.type, m.from])).toEqual([['text', 'user'], ['text', 'operator'], ['note', 'operator'], ['file', 'user']]);
			expect(all[1]).toMatchObject({ automated: true, user: { nickname: 'Handoff bot' } });
		});

		test('history comes in batches: timestamp_before pages back by the oldest timestamp', async () => {
			sim.configure({ messagesBatchSize: 3 });
			const sid = await newConversation();
			for (let i = 1; i <= 7; i++) await api('POST', `${W}/conversation/${sid}/message`, { type: 'text', from: i % 2 ? 'user' : 'operator', origin: 'chat', content: `m${i}` });
			const seen: string[][] = [];
			let before: number | undefined;
			for (;;) {
				const batch = (await api('GET', `${W}/conversation/${sid}/messages${before ? `?timestamp_before=${before}` : ''}`)).body.data;
				if (batch.length === 0) break;
				seen.push(batch.map((m: any) => m.content));
				before = batch[0].timestamp;
			}
			expect(seen).toEqual([['m5', 'm6', 'm7'], ['m2', 'm3', 'm4'], ['m1']]);
			const after = (await api('GET', `${W}/conversation/${sid}/messages?timestamp_after=${sim.getMessages(sid)[4].timestamp}`)).body.data;
			expect(after.map((m: any) => m.content)).toEqual(['m6', 'm7']);
		});

		test('state, routing to an operator, inbox; people profiles', async () => {
			const sid = await newConversation();
			expect((await api('PATCH', `${W}/conversation/${sid}/state`, { state: 'unresolved' })).status).toBe(200);
			expect((await api('PATCH', `${W}/conversation/${sid}/state`, { state: 'closed' })).status).toBe(400);
			const alice = seed.operators[1].userId;
			expect((await api('PATCH', `${W}/conversation/${sid}/routing`, { assigned: { user_id: alice } })).status).toBe(200);
			expect((await api('PATCH', `${W}/conversation/${sid}/routing`, { assigned: { user_id: 'someone' } })).status).toBe(400);
			expect((await api('PATCH', `${W}/conversation/${sid}/inbox`, { inbox_id: seed.inboxes[0].inboxId })).status).toBe(200);
			expect((await api('GET', `${W}/conversation/${sid}`)).body.data).toMatchObject({ state: 'unresolved', assigned: { user_id: alice }, inbox_id: seed.inboxes[0].inboxId });
			expect((await api('GET', `${W}/inboxes/list/1`)).body.data).toEqual([expect.objectContaining({ inbox_id: seed.inboxes[0].inboxId, name: 'Support' })]);

			const created = await api('POST', `${W}/people/profile`, { email: 'carla@example.com', person: { nickname: 'Carla' }, segments: ['vip'] });
			const peopleId = created.body.data.people_id;
			expect((await api('GET', `${W}/people/profile/carla@example.com`)).body.data).toMatchObject({ people_id: peopleId, person: { nickname: 'Carla' } });
			expect((await api('GET', `${W}/people/profiles/1?search_text=carla`)).body.data).toHaveLength(1);
			expect((await api('POST', `${W}/people/profile`, { email: 'carla@example.com' })).status).toBe(409);
		});
	});

	describe('Web Hooks', () => {
		beforeEach(() => start());

		test('plugin hooks are signed: an independent HMAC over "[timestamp;body]" verifies, with the attempt headers', async () => {
			const { sessionId, fingerprint } = sim.visitorWrites(seed.websiteId, { nickname: 'Carla', content: 'I need a human' });
			const [hook] = await receiver.waitFor(1, 5000, at('/plugin'));
			expect(hook.body).toMatchObject({
				website_id: seed.websiteId,
				event: 'message:send',
				timestamp: expect.any(Number),
				data: { session_id: sessionId, fingerprint, from: 'user', type: 'text', content: 'I need a human', user: { user_id: sessionId } },
			});
			expect(verifies(hook, seed.pluginSecret)).toBe(true);
			// node-crisp-api re-serialises the parsed body: that verifies as well.
			expect(verifies({ ...hook, rawBody: JSON.stringify(hook.body) }, seed.pluginSecret)).toBe(true);
			expect(verifies({ ...hook, rawBody: hook.rawBody.replace('human', 'robot') }, seed.pluginSecret)).toBe(false);
			expect(verifies(hook, 'another secret')).toBe(false);
			expect(hook.headers).toMatchObject({ 'x-crisp-hook-origin': expect.stringMatching(/^plugin\//), 'x-delivery-attempt-limit': '3', 'x-delivery-attempt-count': '1' });
		});

		test('website hooks are unsigned, at the URL as configured (a key in the query string)', async () => {
			sim.addWebsiteHook(seed.websiteId, receiver.url('/site?key=abc'));
			const { sessionId } = sim.visitorWrites(seed.websiteId, { content: 'hi' });
			sim.operatorReplies(sessionId, seed.operators[0].userId, 'Hello, Ada here');
			sim.operatorReplies(sessionId, seed.operators[0].userId, 'customer seems upset', { type: 'note' });
			await sim.idle();
			const site = receiver.requests.filter(at('/site?key=abc'));
			expect(site.map((r) => r.body.event)).toHaveLength(3);
			expect(site.every((r) => r.headers['x-crisp-signature'] === undefined)).toBe(true);
			expect(events('/site?key=abc')).toEqual(['message:received', 'message:received', 'message:send']);
			const note = site.find((r) => r.body.data.type === 'note')!;
			expect(note.body.data).toMatchObject({ from: 'operator', user: { user_id: seed.operators[0].userId, nickname: 'Ada Owner' } });
			expect(receiver.requests.filter(at('/plugin')).every((r) => verifies(r, seed.pluginSecret))).toBe(true);
		});

		test('state, routing, opened/closed, updated and removed fire their events', async () => {
			const { sessionId, fingerprint } = sim.visitorWrites(seed.websiteId, { content: 'hi' });
			const ada = seed.operators[0].userId;
			sim.operatorOpens(sessionId, ada);
			sim.assign(sessionId, ada);
			sim.editMessage(sessionId, fingerprint, 'hi (edited)');
			sim.deleteMessage(sessionId, fingerprint);
			sim.operatorOpens(sessionId, ada, false);
			sim.resolve(sessionId);
			await sim.idle();
			expect(events('/plugin')).toEqual(
				['message:send', 'session:set_opened', 'session:set_routing', 'message:updated', 'message:removed', 'session:set_closed', 'session:set_state'].sort(),
			);
			const state = receiver.requests.find((r) => r.body.event === 'session:set_state')!;
			expect(state.body.data).toEqual({ website_id: seed.websiteId, session_id: sessionId, state: 'resolved' });
			expect(receiver.requests.find((r) => r.body.event === 'session:set_routing')!.body.data).toMatchObject({ assigned: { user_id: ada } });
		});

		test('a failed delivery is tried again with X-Delivery-Attempt-Count rising, up to the limit', async () => {
			receiver.responder = (_r, index) => (index < 2 ? 500 : 200);
			sim.visitorWrites(seed.websiteId, { content: 'hi' });
			await sim.idle();
			const got = receiver.requests.filter(at('/plugin'));
			expect(got.map((r) => [r.headers['x-delivery-attempt-count'], r.headers['x-delivery-attempt-limit'], r.status])).toEqual([
				['1', '3', 500],
				['2', '3', 500],
				['3', '3', 200],
			]);
			expect(new Set(got.map((r) => r.rawBody)).size).toBe(1);
			expect(got.every((r) => verifies(r, seed.pluginSecret))).toBe(true);

			receiver.responder = () => 503;
			sim.visitorWrites(seed.websiteId, { content: 'again' });
			await sim.idle();
			const last = sim.getDeliveries().slice(-3);
			expect(last.map((d) => d.attempt)).toEqual([1, 2, 3]);
			expect(last[2].gaveUp).toBe(true);
		});

		test('our own REST writes come back as events (echo), recognisable by origin and fingerprint', async () => {
			const sid = await newConversation();
			await api('POST', `${W}/conversation/${sid}/message`, { type: 'text', from: 'user', origin: 'urn:handoff:relay:0', content: 'from the bot user', fingerprint: 111 });
			await api('POST', `${W}/conversation/${sid}/message`, { type: 'text', from: 'operator', origin: 'urn:handoff:relay:0', content: 'from the bot', fingerprint: 222 });
			await api('PATCH', `${W}/conversation/${sid}/state`, { state: 'resolved' });
			await sim.idle();
			const got = receiver.requests.filter(at('/plugin')).map((r) => r.body);
			expect(got.find((b) => b.data.fingerprint === 111)).toMatchObject({ event: 'message:send', data: { origin: 'urn:handoff:relay:0' } });
			expect(got.find((b) => b.data.fingerprint === 222)).toMatchObject({ event: 'message:received', data: { origin: 'urn:handoff:relay:0' } });
			expect(got.some((b) => b.event === 'session:set_state' && b.data.state === 'resolved')).toBe(true);

			sim.configure({ echoRestWrites: false });
			const before = receiver.requests.length;
			await api('POST', `${W}/conversation/${sid}/message`, { type: 'text', from: 'operator', origin: 'chat', content: 'quiet' });
			await sim.idle();
			expect(receiver.requests.length).toBe(before);
		});
	});

	describe('control routes', () => {
		beforeEach(() => start());

		test('seed, hook URL, visitor and operator helpers over HTTP', async () => {
			const control = (method: string, path: string, body?: unknown) => httpRequest(`${sim.controlUrl}${path}`, { method, body });
			expect((await control('GET', '')).body.routes.length).toBeGreaterThan(5);
			await control('PUT', '/plugin_hook', { url: receiver.url('/moved') });
			const said = (await control('POST', '/visitor_says', { websiteId: seed.websiteId, content: 'hello' })).body;
			await control('POST', `/conversations/${said.sessionId}/operator_says`, { userId: seed.operators[1].userId, content: 'hi there' });
			await control('POST', `/conversations/${said.sessionId}/state`, { state: 'resolved' });
			await sim.idle();
			expect(events('/moved')).toEqual(['message:received', 'message:send', 'session:set_state']);
			const view = (await control('GET', `/conversations/${said.sessionId}`)).body;
			expect(view.conversation.state).toBe('resolved');
			expect(view.messages.map((m: any) => m.content)).toEqual(['hello', 'hi there']);
			expect((await control('GET', '/deliveries')).body).toHaveLength(3);
		});
	});
});

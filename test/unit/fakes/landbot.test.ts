/**
 * The Landbot simulator behaves as /work/shared/reference/landbot.md describes.
 */
import { LandbotSimulator } from '../../fakes/landbot';
import { WebhookReceiver } from '../../fakes/receiver';
import { httpRequest } from '../../fakes/http';

const ALICE = 'token-alice';
const BOB = 'token-bob';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('LandbotSimulator', () => {
	let sim: LandbotSimulator;
	let receiver: WebhookReceiver;

	async function startSim(options: ConstructorParameters<typeof LandbotSimulator>[0] = {}): Promise<void> {
		sim = await new LandbotSimulator({ tokens: { [ALICE]: 1, [BOB]: 2 }, timeScale: 0.01, ...options }).start();
	}

	function api(method: string, path: string, token: string | null = ALICE, body?: unknown) {
		return httpRequest(`${sim.baseUrl}${path}`, {
			method,
			headers: token === null ? {} : { Authorization: `Token ${token}` },
			body,
		});
	}

	/** A web channel with a customer; `hookToken` set → a message hook pointing at the receiver. */
	async function conversation(hookToken?: string, fields: Record<string, unknown> = {}) {
		const channel = sim.createChannel({ name: 'Web bot', type: 'landbot' });
		const customer = sim.createCustomer({ channel_id: channel.id, name: 'Carla', email: 'carla@example.com', fields });
		if (hookToken !== undefined) {
			const res = await api('POST', `/channels/${channel.id}/message_hooks/`, ALICE, {
				url: receiver.url(),
				token: hookToken || undefined,
				name: 'n8n',
			});
			expect(res.status).toBe(201);
		}
		return { channel, customerId: customer.id as number };
	}

	beforeEach(async () => {
		receiver = await new WebhookReceiver().start();
	});

	afterEach(async () => {
		await sim?.stop();
		await receiver.stop();
	});

	describe('auth, errors and rate limit', () => {
		beforeEach(() => startSim());

		test('baseUrl ends with /v1', () => {
			expect(sim.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
		});

		test('401 {"detail":"Invalid token."} without a valid "Token" header', async () => {
			const { customerId } = await conversation();
			for (const headers of [{}, { Authorization: 'Token nope' }, { Authorization: `Bearer ${ALICE}` }] as Array<Record<string, string>>) {
				const res = await httpRequest(`${sim.baseUrl}/customers/${customerId}/`, { headers });
				expect(res.status).toBe(401);
				expect(res.body).toEqual({ detail: 'Invalid token.' });
			}
			expect((await api('GET', `/customers/${customerId}/`)).status).toBe(200);
		});

		test('404 for unknown customers, channels, hooks and paths; trailing slash required', async () => {
			const { channel, customerId } = await conversation();
			expect(await api('GET', '/customers/999/')).toMatchObject({ status: 404, body: { errors: { customer: ['Not found.'] } } });
			expect((await api('GET', '/channels/999/')).body).toEqual({ errors: { channel: ['Not found.'] } });
			expect((await api('DELETE', `/channels/${channel.id}/message_hooks/77/`)).status).toBe(404);
			expect(await api('GET', `/customers/${customerId}`)).toMatchObject({ status: 404, body: { detail: 'Not found.' } });
			expect((await api('GET', '/nothing/here/', null)).status).toBe(404);
		});

		test('errors use {"errors": {field: [message]}}', async () => {
			const { customerId } = await conversation();
			const res = await api('POST', `/customers/${customerId}/send_text/`, ALICE, {});
			expect(res.status).toBe(400);
			expect(res.body).toEqual({ errors: { message: ['This field is required.'] } });
		});

		test('429 {"errors":{"rate":["Too many requests"]}} without Retry-After above 10 requests/s per token', async () => {
			const { customerId } = await conversation();
			const results = [];
			for (let i = 0; i < 11; i++) results.push(await api('GET', `/customers/${customerId}/`));
			expect(results.slice(0, 10).every((r) => r.status === 200)).toBe(true);
			expect(results[10].status).toBe(429);
			expect(results[10].body).toEqual({ errors: { rate: ['Too many requests'] } });
			expect(results[10].headers['retry-after']).toBeUndefined();
			// Per token: Bob is not limited by Alice's calls.
			expect((await api('GET', `/customers/${customerId}/`, BOB)).status).toBe(200);
			await sleep(1050);
			expect((await api('GET', `/customers/${customerId}/`)).status).toBe(200);
		});
	});

	describe('customers and conversation state', () => {
		beforeEach(() => startSim({ rateLimitPerSecond: 1000 }));

		test('assign to me / to an agent, unassign, 412 when another agent owns the customer', async () => {
			const { customerId } = await conversation();
			expect((await api('PUT', `/customers/${customerId}/assign/`)).status).toBe(200);
			expect(sim.getCustomerState(customerId).agent_id).toBe(1);

			const stolen = await api('PUT', `/customers/${customerId}/assign/`, BOB);
			expect(stolen.status).toBe(412);
			expect(Object.keys(stolen.body.errors)).toHaveLength(1);
			expect((await api('PUT', `/customers/${customerId}/unassign/`, BOB)).status).toBe(412);

			expect((await api('PUT', `/customers/${customerId}/assign/2/`)).status).toBe(200);
			expect(sim.getCustomerState(customerId).agent_id).toBe(2);
			expect((await api('PUT', `/customers/${customerId}/unassign/`)).status).toBe(412);
			expect((await api('PUT', `/customers/${customerId}/unassign/`, BOB)).status).toBe(200);
			expect((await api('GET', `/customers/${customerId}/`)).body.customer.agent_id).toBeNull();
			expect((await api('PUT', `/customers/${customerId}/assign/999/`)).status).toBe(404);
		});

		test('assign_bot sets bot and node; send_text as agent stops the bot', async () => {
			const { customerId } = await conversation();
			expect(sim.getCustomerState(customerId).bot.active).toBe(true);
			await api('POST', `/customers/${customerId}/send_text/`, ALICE, { message: 'Hi, Alice here' });
			let state = sim.getCustomerState(customerId);
			expect(state.bot.active).toBe(false);
			expect(state.messages.map((m) => [m.sender.type, m.message])).toEqual([['agent', 'Hi, Alice here']]);

			await api('PUT', `/customers/${customerId}/assign/`);
			const res = await api('PUT', `/customers/${customerId}/assign_bot/55/`, ALICE, { launch: true, node: 'Nkqgn6xkf' });
			expect(res.status).toBe(200);
			state = sim.getCustomerState(customerId);
			expect(state.agent_id).toBeNull();
			expect(state.bot).toEqual({ id: 55, node: 'Nkqgn6xkf', active: true, launched: true });
			expect(state.messages[state.messages.length - 1].sender).toMatchObject({ id: 55, type: 'bot' });
		});

		test('WhatsApp customer outside the 24 h window: sending is refused', async () => {
			const channel = sim.createChannel({ name: 'WA', type: 'whatsapp' });
			const customer = sim.createCustomer({ channel_id: channel.id, name: 'Wes', whatsapp_window_open: false });
			const res = await api('POST', `/customers/${customer.id}/send_text/`, ALICE, { message: 'hello?' });
			expect(res.status).toBe(412);
			expect(res.body.errors).toBeDefined();
			sim.setWhatsappWindow(customer.id as number, true);
			expect((await api('POST', `/customers/${customer.id}/send_text/`, ALICE, { message: 'hello' })).status).toBe(200);
		});

		test('send_image and send_location', async () => {
			const { customerId } = await conversation();
			expect((await api('POST', `/customers/${customerId}/send_image/`, ALICE, { url: 'https://x.test/a.png', caption: 'A' })).status).toBe(200);
			expect((await api('POST', `/customers/${customerId}/send_location/`, ALICE, { latitude: 41.4, longitude: 2.17 })).status).toBe(200);
			expect((await api('POST', `/customers/${customerId}/send_location/`, ALICE, { latitude: 200, longitude: 2 })).status).toBe(400);
			const types = sim.getCustomerState(customerId).messages.map((m) => [m.type, m.data]);
			expect(types).toEqual([
				['image', { url: 'https://x.test/a.png', caption: 'A' }],
				['location', { latitude: 41.4, longitude: 2.17 }],
			]);
		});

		test('list customers: filters, offset/limit (default 20, max 100) and total', async () => {
			const channel = sim.createChannel({ name: 'Web', type: 'landbot' });
			const other = sim.createChannel({ name: 'Other', type: 'landbot' });
			for (let i = 0; i < 25; i++) sim.createCustomer({ channel_id: channel.id, name: `Customer ${i}`, email: `c${i}@example.com` });
			sim.createCustomer({ channel_id: other.id, name: 'Zed', agent_id: 2 });

			const all = await api('GET', '/customers/');
			expect(all.body.total).toBe(26);
			expect(all.body.customers).toHaveLength(20);
			expect((await api('GET', '/customers/?offset=20&limit=10')).body.customers).toHaveLength(6);
			expect((await api('GET', '/customers/?limit=500')).body.customers).toHaveLength(26);
			expect((await api('GET', `/customers/?channel_id=${other.id}`)).body.total).toBe(1);
			expect((await api('GET', '/customers/?agent_id=2')).body.customers[0].name).toBe('Zed');
			const search = await api('GET', '/customers/?search_by=email&search=c12@');
			expect(search.body.customers.map((c: { name: string }) => c.name)).toEqual(['Customer 12']);
			expect((await api('GET', '/customers/?search_by=shoe&search=x')).status).toBe(400);
		});

		test('transcript: whole conversation, not sorted, message_datetime "YYYY-MM-DD HH:MM:SS"', async () => {
			const { customerId } = await conversation();
			for (let i = 0; i < 6; i++) sim.customerSays(customerId, `message ${i}`);
			const res = await api('GET', `/customers/${customerId}/messages/`);
			expect(res.status).toBe(200);
			const texts = res.body.messages.map((m: { message: string }) => m.message);
			expect(texts).toHaveLength(6);
			expect(texts).not.toEqual(['message 0', 'message 1', 'message 2', 'message 3', 'message 4', 'message 5']);
			expect([...texts].sort()).toEqual(['message 0', 'message 1', 'message 2', 'message 3', 'message 4', 'message 5']);
			for (const m of res.body.messages) expect(m.message_datetime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
			expect(res.body.messages[0].author_type).toBe('user');
		});

		test('customer fields: types, name rule, create / update / get / delete', async () => {
			const { customerId } = await conversation();
			const path = `/customers/${customerId}/fields/ticket_id/`;
			expect((await api('POST', path, ALICE, { type: 'integer', value: '42' })).body).toEqual({
				success: true,
				field: { name: 'ticket_id', type: 'integer', value: 42 },
			});
			expect((await api('POST', path, ALICE, { type: 'integer', value: 1 })).status).toBe(400);
			expect((await api('PUT', path, ALICE, { type: 'string', value: 'T-9' })).status).toBe(200);
			expect((await api('GET', path)).body.field).toEqual({ name: 'ticket_id', type: 'string', value: 'T-9' });
			expect((await api('POST', `/customers/${customerId}/fields/Ticket-Id/`, ALICE, { type: 'string', value: 'x' })).body.errors.name).toBeDefined();
			expect((await api('POST', `/customers/${customerId}/fields/n/`, ALICE, { type: 'money', value: 1 })).body.errors.type).toBeDefined();
			expect((await api('POST', `/customers/${customerId}/fields/d/`, ALICE, { type: 'date', value: '2024-13-45' })).status).toBe(400);
			expect((await api('POST', `/customers/${customerId}/fields/o/`, ALICE, { type: 'object', value: { a: 1 } })).status).toBe(201);
			expect((await api('GET', `/customers/${customerId}/`)).body.customer.custom_fields).toEqual({ ticket_id: 'T-9', o: { a: 1 } });
			expect((await api('DELETE', path)).status).toBe(204);
			expect((await api('GET', path)).status).toBe(404);
			expect((await api('PUT', path, ALICE, { type: 'string', value: 'x' })).status).toBe(404);
		});

		test('channels list/get with type filter, and agents', async () => {
			sim.createChannel({ name: 'Web', type: 'landbot' });
			const wa = sim.createChannel({ name: 'WA', type: 'whatsapp' });
			sim.createChannel({ name: 'FB', type: 'facebook' });
			const list = await api('GET', '/channels/?type=whatsapp');
			expect(list.body).toEqual({ success: true, total: 1, channels: [expect.objectContaining({ id: wa.id, type: 'whatsapp' })] });
			expect((await api('GET', '/channels/')).body.total).toBe(3);
			expect((await api('GET', `/channels/${wa.id}/`)).body.channel.name).toBe('WA');
			expect((await api('GET', '/agents/')).body.agents.map((a: { id: number }) => a.id)).toEqual([1, 2]);
		});
	});

	describe('MessageHooks', () => {
		test('secrets() lists the agents\' tokens and every hook token, deleted hooks\' too (for leak checks)', async () => {
			await startSim();
			const web = sim.createChannel({ name: 'Web', type: 'landbot' });
			const created = await api('POST', `/channels/${web.id}/message_hooks/`, ALICE, { url: receiver.url(), token: 'hook-token-1' });
			await api('DELETE', `/channels/${web.id}/message_hooks/${created.body.hook.id}/`);
			expect(sim.secrets().sort()).toEqual([ALICE, BOB, 'hook-token-1'].sort());
		});

		test('create (201), list, delete; refused on channels that do not fire hooks', async () => {
			await startSim();
			const web = sim.createChannel({ name: 'Web', type: 'landbot' });
			const created = await api('POST', `/channels/${web.id}/message_hooks/`, ALICE, { url: receiver.url(), token: 's3cret', name: 'n8n' });
			expect(created.status).toBe(201);
			expect(created.body).toEqual({
				success: true,
				hook: expect.objectContaining({ id: expect.any(Number), url: receiver.url(), token: 's3cret', name: 'n8n', channel_id: web.id }),
			});
			expect((await api('GET', `/channels/${web.id}/message_hooks/`)).body.hooks).toHaveLength(1);
			expect((await api('POST', `/channels/${web.id}/message_hooks/`, ALICE, { url: 'not a url' })).status).toBe(400);
			expect((await api('DELETE', `/channels/${web.id}/message_hooks/${created.body.hook.id}/`)).status).toBe(204);
			expect((await api('GET', `/channels/${web.id}/message_hooks/`)).body.hooks).toHaveLength(0);

			for (const type of ['facebook', 'apichat'] as const) {
				const ch = sim.createChannel({ name: type, type });
				const res = await api('POST', `/channels/${ch.id}/message_hooks/`, ALICE, { url: receiver.url() });
				expect(res.status).toBe(400);
				expect(res.body.errors.channel).toHaveLength(1);
			}
		});

		test('delivers every message as {"messages":[msg]} with the token, User-Agent and sheet shape', async () => {
			await startSim();
			const { channel, customerId } = await conversation('s3cret', { ticket_id: 42, vip: true });
			sim.customerSays(customerId, 'I need a human');
			await api('PUT', `/customers/${customerId}/assign/`);
			await api('POST', `/customers/${customerId}/send_text/`, ALICE, { message: 'Alice here' });
			sim.botSays(customerId, { text: 'Pick one', buttons: ['a', 'b'] });
			sim.customerSays(customerId, { image: 'https://x.test/cat.png' });
			const got = await receiver.waitFor(4);
			await sim.idle();

			for (const r of got) {
				expect(r.method).toBe('POST');
				expect(r.headers.authorization).toBe('Token s3cret');
				expect(r.headers['user-agent']).toBe('landbot/webhooks');
				expect(r.headers['sentry-trace']).toMatch(/^[0-9a-f]{32}-[0-9a-f]{16}/);
				expect(r.body.messages).toHaveLength(1);
			}
			const [user, agent, bot, image] = got.map((r) => r.body.messages[0]);
			expect(user).toEqual({
				type: 'text',
				timestamp: expect.any(Number),
				data: { body: 'I need a human' },
				sender: { id: customerId, name: 'Carla', type: 'customer' },
				customer: expect.objectContaining({ id: customerId, agent_id: null, archived: false, name: 'Carla', ticket_id: '42', vip: true }),
				channel: { id: channel.id, name: 'Web bot', type: 'landbot' },
				_raw: expect.objectContaining({ uuid: expect.any(String), author_type: 'user', type: 'text', message: 'I need a human' }),
			});
			expect(user.timestamp % 1).not.toBe(0);
			expect(agent.sender).toEqual({ id: 1, name: 'Agent 1', type: 'agent' });
			expect(agent.customer.agent_id).toBe(1);
			expect(agent._raw).toMatchObject({ author_type: 'agent', samurai: 1, message: 'Alice here' });
			expect(bot).toMatchObject({ type: 'dialog', sender: { type: 'bot' }, _raw: { author_type: 'bot' } });
			expect(image).toMatchObject({ type: 'image', data: { url: 'https://x.test/cat.png' } });
			expect(got.map((r) => r.body.messages[0].timestamp)).toEqual([...got.map((r) => r.body.messages[0].timestamp)].sort());
		});

		test('no Authorization header when the hook has no token', async () => {
			await startSim();
			const { customerId } = await conversation('');
			sim.customerSays(customerId, 'hi');
			const [r] = await receiver.waitFor(1);
			expect(r.headers.authorization).toBeUndefined();
		});

		test('non-2xx is retried 5, 10, 15 s … × timeScale with the same sentry-trace', async () => {
			await startSim({ timeScale: 0.01 });
			receiver.responder = (_r, i) => (i < 2 ? 500 : 200);
			const { customerId } = await conversation('s3cret');
			sim.customerSays(customerId, 'hello');
			const got = await receiver.waitFor(3);
			await sim.idle();
			expect(got.map((r) => r.status)).toEqual([500, 500, 200]);
			expect(new Set(got.map((r) => r.headers['sentry-trace'])).size).toBe(1);
			expect(got[1].at - got[0].at).toBeGreaterThanOrEqual(45);
			expect(got[2].at - got[1].at).toBeGreaterThanOrEqual(95);
			const attempts = sim.getDeliveries();
			expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
				[1, 500],
				[2, 500],
				[3, 200],
			]);
			expect(attempts[0].retryInMs).toBeCloseTo(50);
			expect(attempts[1].retryInMs).toBeCloseTo(100);
		});

		test('gives up after 6 attempts (linear backoff); connection errors count as failures', async () => {
			await startSim({ timeScale: 0.002 });
			receiver.responder = () => 503;
			const { customerId } = await conversation('s3cret');
			sim.customerSays(customerId, 'hello');
			await receiver.waitFor(6);
			await sim.idle();
			await sleep(50);
			expect(receiver.requests).toHaveLength(6);
			const attempts = sim.getDeliveries();
			expect(attempts.map((a) => a.retryInMs)).toEqual([10, 20, 30, 40, 50, undefined]);
			expect(attempts[5].gaveUp).toBe(true);

			// A dead endpoint: connection refused, retried the same way.
			const dead = new WebhookReceiver();
			await dead.start();
			const deadUrl = dead.url();
			await dead.stop();
			const other = sim.createChannel({ name: 'Dead', type: 'landbot' });
			await api('POST', `/channels/${other.id}/message_hooks/`, ALICE, { url: deadUrl });
			const c = sim.createCustomer({ channel_id: other.id });
			sim.customerSays(c.id as number, 'anyone?');
			await sim.idle();
			const deadAttempts = sim.getDeliveries().filter((a) => a.url === deadUrl);
			expect(deadAttempts).toHaveLength(6);
			expect(deadAttempts.every((a) => a.status === null && a.error)).toBe(true);
		});

		test('in order within a conversation; a retrying conversation does not block the others', async () => {
			await startSim({ timeScale: 0.01 });
			const { channel, customerId: first } = await conversation('s3cret');
			const second = sim.createCustomer({ channel_id: channel.id, name: 'Other' }).id as number;
			let failedOnce = false;
			receiver.responder = (r) => {
				if (r.body.messages[0].data.body !== 'first-1' || failedOnce) return 200;
				failedOnce = true;
				return 500;
			};
			sim.customerSays(first, 'first-1');
			sim.customerSays(first, 'first-2');
			sim.customerSays(second, 'second-1');
			await receiver.waitFor(4);
			await sim.idle();
			const order = receiver.requests.map((r) => `${r.body.messages[0].data.body}:${r.status}`);
			expect(order.filter((o) => o.startsWith('first'))).toEqual(['first-1:500', 'first-1:200', 'first-2:200']);
			// The other conversation was delivered while first-1 waited for its retry.
			expect(order.indexOf('second-1:200')).toBeLessThan(order.indexOf('first-1:200'));
		});
	});

	describe('idle unassignment', () => {
		test('unassigned after idleUnassignMs without interaction; nothing is sent by default', async () => {
			await startSim({ timeScale: 1, idleUnassignMs: 200 });
			const { customerId } = await conversation('s3cret');
			await api('PUT', `/customers/${customerId}/assign/`);
			await sleep(120);
			sim.customerSays(customerId, 'still there?'); // interaction restarts the clock
			await sleep(120);
			expect(sim.getCustomerState(customerId).agent_id).toBe(1);
			await sleep(200);
			const state = sim.getCustomerState(customerId);
			expect(state.agent_id).toBeNull();
			expect(state.events.map((e) => e.type)).toEqual(['assign', 'idle_unassign']);
			await sim.idle();
			expect(receiver.requests.map((r) => r.body.messages[0].sender.type)).toEqual(['customer']);
		});

		test('sysMessageOnUnassign also sends a sys message through the hooks', async () => {
			await startSim({ timeScale: 0.01, idleUnassignMs: 5000, sysMessageOnUnassign: true });
			const { customerId } = await conversation('s3cret');
			await api('PUT', `/customers/${customerId}/assign/`);
			const [r] = await receiver.waitFor(1, 2000);
			const msg = r.body.messages[0];
			expect(msg.sender.type).toBe('sys');
			expect(msg.customer.agent_id).toBeNull();
			expect(sim.getCustomerState(customerId).agent_id).toBeNull();
		});
	});

	describe('configure and Webhook blocks', () => {
		test('configure() changes the rate limit and idle unassignment of a running simulator', async () => {
			await startSim();
			const { customerId } = await conversation();
			sim.configure({ rateLimitPerSecond: 2 });
			const statuses = [];
			for (let i = 0; i < 4; i++) statuses.push((await api('GET', `/customers/${customerId}/`)).status);
			expect(statuses).toEqual([200, 200, 429, 429]);

			sim.configure({ idleUnassignMs: 3000, rateLimitPerSecond: 10 }); // 30 ms at timeScale 0.01
			await sleep(1000); // the rate window empties
			expect((await api('PUT', `/customers/${customerId}/assign/`)).status).toBe(200);
			await sleep(150);
			expect(sim.getCustomerState(customerId).agent_id).toBeNull();
			expect(sim.getCustomerState(customerId).events.map((e) => e.type)).toEqual(['assign', 'idle_unassign']);
		});

		test('PATCH /_control/options takes only the runtime options', async () => {
			await startSim();
			const { customerId } = await conversation();
			const res = await httpRequest(`${sim.controlUrl}/options`, {
				method: 'PATCH',
				body: { rateLimitPerSecond: 1, port: 1 },
			});
			expect(res.status).toBe(200);
			expect((await api('GET', `/customers/${customerId}/`)).status).toBe(200);
			expect((await api('GET', `/customers/${customerId}/`)).status).toBe(429);
		});

		test('webhookBlock() sends the block\'s request with @variables replaced and records the answer', async () => {
			await startSim();
			const { customerId } = await conversation(undefined, { ticket: 'T-9', score: 3 });
			receiver.responder = () => 202;
			const call = await sim.webhookBlock(customerId, {
				url: receiver.url('/start?who=@id'),
				headers: { 'X-Secret': 's3cret' },
				body: { customer_id: '@id', name: '@name', note: '@name (@email) has @ticket, @unknown', score: '@score' },
			});
			const [request] = await receiver.waitFor(1);
			expect(request.method).toBe('POST');
			expect(request.path).toBe(`/start?who=${customerId}`);
			expect(request.headers['x-secret']).toBe('s3cret');
			expect(request.headers['user-agent']).toBe('landbot/webhooks');
			expect(request.body).toEqual({
				customer_id: customerId,
				name: 'Carla',
				note: 'Carla (carla@example.com) has T-9, @unknown',
				score: 3,
			});
			expect(call).toMatchObject({ customerId, method: 'POST', status: 202 });
			expect(sim.getWebhookBlockCalls()).toHaveLength(1);
		});

		test('a Webhook block that cannot connect records the error; the control route runs one too', async () => {
			await startSim();
			const { customerId } = await conversation();
			const failed = await sim.webhookBlock(customerId, { url: 'http://127.0.0.1:1/nowhere', body: {} });
			expect(failed.status).toBeNull();
			expect(failed.error).toBeTruthy();

			const res = await httpRequest(`${sim.controlUrl}/customers/${customerId}/webhook_block`, {
				method: 'POST',
				body: { url: receiver.url('/x'), body: { id: '@id' } },
			});
			expect(res.status).toBe(200);
			expect(res.body).toMatchObject({ status: 200, body: { id: customerId } });
			expect((await httpRequest(`${sim.controlUrl}/webhook_blocks`)).body).toHaveLength(2);
			const missing = await httpRequest(`${sim.controlUrl}/customers/999/webhook_block`, { method: 'POST', body: { url: 'http://x' } });
			expect(missing.status).toBe(404);
		});
	});

	describe('customer media', () => {
		test('hostMedia() serves a file without auth under /media/, which an image message can carry; the control route hosts one too', async () => {
			await startSim();
			const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
			const url = sim.hostMedia({ name: 'damaged box.png', contentType: 'image/png', data: png });
			expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/media/[0-9a-f]{16}/damaged%20box\\.png$`));
			const got = await fetch(url);
			expect(got.status).toBe(200);
			expect(got.headers.get('content-type')).toBe('image/png');
			expect(Buffer.from(await got.arrayBuffer())).toEqual(png);
			expect((await fetch(`${url}x`)).status).toBe(404);
			// Not an API call: nothing recorded, no token needed.
			expect(sim.getCalls()).toEqual([]);

			const { customerId } = await conversation();
			const message = sim.customerSays(customerId, { image: url, caption: 'The box' });
			expect(message).toMatchObject({ type: 'image', data: { url }, message: 'The box' });

			const hosted = await httpRequest(`${sim.controlUrl}/media`, {
				method: 'POST',
				body: { name: 'note.txt', content_type: 'text/plain', base64: Buffer.from('hello').toString('base64') },
			});
			expect(hosted.status).toBe(201);
			expect(await (await fetch(hosted.body.url)).text()).toBe('hello');
			expect((await httpRequest(`${sim.controlUrl}/media`, { method: 'POST', body: { name: 'x' } })).status).toBe(400);
			sim.reset();
			expect((await fetch(url)).status).toBe(404);
		});
	});

	describe('control API over HTTP', () => {
		test('create channel and customer, customer says, read state and recorded calls, reset', async () => {
			await startSim();
			const control = (method: string, path: string, body?: unknown) =>
				httpRequest(`${sim.controlUrl}${path}`, { method, body });
			const channel = (await control('POST', '/channels', { name: 'Web', type: 'landbot' })).body;
			const customer = (await control('POST', '/customers', { channel_id: channel.id, name: 'Ann', fields: { order_id: 7 } })).body;
			expect(customer.custom_fields).toEqual({ order_id: 7 });
			await api('POST', `/channels/${channel.id}/message_hooks/`, ALICE, { url: receiver.url(), token: 't' });
			expect((await control('POST', `/customers/${customer.id}/says`, { text: 'hi' })).status).toBe(201);
			expect((await control('POST', `/customers/${customer.id}/bot_says`, { text: 'hello Ann' })).status).toBe(201);
			await receiver.waitFor(2);
			const state = (await control('GET', `/customers/${customer.id}`)).body;
			expect(state.messages.map((m: { message: string }) => m.message)).toEqual(['hi', 'hello Ann']);
			const calls = (await control('GET', '/calls')).body;
			expect(calls[0]).toMatchObject({ method: 'POST', path: `/v1/channels/${channel.id}/message_hooks/`, status: 201 });
			expect(calls[0].headers.authorization).toBe(`Token ${ALICE}`);
			await sim.idle();
			expect((await control('GET', '/deliveries')).body.map((d: { status: number }) => d.status)).toEqual([200, 200]);
			expect((await control('GET', '')).body.routes.length).toBeGreaterThan(5);
			const patched = await control('PATCH', `/customers/${customer.id}`, { whatsapp_window_open: false, name: 'Anna' });
			expect(patched.body).toMatchObject({ whatsapp_window_open: false, customer: { name: 'Anna' } });
			expect((await control('GET', '/customers/999')).status).toBe(404);
			await control('POST', '/reset');
			expect((await api('GET', '/channels/')).body.total).toBe(0);
		});
	});
});

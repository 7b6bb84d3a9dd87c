/**
 * The Tiledesk simulator behaves as /work/shared/reference/tiledesk.md (and, where silent, the
 * tiledesk-server source) describes.
 */
import * as crypto from 'crypto';
import { TiledeskSimulator } from '../../fakes/tiledesk';
import { WebhookReceiver } from '../../fakes/receiver';
import { httpRequest } from '../../fakes/http';

const OWNER = { email: 'owner@example.com', password: 'owner-pw' };
const AGENT = { email: 'agent@example.com', password: 'agent-pw', firstname: 'Alice', lastname: 'Agent' };

describe('TiledeskSimulator', () => {
	let sim: TiledeskSimulator;
	let receiver: WebhookReceiver;
	let projectId: string;
	let agentId: string;
	let ownerJwt: string;

	const basic = (u: { email: string; password: string }) =>
		`Basic ${Buffer.from(`${u.email}:${u.password}`).toString('base64')}`;

	/** An HS256 JWT, as jsonwebtoken makes them. */
	const jwt = (payload: Record<string, unknown>, secret: string) => {
		const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
		const head = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ iat: Math.floor(Date.now() / 1000), ...payload })}`;
		return `${head}.${crypto.createHmac('sha256', secret).update(head).digest('base64url')}`;
	};

	function api(method: string, path: string, auth: string | null, body?: unknown) {
		return httpRequest(`${sim.baseUrl}${path}`, { method, headers: auth ? { Authorization: auth } : {}, body });
	}

	const requestId = (suffix: string) => `support-group-${projectId}-${suffix}`;

	beforeEach(async () => {
		receiver = await new WebhookReceiver().start();
		sim = await new TiledeskSimulator({ timeScale: 0.01, retryJitter: false }).start();
		projectId = sim.createProject({ name: 'Test', owner: OWNER }).project._id;
		agentId = sim.createAgent(projectId, AGENT).user._id;
		const signin = await api('POST', '/auth/signin', null, OWNER);
		ownerJwt = signin.body.token;
	});

	afterEach(async () => {
		await sim.stop();
		await receiver.stop();
	});

	async function subscribe(event: string, target = receiver.url(`/${event}`)) {
		const res = await api('POST', `/${projectId}/subscriptions`, ownerJwt, { event, target });
		expect(res.status).toBe(200);
		return res;
	}

	test('secrets() lists passwords, the shared and subscription secrets, and every JWT issued or accepted (for leak checks)', async () => {
		const shared = sim.setProjectSecret(projectId);
		const subscription = await subscribe('message.create');
		const visitor = jwt({ _id: 'visitor-1', sub: 'userexternal', aud: `https://tiledesk.com/projects/${projectId}` }, shared);
		expect((await api('POST', '/auth/signinWithCustomToken', `JWT ${visitor}`)).status).toBe(200);
		const secrets = sim.secrets();
		for (const value of [OWNER.password, AGENT.password, shared, String(subscription.headers['x-hook-secret']), ownerJwt.replace(/^JWT /, ''), visitor]) {
			expect(secrets).toContain(value);
		}
	});

	describe('auth', () => {
		test('signin returns "JWT <jwt>" and the user; wrong credentials are 401, bad input 422', async () => {
			const res = await api('POST', '/auth/signin', null, OWNER);
			expect(res.status).toBe(200);
			expect(res.body.success).toBe(true);
			expect(res.body.token).toMatch(/^JWT [\w-]+\.[\w-]+\.[\w-]+$/);
			expect(res.body.user).toMatchObject({ email: OWNER.email });
			expect(res.body.user.password).toBeUndefined();

			expect(await api('POST', '/auth/signin', null, { ...OWNER, password: 'x' })).toMatchObject({
				status: 401,
				body: { success: false, msg: 'Authentication failed. Wrong password.' },
			});
			expect((await api('POST', '/auth/signin', null, { email: 'nobody@example.com', password: 'x' })).status).toBe(401);
			expect((await api('POST', '/auth/signin', null, { email: 'not-an-email', password: 'x' })).status).toBe(422);
		});

		test('project routes accept "JWT <jwt>" and HTTP Basic; 401 "Unauthorized" otherwise', async () => {
			expect((await api('GET', `/${projectId}/requests`, ownerJwt)).status).toBe(200);
			expect((await api('GET', `/${projectId}/requests`, basic(OWNER))).status).toBe(200);
			for (const auth of [null, 'Bearer x', basic({ ...OWNER, password: 'wrong' }), `${ownerJwt.slice(0, -3)}abc`]) {
				const res = await api('GET', `/${projectId}/requests`, auth);
				expect(res.status).toBe(401);
				expect(res.text).toBe('Unauthorized');
			}
		});

		test('roles: subscriptions need admin; non-members are refused', async () => {
			const res = await api('GET', `/${projectId}/subscriptions`, basic(AGENT));
			expect(res).toMatchObject({ status: 403, body: { success: false, msg: 'you dont have the required role.' } });
			const other = sim.createProject({ name: 'Other' }).project._id;
			expect(await api('GET', `/${other}/requests`, ownerJwt)).toMatchObject({
				status: 403,
				body: { msg: 'you dont belong to the project.' },
			});
		});

		test('anonymous end users can sign in and write as themselves', async () => {
			const anon = await api('POST', '/auth/signinAnonymously', null, { id_project: projectId, firstname: 'Visitor' });
			expect(anon.body.token).toMatch(/^JWT /);
			const res = await api('POST', `/${projectId}/requests/${requestId('anon')}/messages`, anon.body.token, { text: 'hello' });
			expect(res.status).toBe(200);
			expect(res.body.sender).toBe(anon.body.user._id);
			expect(res.body.request.lead.lead_id).toBe(anon.body.user._id);
		});

		describe('custom visitor tokens (signinWithCustomToken)', () => {
			const hs256 = (payload: Record<string, unknown>, secret: string) => {
				const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
				const head = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(payload)}`;
				return `${head}.${crypto.createHmac('sha256', secret).update(head).digest('base64url')}`;
			};
			const visitor = (extra: Record<string, unknown> = {}) => ({
				_id: 'landbot-473548616',
				firstname: 'Carla',
				sub: 'userexternal',
				aud: `https://tiledesk.com/projects/${projectId}`,
				iat: Math.floor(Date.now() / 1000),
				...extra,
			});
			const signin = (token: string, body: unknown = { id_project: projectId }) =>
				api('POST', '/auth/signinWithCustomToken', `JWT ${token}`, body);

			test('projects have no shared secret until one is set; the control API sets or generates it', async () => {
				expect(sim.getProjectSecret(projectId)).toBeUndefined();
				expect(sim.setProjectSecret(projectId, 'given')).toBe('given');
				const res = await httpRequest(`${sim.controlUrl}/projects/${projectId}/shared_secret`, { method: 'POST', body: {} });
				expect(res.status).toBe(200);
				expect(res.body.secret).toMatch(/^[0-9a-f-]{36}$/);
				expect(sim.getProjectSecret(projectId)).toBe(res.body.secret);
			});

			test('a token signed with the project secret makes its _id a project user who may open a conversation', async () => {
				const secret = sim.setProjectSecret(projectId);
				const rid = requestId('473548616');
				// Unknown sender of a first message: refused, as upstream does.
				const before = await api('POST', `/${projectId}/requests/${rid}/messages`, ownerJwt, { text: 'hi', sender: 'landbot-473548616' });
				expect(before.status).toBe(403);

				const token = hs256(visitor({ exp: Math.floor(Date.now() / 1000) + 300 }), secret);
				const res = await signin(token);
				expect(res.status).toBe(200);
				expect(res.body).toMatchObject({ success: true, token: `JWT ${token}`, user: { _id: 'landbot-473548616', firstname: 'Carla' } });
				// Idempotent: the same user again is fine.
				expect((await signin(token)).status).toBe(200);

				const after = await api('POST', `/${projectId}/requests/${rid}/messages`, ownerJwt, {
					text: 'hi',
					sender: 'landbot-473548616',
					senderFullname: 'Carla',
				});
				expect(after.status).toBe(200);
				expect(after.body.request.lead.lead_id).toBe('landbot-473548616');

				// The custom token itself is a login for that end user.
				const own = await api('POST', `/${projectId}/requests/${rid}/messages`, `JWT ${token}`, { text: 'me again' });
				expect(own.status).toBe(200);
				expect(own.body.sender).toBe('landbot-473548616');
			});

			test('wrong secret, expired token, missing _id or a project without secret: 401; no aud: 400', async () => {
				expect((await signin(hs256(visitor(), 'any'))).status).toBe(401); // no secret set yet
				const secret = sim.setProjectSecret(projectId);
				expect((await signin(hs256(visitor(), 'wrong'))).status).toBe(401);
				expect((await signin(hs256(visitor({ exp: Math.floor(Date.now() / 1000) - 10 }), secret))).status).toBe(401);
				expect((await signin(hs256(visitor({ _id: undefined }), secret))).status).toBe(401);
				expect((await api('POST', '/auth/signinWithCustomToken', null, {})).status).toBe(401);
				const other = sim.createProject({ name: 'Other' }).project._id;
				const forOther = hs256(visitor({ aud: `https://tiledesk.com/projects/${other}` }), secret);
				expect((await signin(forOther)).status).toBe(401);
				// Tokens without aud are checked with the server's own secret: they cannot come from a customer.
				expect((await signin(hs256(visitor({ aud: undefined }), secret))).status).toBe(401);
			});

			test('the visitor becomes a project user with role user (roleType 2)', async () => {
				const secret = sim.setProjectSecret(projectId);
				const token = hs256(visitor(), secret);
				await signin(token);
				const members = await api('GET', `/${projectId}/project_users?role=user`, ownerJwt);
				expect(members.body).toEqual([expect.objectContaining({ uuid_user: 'landbot-473548616', role: 'user', roleType: 2 })]);
			});
		});

		test('listSubscriptions() and GET /_control/subscriptions show subscriptions with their secrets', async () => {
			const res = await subscribe('message.create');
			const listed = sim.listSubscriptions(projectId);
			expect(listed).toEqual([expect.objectContaining({ _id: res.body._id, event: 'message.create', secret: res.headers['x-hook-secret'] })]);
			expect((await httpRequest(`${sim.controlUrl}/subscriptions`)).body).toEqual(listed);
			expect(sim.listSubscriptions('another')).toEqual([]);
		});
	});

	describe('messages and requests', () => {
		test('the first message creates the request and answers the message with its populated request', async () => {
			const rid = requestId('c1');
			const res = await api('POST', `/${projectId}/requests/${rid}/messages`, ownerJwt, {
				text: 'Hi, I need help',
				senderFullname: 'Carla Customer',
				subject: 'Order 42',
				attributes: { source: 'landbot', customer_id: 473548616 },
			});
			expect(res.status).toBe(200);
			expect(res.body).toMatchObject({ text: 'Hi, I need help', type: 'text', recipient: rid, status: 0 });
			expect(res.body.request).toMatchObject({
				request_id: rid,
				subject: 'Order 42',
				first_text: 'Hi, I need help',
				// The default department has no bot: an available agent is assigned straight away.
				status: 200,
				participants: [agentId],
				attributes: expect.objectContaining({ source: 'landbot' }),
				lead: expect.objectContaining({ lead_id: expect.any(String), fullname: 'Carla Customer' }),
				department: expect.objectContaining({ default: true }),
			});
			const get = await api('GET', `/${projectId}/requests/${rid}`, ownerJwt);
			expect(get.body.request_id).toBe(rid);
			expect((await api('GET', `/${projectId}/requests/support-group-nope`, ownerJwt)).status).toBe(404);
		});

		test('request ids must start with support-group; text is required on the first message', async () => {
			const bad = await api('POST', `/${projectId}/requests/my-conversation-1/messages`, ownerJwt, { text: 'x' });
			expect(bad.status).toBe(400);
			expect(bad.body.success).toBe(false);
			expect((await api('POST', `/${projectId}/requests/${requestId('c2')}/messages`, ownerJwt, {})).status).toBe(422);
		});

		test('an explicit sender on the first message must be a project user (403 otherwise)', async () => {
			const res = await api('POST', `/${projectId}/requests/${requestId('c3')}/messages`, ownerJwt, {
				text: 'x',
				sender: 'landbot-473548616',
			});
			expect(res.status).toBe(403);
			const ok = await api('POST', `/${projectId}/requests/${requestId('c3')}/messages`, ownerJwt, { text: 'x', sender: agentId });
			expect(ok.status).toBe(200);
			// Once the request exists any sender string is accepted.
			const later = await api('POST', `/${projectId}/requests/${requestId('c3')}/messages`, ownerJwt, {
				text: 'y',
				sender: 'landbot-473548616',
				senderFullname: 'Carla',
			});
			expect(later.body).toMatchObject({ sender: 'landbot-473548616', senderFullname: 'Carla' });
		});

		test('type image with metadata, and info attributes', async () => {
			const rid = requestId('img');
			await api('POST', `/${projectId}/requests/${rid}/messages`, ownerJwt, { text: 'hello' });
			const img = await api('POST', `/${projectId}/requests/${rid}/messages`, ownerJwt, {
				type: 'image',
				text: 'a cat',
				metadata: { src: 'https://x.test/cat.png', width: 10, height: 10 },
				attributes: { subtype: 'info' },
			});
			expect(img.body).toMatchObject({ type: 'image', metadata: { src: 'https://x.test/cat.png' }, attributes: { subtype: 'info' } });
			const msgs = await api('GET', `/${projectId}/requests/${rid}/messages`, ownerJwt);
			expect(msgs.body.map((m: { text: string }) => m.text)).toEqual(['hello', 'a cat']);
		});

		test('\\agent as the last line routes a bot conversation to an available agent', async () => {
			const bot = sim.createBot(projectId, { name: 'Bot' });
			const rid = requestId('route');
			const created = await api('POST', `/${projectId}/requests/${rid}/messages`, ownerJwt, {
				text: 'Conversation from Landbot',
				participants: [`bot_${bot._id}`],
			});
			expect(created.body.request).toMatchObject({ status: 200, hasBot: true, participants: [`bot_${bot._id}`] });

			await api('POST', `/${projectId}/requests/${rid}/messages`, ownerJwt, {
				text: 'The customer asked for a human\n\\agent',
				attributes: { subtype: 'info' },
			});
			await sim.idle();
			const request = (await api('GET', `/${projectId}/requests/${rid}`, ownerJwt)).body;
			expect(request).toMatchObject({ status: 200, hasBot: false, participants: [agentId], participantsAgents: [agentId] });
			const texts = sim.getMessages(rid).map((m) => m.text);
			expect(texts[texts.length - 1]).toMatch(/^A new support request has been assigned to you/);
		});

		test('\\agent with nobody available leaves the request UNASSIGNED (100)', async () => {
			sim.setAgentAvailability(projectId, agentId, false);
			const rid = requestId('queue');
			const created = await api('POST', `/${projectId}/requests/${rid}/messages`, ownerJwt, { text: 'Hi' });
			expect(created.body.request.status).toBe(100);
			await api('POST', `/${projectId}/requests/${rid}/messages`, ownerJwt, { text: '\\agent', attributes: { subtype: 'info' } });
			await sim.idle();
			expect(sim.getRequest(rid)).toMatchObject({ status: 100, participants: [] });
		});

		test('\\agent in the middle of a text does nothing', async () => {
			const bot = sim.createBot(projectId, { name: 'Bot' });
			const rid = requestId('mid');
			await api('POST', `/${projectId}/requests/${rid}/messages`, ownerJwt, { text: 'Hi', participants: [`bot_${bot._id}`] });
			await api('POST', `/${projectId}/requests/${rid}/messages`, ownerJwt, { text: 'please \\agent now' });
			await sim.idle();
			expect(sim.getRequest(rid)).toMatchObject({ participants: [`bot_${bot._id}`] });
		});

		test('PUT agent / departments / assign, participants add and remove, attributes, close and reopen', async () => {
			const bot = sim.createBot(projectId, { name: 'Bot' });
			const sales = sim.createDepartment(projectId, { name: 'Sales', routing: 'pooled' });
			const rid = requestId('ops');
			await api('POST', `/${projectId}/requests/${rid}/messages`, ownerJwt, { text: 'Hi', participants: [`bot_${bot._id}`] });

			const routed = await api('PUT', `/${projectId}/requests/${rid}/agent`, ownerJwt);
			expect(routed.body).toMatchObject({ status: 200, participants: [agentId] });

			const moved = await api('PUT', `/${projectId}/requests/${rid}/departments`, ownerJwt, { departmentid: sales._id });
			expect(moved.body).toMatchObject({ status: 100, participants: [], department: expect.objectContaining({ name: 'Sales' }) });

			const assigned = await api('PUT', `/${projectId}/requests/${rid}/assign`, ownerJwt, {});
			expect(assigned.body.status).toBe(200); // default department, agent available

			const removed = await api('DELETE', `/${projectId}/requests/${rid}/participants/${agentId}`, ownerJwt);
			expect(removed.body).toMatchObject({ status: 100, participants: [] });
			const added = await api('POST', `/${projectId}/requests/${rid}/participants`, ownerJwt, { member: agentId });
			expect(added.body).toMatchObject({ status: 200, participants: [agentId] });
			expect((await api('POST', `/${projectId}/requests/${rid}/participants`, ownerJwt, {})).status).toBe(422);

			const set = await api('PUT', `/${projectId}/requests/${rid}/participants`, ownerJwt, [`bot_${bot._id}`]);
			expect(set.body).toMatchObject({ status: 200, hasBot: true, participants: [`bot_${bot._id}`], participantsAgents: [] });
			await api('PUT', `/${projectId}/requests/${rid}/participants`, ownerJwt, [agentId]);

			const patched = await api('PATCH', `/${projectId}/requests/${rid}/attributes`, ownerJwt, { landbot_customer_id: 42 });
			expect(patched.body.attributes).toMatchObject({ landbot_customer_id: 42 });

			expect((await api('PUT', `/${projectId}/requests/${rid}/close`, basic(AGENT))).body.status).toBe(1000);
			expect((await api('PUT', `/${projectId}/requests/${rid}/reopen`, ownerJwt)).body.status).toBe(200);
			await sim.idle();
			const texts = sim.getMessages(rid).map((m) => m.text);
			expect(texts).toEqual(expect.arrayContaining(['Chat closed', 'Chat reopened']));
		});

		test('an agent who is not a participant may not close', async () => {
			sim.setAgentAvailability(projectId, agentId, false);
			const rid = requestId('noclose');
			await api('POST', `/${projectId}/requests/${rid}/messages`, ownerJwt, { text: 'Hi' });
			const res = await api('PUT', `/${projectId}/requests/${rid}/close`, basic(AGENT));
			expect(res.status).toBe(403);
			expect((await api('PUT', `/${projectId}/requests/${rid}/close`, ownerJwt)).status).toBe(200);
		});

		test('list: {perPage, count, requests}; open requests by default, status filter, page/limit', async () => {
			for (const s of ['a', 'b', 'c']) {
				await api('POST', `/${projectId}/requests/${requestId(s)}/messages`, ownerJwt, { text: s });
			}
			await api('PUT', `/${projectId}/requests/${requestId('a')}/close`, ownerJwt);
			const open = await api('GET', `/${projectId}/requests`, ownerJwt);
			expect(open.body).toMatchObject({ perPage: 40, count: 2 });
			expect(open.body.requests.map((r: { request_id: string }) => r.request_id)).toEqual([requestId('c'), requestId('b')]);
			const closed = await api('GET', `/${projectId}/requests?status=1000`, ownerJwt);
			expect(closed.body.requests.map((r: { request_id: string }) => r.request_id)).toEqual([requestId('a')]);
			expect((await api('GET', `/${projectId}/requests?status=all`, ownerJwt)).body.count).toBe(3);
			const page = await api('GET', `/${projectId}/requests?status=all&limit=1&page=1`, ownerJwt);
			expect(page.body).toMatchObject({ perPage: 1, count: 3 });
			expect(page.body.requests).toHaveLength(1);
		});

		test('departments (no auth) and project_users', async () => {
			const deps = await api('GET', `/${projectId}/departments`, null);
			expect(deps.body).toEqual([expect.objectContaining({ name: 'Default Department', default: true, routing: 'assigned' })]);
			const users = await api('GET', `/${projectId}/project_users`, basic(AGENT));
			expect(users.body.map((pu: { role: string; id_user: { email: string } }) => [pu.role, pu.id_user.email])).toEqual([
				['owner', OWNER.email],
				['agent', AGENT.email],
			]);
			expect(users.body[1].user_available).toBe(true);
		});

		test('GET /projects/:id (the credential test) and /:id/project_users/me: members only, 401 on a wrong login', async () => {
			expect(await api('GET', `/projects/${projectId}`, basic(AGENT))).toMatchObject({ status: 200, body: { _id: projectId, name: 'Test', status: 100 } });
			expect((await api('GET', `/projects/${projectId}`, ownerJwt)).status).toBe(200);
			for (const auth of [null, basic({ ...AGENT, password: 'wrong' })]) {
				expect(await api('GET', `/projects/${projectId}`, auth)).toMatchObject({ status: 401, text: 'Unauthorized' });
			}
			const other = sim.createProject({ name: 'Other' }).project._id;
			expect(await api('GET', `/projects/${other}`, basic(AGENT))).toMatchObject({ status: 403, body: { msg: 'you dont belong to the project.' } });
			// Departments, by contrast, are served to anyone (the widget reads them).
			expect((await api('GET', `/${other}/departments`, null)).status).toBe(200);

			const me = await api('GET', `/${projectId}/project_users/me`, basic(AGENT));
			expect(me.body).toEqual([expect.objectContaining({ id_project: projectId, role: 'agent', id_user: expect.objectContaining({ email: AGENT.email }) })]);
			expect((await api('GET', `/${other}/project_users/me`, basic(AGENT))).status).toBe(403);
		});
	});

	describe('subscriptions and webhooks', () => {
		test('create returns the secret (body and x-hook-secret); same event+target returns the existing one', async () => {
			const first = await subscribe('message.create');
			expect(first.body).toMatchObject({ event: 'message.create', target: receiver.url('/message.create'), id_project: projectId });
			expect(first.body.secret).toEqual(expect.any(String));
			expect(first.headers['x-hook-secret']).toBe(first.body.secret);
			const again = await subscribe('message.create');
			expect(again.body._id).toBe(first.body._id);
			expect(again.headers['x-hook-secret']).toBe(first.body.secret);

			const list = await api('GET', `/${projectId}/subscriptions`, ownerJwt);
			expect(list.body).toHaveLength(1);
			expect(list.body[0].secret).toBeUndefined();
			expect((await api('GET', `/${projectId}/subscriptions/${first.body._id}`, ownerJwt)).body._id).toBe(first.body._id);
			expect((await api('DELETE', `/${projectId}/subscriptions/${first.body._id}`, ownerJwt)).status).toBe(200);
			expect((await api('GET', `/${projectId}/subscriptions/${first.body._id}`, ownerJwt)).status).toBe(404);
		});

		test('upstream quirk: a duplicate (event, target) answers the FIRST subscription of that event', async () => {
			const a = await subscribe('message.create', receiver.url('/a'));
			const b = await subscribe('message.create', receiver.url('/b'));
			expect(b.body._id).not.toBe(a.body._id);
			const bAgain = await subscribe('message.create', receiver.url('/b'));
			expect(bAgain.body).toMatchObject({ _id: a.body._id, target: receiver.url('/a') });
			expect(bAgain.headers['x-hook-secret']).toBe(a.body.secret);
		});

		test('by default one secret for every subscription of the simulator, in every project (models/subscription.js)', async () => {
			const a = await subscribe('request.create');
			const b = await subscribe('request.close');
			expect(a.body.secret).toBe(b.body.secret);
			const other = sim.createProject({ name: 'Other', owner: { email: 'mallory@example.com', password: 'm-pw' } }).project._id;
			const mallory = basic({ email: 'mallory@example.com', password: 'm-pw' });
			const c = await api('POST', `/${other}/subscriptions`, mallory, { event: 'request.create', target: receiver.url('/c') });
			expect(c.headers['x-hook-secret']).toBe(a.body.secret);

			await sim.stop();
			sim = await new TiledeskSimulator({ shareSubscriptionSecret: false }).start();
			projectId = sim.createProject({ name: 'Own secrets', owner: OWNER }).project._id;
			ownerJwt = (await api('POST', '/auth/signin', null, OWNER)).body.token;
			const d = await subscribe('request.create');
			const e = await subscribe('request.close');
			expect(d.body.secret).not.toBe(e.body.secret);
		});

		test('PUT by id stores any field of the body, secret included, and answers without the secret', async () => {
			const sub = await subscribe('message.create');
			const put = await api('PUT', `/${projectId}/subscriptions/${sub.body._id}`, ownerJwt, { secret: 'ours-1', unknown: 'dropped' });
			expect(put.status).toBe(200);
			expect(put.body).toMatchObject({ _id: sub.body._id, event: 'message.create', id_project: projectId });
			expect(put.body).not.toHaveProperty('secret');
			expect(put.body).not.toHaveProperty('global');
			expect(put.body).not.toHaveProperty('unknown');
			expect(sim.listSubscriptions(projectId)[0].secret).toBe('ours-1');
			// A repeated POST reads the stored secret back; deliveries carry it.
			expect((await subscribe('message.create')).headers['x-hook-secret']).toBe('ours-1');
			await api('POST', `/${projectId}/requests/${requestId('put')}/messages`, ownerJwt, { text: 'hi' });
			const [delivery] = await receiver.waitFor(1);
			expect(delivery.headers['x-hook-secret']).toBe('ours-1');
			// Numbers and booleans are cast to text; objects are a CastError (500).
			expect((await api('PUT', `/${projectId}/subscriptions/${sub.body._id}`, ownerJwt, { secret: 42 })).status).toBe(200);
			expect(sim.listSubscriptions(projectId)[0].secret).toBe('42');
			const cast = await api('PUT', `/${projectId}/subscriptions/${sub.body._id}`, ownerJwt, { secret: { $set: 1 } });
			expect(cast).toMatchObject({ status: 500, body: { success: false, msg: 'Error updating object.' } });
			expect((await api('PUT', `/${projectId}/subscriptions/not-an-id`, ownerJwt, { secret: 'x' })).status).toBe(500);
		});

		test('PUT finds the subscription by id alone, in any project, and upserts an unknown id', async () => {
			const sub = await subscribe('message.create');
			const other = sim.createProject({ name: 'Other', owner: { email: 'mallory@example.com', password: 'm-pw' } }).project._id;
			const mallory = basic({ email: 'mallory@example.com', password: 'm-pw' });
			const put = await api('PUT', `/${other}/subscriptions/${sub.body._id}`, mallory, { secret: 'mallory-knows' });
			expect(put.body.id_project).toBe(projectId);
			expect(sim.listSubscriptions(projectId)[0].secret).toBe('mallory-knows');

			const unknown = '65d0000000000000000000ab';
			const upserted = await api('PUT', `/${projectId}/subscriptions/${unknown}`, ownerJwt, { event: 'request.close' });
			expect(upserted).toMatchObject({ status: 200, body: { _id: unknown, event: 'request.close' } });
			expect(upserted.body).not.toHaveProperty('id_project');
			expect(sim.listSubscriptions().find((s) => s._id === unknown)).toMatchObject({ secret: undefined });
		});

		test('a PUT that makes a subscription global delivers every project\'s events to it', async () => {
			const other = sim.createProject({ name: 'Other', owner: { email: 'mallory@example.com', password: 'm-pw' } }).project._id;
			const mallory = basic({ email: 'mallory@example.com', password: 'm-pw' });
			const theirs = await api('POST', `/${other}/subscriptions`, mallory, { event: 'message.create', target: receiver.url('/mallory') });
			await api('PUT', `/${other}/subscriptions/${theirs.body._id}`, mallory, { global: true });
			await api('POST', `/${projectId}/requests/${requestId('global')}/messages`, ownerJwt, { text: 'ours' });
			const [delivery] = await receiver.waitFor(1);
			expect(delivery.path).toBe('/mallory');
			expect(delivery.body.hook).toMatchObject({ _id: theirs.body._id, id_project: other });
			expect(delivery.body.payload).toMatchObject({ text: 'ours', id_project: projectId });
		});

		test('a JWT signed with a subscription\'s secret logs in as that subscription (GET /projects/:id only)', async () => {
			const sub = await subscribe('message.create');
			const token = (secret: string) =>
				`JWT ${jwt({ _id: sub.body._id, sub: 'subscription', aud: `https://tiledesk.com/subscriptions/${sub.body._id}` }, secret)}`;
			expect(await api('GET', `/projects/${projectId}`, token(sub.body.secret))).toMatchObject({ status: 200, body: { _id: projectId } });
			expect((await api('GET', `/projects/${projectId}`, token('wrong'))).status).toBe(401);
			// Routes without the subscription type do not know it as a member.
			expect((await api('GET', `/${projectId}/requests`, token(sub.body.secret))).status).toBe(403);
			await api('PUT', `/${projectId}/subscriptions/${sub.body._id}`, ownerJwt, { secret: 'rotated' });
			expect((await api('GET', `/projects/${projectId}`, token(sub.body.secret))).status).toBe(401);
			expect((await api('GET', `/projects/${projectId}`, token('rotated'))).status).toBe(200);
		});

		test('message.create is delivered for every message, API posts included, with x-hook-secret', async () => {
			const sub = await subscribe('message.create');
			const rid = requestId('hooks');
			await api('POST', `/${projectId}/requests/${rid}/messages`, ownerJwt, { text: 'from the relay', attributes: { relay: true } });
			sim.agentSays(rid, agentId, 'Hello, Alice here');
			const got = await receiver.waitFor(2);
			for (const r of got) {
				expect(r.headers['x-hook-secret']).toBe(sub.body.secret);
				expect(r.headers['user-agent']).toBe('tiledesk-webhooks');
				expect(r.headers['content-type']).toMatch(/application\/json/);
				expect(Object.keys(r.body).sort()).toEqual(['hook', 'payload', 'timestamp', 'token']);
				expect(r.body.hook).toMatchObject({ _id: sub.body._id, event: 'message.create' });
				expect(r.body.hook.secret).toBeUndefined();
			}
			const [relay, agent] = got.map((r) => r.body.payload);
			expect(relay).toMatchObject({ text: 'from the relay', attributes: { relay: true }, recipient: rid });
			expect(relay.request.lead.lead_id).toBe(relay.sender);
			expect(agent).toMatchObject({ text: 'Hello, Alice here', sender: agentId, senderFullname: 'Alice Agent' });
			expect(agent.request.participants).toContain(agentId);

			// `token` is a JWT over the subscription, signed with its secret.
			const [h, p, s] = got[0].body.token.split('.');
			const expected = crypto.createHmac('sha256', sub.body.secret).update(`${h}.${p}`).digest('base64url');
			expect(s).toBe(expected);
			expect(JSON.parse(Buffer.from(p, 'base64url').toString())).toMatchObject({
				_id: sub.body._id,
				sub: 'subscription',
				aud: `https://tiledesk.com/subscriptions/${sub.body._id}`,
			});
		});

		test('request.create, request.update and request.close (with the transcript in messages)', async () => {
			await subscribe('request.create');
			await subscribe('request.update');
			await subscribe('request.close');
			const rid = requestId('lifecycle');
			await api('POST', `/${projectId}/requests/${rid}/messages`, ownerJwt, { text: 'first' });
			sim.agentSays(rid, agentId, 'second');
			sim.agentCloses(rid, agentId);
			await sim.idle();
			const byPath = (path: string) => receiver.requests.filter((r) => r.path === `/${path}`).map((r) => r.body);
			expect(byPath('request.create')).toHaveLength(1);
			expect(byPath('request.create')[0].payload).toMatchObject({ request_id: rid, status: 200 });
			expect(byPath('request.update').length).toBeGreaterThan(0);
			const [close] = byPath('request.close');
			expect(close.hook.event).toBe('request.close');
			expect(close.payload).toMatchObject({ request_id: rid, status: 1000, closed_by: agentId });
			expect(close.payload.messages.map((m: { text: string }) => m.text)).toEqual(['first', 'second']);
		});

		test('failed deliveries: 5xx retried twice (~2 s, ~4 s × timeScale), other 4xx not retried', async () => {
			await subscribe('message.create');
			receiver.responder = (_r, i) => (i < 2 ? 503 : 200);
			const rid = requestId('retry');
			await api('POST', `/${projectId}/requests/${rid}/messages`, ownerJwt, { text: 'one' });
			const got = await receiver.waitFor(3);
			expect(got.map((r) => r.status)).toEqual([503, 503, 200]);
			expect(got[1].at - got[0].at).toBeGreaterThanOrEqual(18);
			expect(got[2].at - got[1].at).toBeGreaterThanOrEqual(38);
			await sim.idle();
			expect(sim.getDeliveries().map((d) => d.retryInMs)).toEqual([20, 40, undefined]);

			receiver.responder = () => 500;
			sim.agentSays(rid, agentId, 'two');
			await sim.idle();
			const two = sim.getDeliveries().filter((d) => d.body.payload.text === 'two');
			expect(two.map((d) => d.status)).toEqual([500, 500, 500]);
			expect(two[2].gaveUp).toBe(true);

			receiver.responder = () => 404;
			sim.agentSays(rid, agentId, 'three');
			await sim.idle();
			expect(sim.getDeliveries().filter((d) => d.body.payload.text === 'three')).toHaveLength(1);
		});
	});

	describe('control API over HTTP', () => {
		test('projects, agents, agent_says, close, calls and deliveries', async () => {
			const control = (method: string, path: string, body?: unknown) =>
				httpRequest(`${sim.controlUrl}${path}`, { method, body });
			const created = (await control('POST', '/projects', { name: 'P2', owner: { email: 'o2@example.com', password: 'pw' } })).body;
			const pid = created.project._id;
			const agent = (await control('POST', `/projects/${pid}/agents`, { email: 'a2@example.com', password: 'pw' })).body;
			const jwt = (await api('POST', '/auth/signin', null, { email: 'o2@example.com', password: 'pw' })).body.token;
			const rid = `support-group-${pid}-x`;
			await api('POST', `/${pid}/requests/${rid}/messages`, jwt, { text: 'hi' });
			expect((await control('POST', `/requests/${rid}/agent_says`, { agentId: agent.user._id, text: 'hello' })).status).toBe(201);
			expect((await control('POST', `/requests/${rid}/close`, { agentId: agent.user._id })).body.status).toBe(1000);
			const messages = (await control('GET', `/requests/${rid}/messages`)).body;
			expect(messages.map((m: { text: string }) => m.text)).toEqual(['hi', 'hello', 'Chat closed']);
			const calls = (await control('GET', '/calls')).body;
			expect(calls.some((c: { path: string; status: number }) => c.path === `/${pid}/requests/${rid}/messages` && c.status === 200)).toBe(true);
			expect((await control('GET', '/deliveries')).body).toEqual([]);
			expect((await control('GET', '')).body.routes.length).toBeGreaterThan(5);
		});
	});
});

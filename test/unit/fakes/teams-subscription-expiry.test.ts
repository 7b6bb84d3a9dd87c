/**
 * The Graph simulator's subscription lifetime, as template 29 (renewal) depends on it: a subscription
 * renewed in time keeps notifying; once expired it is neither listed nor renewable (404), and Graph
 * sends no notification for it. `ageSubscriptions` stands in for the days in between.
 */
import * as http from 'http';

import { TeamsSimulator } from '../../fakes/teams';
import { close, httpRequest, listen } from '../../fakes/http';
import type { HttpResult } from '../../fakes/http';

const TEAM = '0d3f1f2a-1111-2222-3333-444455556666';
const CHANNEL = '19:5e1d7b0c2a9f4e3d8c6b1a0f9e8d7c6b@thread.tacv2';
const PUBLIC_URL = 'https://n8n.example.com/webhook/teams';

describe('TeamsSimulator: subscription expiry and renewal', () => {
	let sim: TeamsSimulator;
	let origin: string;
	let token: string;
	let receiver: http.Server;
	/** Change notifications the receiver got (validation requests excluded). */
	const notifications: any[] = [];

	const graph = (method: string, path: string, body?: unknown): Promise<HttpResult> =>
		httpRequest(`${origin}${path}`, { method, headers: { host: 'graph.microsoft.com', authorization: `Bearer ${token}` }, body });
	const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
	const idle = () => sim.idle(5_000);

	beforeEach(async () => {
		notifications.length = 0;
		receiver = http.createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				const token = new URL(req.url ?? '/', 'http://x').searchParams.get('validationToken');
				if (token === null) notifications.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
				res.writeHead(token === null ? 202 : 200, { 'Content-Type': 'text/plain' });
				res.end(token ?? '');
			});
		});
		const receiverUrl = `http://127.0.0.1:${await listen(receiver, 0, '127.0.0.1')}/webhook/teams`;
		sim = new TeamsSimulator({ timeScale: 0.001, route: (url) => url.replace(PUBLIC_URL, receiverUrl) });
		sim.createTeam({ id: TEAM, displayName: 'Support' });
		sim.createChannel(TEAM, { id: CHANNEL, displayName: 'Handoffs' });
		origin = await sim.listen();
		token = (sim.credentialData().oauthTokenData as { access_token: string }).access_token;
	});

	afterEach(async () => {
		await sim.stop();
		await close(receiver);
	});

	async function subscribe(): Promise<string> {
		const res = await graph('POST', '/v1.0/subscriptions', {
			changeType: 'created',
			notificationUrl: PUBLIC_URL,
			lifecycleNotificationUrl: PUBLIC_URL,
			resource: `/teams/${TEAM}/channels/${CHANNEL}/messages`,
			expirationDateTime: inMinutes(4318),
			clientState: 'c'.repeat(64),
		});
		expect(res.status).toBe(201);
		return res.body.id;
	}

	test('aged to its last seconds, a PATCH moves the expiry forward and notifications go on past the old expiry', async () => {
		const id = await subscribe();
		const [created] = sim.getSubscriptions();
		sim.ageSubscriptions(Date.parse(created.expirationDateTime) - Date.now() - 300);
		const aged = Date.parse(sim.getSubscriptions()[0].expirationDateTime);
		expect(aged - Date.now()).toBeLessThanOrEqual(300);

		const renewed = await graph('PATCH', `/v1.0/subscriptions/${id}`, { expirationDateTime: inMinutes(4230) });
		expect(renewed.status).toBe(200);
		expect(Date.parse(renewed.body.expirationDateTime)).toBeGreaterThan(aged + 4000 * 60_000);
		await new Promise((r) => setTimeout(r, Math.max(0, aged - Date.now()) + 50));

		sim.userPosts(TEAM, CHANNEL, { text: 'after the old expiry' });
		await idle();
		expect(notifications.map((n) => n.value[0].subscriptionId)).toEqual([id]);
	});

	test('expired: not listed, GET/PATCH/DELETE 404 ResourceNotFound, no notification for a new message', async () => {
		const id = await subscribe();
		const [created] = sim.getSubscriptions();
		sim.ageSubscriptions(Date.parse(created.expirationDateTime) - Date.now() + 1_000);

		expect((await graph('GET', '/v1.0/subscriptions')).body.value).toEqual([]);
		const answers = [
			await graph('GET', `/v1.0/subscriptions/${id}`),
			await graph('PATCH', `/v1.0/subscriptions/${id}`, { expirationDateTime: inMinutes(4230) }),
			await graph('DELETE', `/v1.0/subscriptions/${id}`),
		];
		expect(answers.map((r) => [r.status, r.body?.error?.code])).toEqual([
			[404, 'ResourceNotFound'],
			[404, 'ResourceNotFound'],
			[404, 'ResourceNotFound'],
		]);
		sim.userPosts(TEAM, CHANNEL, { text: 'nobody is subscribed' });
		await idle();
		expect(notifications).toEqual([]);
		// The unknown id answers the same.
		expect((await graph('PATCH', '/v1.0/subscriptions/00000000-0000-0000-0000-000000000000', { expirationDateTime: inMinutes(60) })).status).toBe(404);
	});

	test('a renewal beyond 4320 minutes or into the past is refused (400), the expiry unchanged', async () => {
		const id = await subscribe();
		const before = sim.getSubscriptions()[0].expirationDateTime;
		const refused = [
			await graph('PATCH', `/v1.0/subscriptions/${id}`, { expirationDateTime: inMinutes(4321) }),
			await graph('PATCH', `/v1.0/subscriptions/${id}`, { expirationDateTime: inMinutes(-1) }),
		];
		expect(refused.map((r) => [r.status, r.body.error.code])).toEqual([
			[400, 'ValidationError'],
			[400, 'ValidationError'],
		]);
		expect(sim.getSubscriptions()[0].expirationDateTime).toBe(before);
	});
});

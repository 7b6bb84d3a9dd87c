/**
 * The Slack simulator's HTTP port for people (test/fakes/slack/control.ts, what `npm start` prints
 * commands for): reading a channel and a thread, and an agent's reply written over HTTP reaching
 * the app's Request URL as Slack delivers it (a signed message event in the thread); the Web API on
 * the same port.
 */
import * as crypto from 'crypto';
import * as http from 'http';

import { close, httpRequest, listen } from '../../fakes/http';
import { DEFAULT_AGENT, SlackSimulator, slackSignature } from '../../fakes/slack';
import { type SlackServer, serveSlack } from '../../fakes/slack/control';

const CHANNEL = 'C0SUPPORT1';
const SECRET = 'unit-signing-secret';

describe('Slack simulator control API', () => {
	let sim: SlackSimulator;
	let server: SlackServer;
	let app: http.Server;
	const received: Array<{ headers: http.IncomingHttpHeaders; raw: string; body: any }> = [];

	beforeAll(async () => {
		sim = new SlackSimulator({ signingSecret: SECRET });
		sim.createChannel({ id: CHANNEL, name: 'support' });
		server = await serveSlack(sim);
		// The app's Events API endpoint: answers the challenge, records the rest.
		app = http.createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				const raw = Buffer.concat(chunks).toString('utf8');
				const body = JSON.parse(raw);
				received.push({ headers: req.headers, raw, body });
				res.writeHead(200, { 'Content-Type': 'application/json' });
				res.end(JSON.stringify(body.type === 'url_verification' ? { challenge: body.challenge } : {}));
			});
		});
		await sim.setEventUrl(`http://127.0.0.1:${await listen(app, 0, '127.0.0.1')}/events`);
	});

	afterAll(async () => {
		await server.stop();
		await sim.stop();
		await close(app);
	});

	const control = (method: string, path: string, body?: unknown) =>
		httpRequest(`${server.controlUrl}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });

	test('an agent reply written over HTTP is in the thread and reaches the Request URL as a signed message event', async () => {
		const root = await httpRequest(`${server.baseUrl}/api/chat.postMessage`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${sim.token}`, 'Content-Type': 'application/json; charset=utf-8' },
			body: JSON.stringify({ channel: CHANNEL, text: 'Gil asks for a human agent (Landbot customer 7)' }),
		});
		expect(root.body).toMatchObject({ ok: true, channel: CHANNEL });
		const ts: string = root.body.ts;

		const channel = await control('GET', `/channels/${CHANNEL}/messages`);
		expect(channel.status).toBe(200);
		expect(channel.body).toEqual([{ ts, user: sim.botUserId, bot: expect.any(String), text: 'Gil asks for a human agent (Landbot customer 7)' }]);

		const reply = await control('POST', `/channels/${CHANNEL}/threads/${ts}/replies`, { text: 'On my way' });
		expect(reply.status).toBe(200);
		expect(reply.body).toMatchObject({ text: 'On my way', user: DEFAULT_AGENT.id, thread_ts: ts });
		await sim.idle();

		const event = received.find((r) => r.body.type === 'event_callback' && r.body.event.ts === reply.body.ts);
		expect(event?.body.event).toMatchObject({ type: 'message', channel: CHANNEL, user: DEFAULT_AGENT.id, text: 'On my way', thread_ts: ts });
		const timestamp = String(event!.headers['x-slack-request-timestamp']);
		expect(event!.headers['x-slack-signature']).toBe(slackSignature(SECRET, timestamp, event!.raw));

		const thread = await control('GET', `/channels/${CHANNEL}/threads/${ts}`);
		expect(thread.body.map((m: { text: string }) => m.text)).toEqual(['Gil asks for a human agent (Landbot customer 7)', 'On my way']);
		expect(thread.body[0].reply_count).toBe(1);
		const full = await control('GET', `/channels/${CHANNEL}/threads/${ts}?full=1`);
		expect(full.body[1]).toMatchObject({ client_msg_id: expect.any(String), parent_user_id: sim.botUserId });
	});

	test('what Slack would not let a person send is refused: no text, an unknown thread or channel; unknown routes list the others', async () => {
		const root = sim.userPosts(CHANNEL, 'Does anyone know the returns address?');
		expect((await control('POST', `/channels/${CHANNEL}/threads/${root.ts}/replies`, { text: '' })).status).toBe(400);
		const missing = await control('POST', `/channels/${CHANNEL}/threads/${crypto.randomInt(1e9)}.000100/replies`, { text: 'hello' });
		expect([missing.status, missing.body.error]).toEqual([400, expect.stringMatching(/no message/)]);
		expect((await control('GET', '/channels/CNOSUCH/messages')).status).toBe(400);
		const unknown = await control('GET', '/nothing');
		expect(unknown.status).toBe(404);
		expect(unknown.body.routes).toContainEqual(expect.stringMatching(/threads\/:ts\/replies/));
		expect((await control('GET', '')).body).toMatchObject({ bot_user: sim.botUserId, request_url: sim.requestUrl });
	});
});

/**
 * The Salesforce Live Agent simulator behaves as /work/shared/reference/salesforce-live-agent.md
 * (and, where silent, Salesforce's Chat REST API guide) describes: headers enforced, sequence
 * de-duplication, the long poll with ack, queue → established → messages → ended, 403 after.
 */
import { httpRequest } from '../../fakes/http';
import type { HttpResult } from '../../fakes/http';
import { SalesforceLiveAgentSimulator } from '../../fakes/salesforce';

interface Session {
	id: string;
	key: string;
	affinityToken: string;
	clientPollTimeout: number;
}

describe('SalesforceLiveAgentSimulator', () => {
	let sim: SalesforceLiveAgentSimulator;

	beforeEach(async () => {
		sim = await new SalesforceLiveAgentSimulator({ pollTimeoutMs: 300 }).start();
	});

	afterEach(async () => {
		await sim.stop();
	});

	const VERSION = { 'X-LIVEAGENT-API-VERSION': '56' };
	const sessionHeaders = (s: Session) => ({
		...VERSION,
		'X-LIVEAGENT-AFFINITY': s.affinityToken,
		'X-LIVEAGENT-SESSION-KEY': s.key,
	});
	const get = (path: string, headers: Record<string, string>) => httpRequest(`${sim.endpoint}${path}`, { headers });
	const post = (path: string, s: Session, sequence: number, body: unknown, extra: Record<string, string> = {}) =>
		httpRequest(`${sim.endpoint}${path}`, {
			method: 'POST',
			headers: { ...sessionHeaders(s), 'X-LIVEAGENT-SEQUENCE': String(sequence), ...extra },
			body,
		});
	const poll = (s: Session, ack: number) => get(`/System/Messages?ack=${ack}`, sessionHeaders(s));
	const control = (method: string, path: string, body?: unknown) =>
		httpRequest(`${sim.controlUrl}${path}`, { method, body });

	async function newSession(): Promise<Session> {
		const res = await get('/System/SessionId', { ...VERSION, 'X-LIVEAGENT-AFFINITY': 'null' });
		expect(res.status).toBe(200);
		return res.body as Session;
	}

	const initBody = (s: Session, extra: Record<string, unknown> = {}) => ({
		organizationId: sim.organizationId,
		deploymentId: sim.deploymentId,
		buttonId: sim.buttonId,
		sessionId: s.id,
		userAgent: 'test',
		language: 'en-US',
		screenResolution: '',
		visitorName: 'Ada',
		prechatDetails: [{ label: 'Bot Transcript', value: 'Ada: help', transcriptFields: [], displayToAgent: true, entityMaps: [] }],
		prechatEntities: [],
		receiveQueueUpdates: true,
		isPost: true,
		...extra,
	});

	/** A session whose chat is queued (ChasitorInit sent with sequence 1). */
	async function queuedChat(): Promise<Session> {
		const s = await newSession();
		expect((await post('/Chasitor/ChasitorInit', s, 1, initBody(s))).text).toBe('OK');
		return s;
	}

	describe('SessionId and headers', () => {
		it('creates a session: id, key, affinity token and clientPollTimeout', async () => {
			const s = await newSession();
			expect(s).toEqual({
				id: expect.stringMatching(/^[0-9a-f-]{36}$/),
				key: expect.stringContaining(`${s.id}!`),
				affinityToken: expect.stringMatching(/^[0-9a-f]{8}$/),
				clientPollTimeout: 40,
			});
			expect(sim.getSession(s.id)?.state).toBe('new');
		});

		it('wants the API version and the literal null affinity on SessionId', async () => {
			expect((await get('/System/SessionId', { 'X-LIVEAGENT-AFFINITY': 'null' })).status).toBe(400);
			const noAffinity = await get('/System/SessionId', VERSION);
			expect(noAffinity).toMatchObject({ status: 400, text: 'Missing required header X-LIVEAGENT-AFFINITY' });
			expect((await get('/System/SessionId', { ...VERSION, 'X-LIVEAGENT-AFFINITY': 'abc' })).status).toBe(400);
			expect((await get('/System/SessionId', { 'X-LIVEAGENT-API-VERSION': '12', 'X-LIVEAGENT-AFFINITY': 'null' })).status).toBe(400);
		});

		it('POSTs need all four headers: 400 naming the missing one', async () => {
			const s = await newSession();
			const expectMissing = async (omit: string, header: string) => {
				const headers: Record<string, string> = { ...sessionHeaders(s), 'X-LIVEAGENT-SEQUENCE': '1' };
				delete headers[omit];
				const res = await httpRequest(`${sim.endpoint}/Chasitor/ChasitorInit`, { method: 'POST', headers, body: initBody(s) });
				expect(res).toMatchObject({ status: 400, text: `Missing required header ${header}` });
			};
			await expectMissing('X-LIVEAGENT-API-VERSION', 'X-LIVEAGENT-API-VERSION');
			await expectMissing('X-LIVEAGENT-AFFINITY', 'X-LIVEAGENT-AFFINITY');
			await expectMissing('X-LIVEAGENT-SESSION-KEY', 'X-LIVEAGENT-SESSION-KEY');
			await expectMissing('X-LIVEAGENT-SEQUENCE', 'X-LIVEAGENT-SEQUENCE');
			expect(sim.getSession(s.id)?.state).toBe('new');
		});

		it('an unknown key is a 403, a wrong affinity a 400; Messages needs no sequence', async () => {
			const s = await newSession();
			expect((await post('/Chasitor/ChasitorInit', { ...s, key: 'nope' }, 1, initBody(s))).status).toBe(403);
			expect((await post('/Chasitor/ChasitorInit', { ...s, affinityToken: 'ffffffff' }, 1, initBody(s))).status).toBe(400);
			expect((await poll(s, -1)).status).toBe(204);
			const noKey = await get('/System/Messages?ack=-1', { ...VERSION, 'X-LIVEAGENT-AFFINITY': s.affinityToken });
			expect(noKey.status).toBe(400);
		});

		it('Visitor/Availability answers for the deployment\'s button with the API version only', async () => {
			const query = `org_id=${sim.organizationId}&deployment_id=${sim.deploymentId}&Availability.ids=${sim.buttonId},573other`;
			const res = await get(`/Visitor/Availability?${query}`, VERSION);
			expect(res.body).toEqual({
				messages: [{ type: 'Availability', message: { results: [{ id: sim.buttonId, isAvailable: true }] } }],
			});
			sim.setAgentsAvailable(false);
			expect((await get(`/Visitor/Availability?${query}`, VERSION)).body.messages[0].message.results[0].isAvailable).toBe(false);
			expect((await get(`/Visitor/Availability?${query.replace(sim.organizationId, 'x')}`, VERSION)).status).toBe(400);
			expect((await get(`/Visitor/Availability?${query}`, {})).status).toBe(400);
		});
	});

	describe('sequence', () => {
		it('a POST with a sequence already processed is answered OK and not applied again', async () => {
			const s = await queuedChat();
			sim.agentAccepts(s.id);
			expect((await post('/Chasitor/ChatMessage', s, 2, { text: 'first' })).text).toBe('OK');
			expect((await post('/Chasitor/ChatMessage', s, 2, { text: 'first' })).text).toBe('OK');
			expect((await post('/Chasitor/ChatMessage', s, 1, { text: 'stale' })).text).toBe('OK');
			expect((await post('/Chasitor/ChatMessage', s, 3, { text: 'second' })).text).toBe('OK');
			expect(sim.transcript(s.id).map((e) => [e.text, e.sequence])).toEqual([
				['first', 2],
				['second', 3],
			]);
			const calls = sim.getCalls().filter((c) => c.path === '/Chasitor/ChatMessage');
			expect(calls.map((c) => c.duplicate === true)).toEqual([false, true, true, false]);
			// A second ChasitorInit replayed with its sequence is a duplicate too, not a new chat.
			expect((await post('/Chasitor/ChasitorInit', s, 1, initBody(s))).text).toBe('OK');
			expect(sim.listSessions()).toHaveLength(1);
		});

		it('a refused POST does not use up its sequence', async () => {
			const s = await newSession();
			expect((await post('/Chasitor/ChatMessage', s, 1, { text: 'too early' })).status).toBe(400);
			expect((await post('/Chasitor/ChasitorInit', s, 1, initBody(s))).text).toBe('OK');
			expect(sim.getSession(s.id)).toMatchObject({ state: 'queued', lastSequence: 1 });
		});
	});

	describe('long poll and ack', () => {
		it('answers at once when there is news, with the sequence to ack', async () => {
			const s = await queuedChat();
			const res = await poll(s, -1);
			expect(res.status).toBe(200);
			expect(res.body).toEqual({
				messages: [
					{
						type: 'ChatRequestSuccess',
						message: expect.objectContaining({ queuePosition: 1, estimatedWaitTime: 60, visitorId: expect.any(String) }),
					},
				],
				sequence: 1,
			});
			expect(res.body.messages[0].message.customDetails[0].label).toBe('Bot Transcript');
		});

		it('holds the request until there is news', async () => {
			const s = await queuedChat();
			const pending = poll(s, 1);
			await new Promise((r) => setTimeout(r, 50));
			expect(sim.getSession(s.id)?.pollPending).toBe(true);
			sim.agentAccepts(s.id, { name: 'Bob', userId: '005B' });
			const res = await pending;
			expect(res.body).toEqual({
				messages: [
					{
						type: 'ChatEstablished',
						message: { name: 'Bob', userId: '005B', sneakPeekEnabled: false, chasitorIdleTimeout: expect.any(Object) },
					},
				],
				sequence: 2,
			});
		});

		it('answers 204 after its poll timeout when nothing happened', async () => {
			const s = await queuedChat();
			const started = Date.now();
			const res = await poll(s, 1);
			expect(res.status).toBe(204);
			expect(res.text).toBe('');
			expect(Date.now() - started).toBeGreaterThanOrEqual(280);
		});

		it('returns only what comes after the ack, and again what was not acknowledged', async () => {
			const s = await queuedChat();
			sim.agentAccepts(s.id);
			sim.agentSays(s.id, 'one');
			sim.agentSays(s.id, 'two');
			const all = await poll(s, -1);
			expect(all.body.messages.map((m: { type: string }) => m.type)).toEqual([
				'ChatRequestSuccess',
				'ChatEstablished',
				'ChatMessage',
				'ChatMessage',
			]);
			expect(all.body.sequence).toBe(4);
			const again = await poll(s, 2);
			expect(again.body.messages.map((m: { message: { text?: string } }) => m.message.text)).toEqual(['one', 'two']);
			expect((await poll(s, 4)).status).toBe(204);
		});

		it('a newer poll supersedes a waiting one, which gets 409', async () => {
			const s = await queuedChat();
			const first = poll(s, 1);
			await new Promise((r) => setTimeout(r, 30));
			const second = poll(s, 1);
			expect((await first).status).toBe(409);
			sim.agentAccepts(s.id);
			expect((await second).status).toBe(200);
		});

		it('can be told to answer the next polls with a status', async () => {
			const s = await queuedChat();
			sim.injectPollStatus(409, 2);
			expect((await poll(s, -1)).status).toBe(409);
			expect((await poll(s, -1)).status).toBe(409);
			expect((await poll(s, -1)).status).toBe(200);
		});

		it('stop() ends a waiting poll', async () => {
			const long = await new SalesforceLiveAgentSimulator({ pollTimeoutMs: 60_000 }).start();
			const res = await httpRequest(`${long.endpoint}/System/SessionId`, {
				headers: { ...VERSION, 'X-LIVEAGENT-AFFINITY': 'null' },
			});
			const pending = httpRequest(`${long.endpoint}/System/Messages?ack=-1`, { headers: sessionHeaders(res.body) }).catch(
				(error: Error) => error,
			);
			await new Promise((r) => setTimeout(r, 30));
			const started = Date.now();
			await long.stop();
			const outcome = (await pending) as { status?: number; message?: string };
			expect(outcome.status).toBeUndefined();
			expect(outcome.message).toMatch(/socket hang up|ECONNRESET/);
			expect(Date.now() - started).toBeLessThan(1000);
		});
	});

	describe('queue → established → messages → ended', () => {
		it('queue positions move up when an agent accepts the chat ahead (QueueUpdate)', async () => {
			const first = await queuedChat();
			const second = await queuedChat();
			expect((await poll(second, -1)).body.messages[0].message.queuePosition).toBe(2);
			sim.agentAccepts(first.id);
			const update = await poll(second, 1);
			expect(update.body.messages).toEqual([{ type: 'QueueUpdate', message: { position: 1, estimatedWaitTime: 60 } }]);
			expect(sim.getSession(second.id)?.queuePosition).toBe(1);
		});

		it('messages both ways, typing, transfer; visitor messages sent while queued reach the agent marked so', async () => {
			const s = await queuedChat();
			await post('/Chasitor/ChatMessage', s, 2, { text: 'anyone there?' });
			sim.agentAccepts(s.id);
			sim.agentTyping(s.id, true);
			sim.agentSays(s.id, 'Hello Ada');
			sim.agentTyping(s.id, false);
			await post('/Chasitor/ChatMessage', s, 3, { text: 'Hi!' });
			await post('/Chasitor/ChasitorTyping', s, 4, {});
			sim.agentTransfers(s.id, { name: 'Eve', userId: '005E' });
			const res = await poll(s, -1);
			expect(res.body.messages.map((m: { type: string }) => m.type)).toEqual([
				'ChatRequestSuccess',
				'ChatEstablished',
				'AgentTyping',
				'ChatMessage',
				'AgentNotTyping',
				'ChatTransferred',
			]);
			expect(res.body.messages[3].message).toEqual({ name: 'Agent Smith', text: 'Hello Ada' });
			expect(sim.transcript(s.id)).toEqual([
				expect.objectContaining({ from: 'visitor', text: 'anyone there?', beforeEstablished: true }),
				expect.objectContaining({ from: 'agent', name: 'Agent Smith', text: 'Hello Ada' }),
				expect.not.objectContaining({ beforeEstablished: true }),
			]);
			expect(sim.getSession(s.id)).toMatchObject({ visitorTyping: true, agent: { name: 'Eve', userId: '005E' } });
		});

		it('the agent ends: ChatEnded, then 403 once it is acknowledged, and for every POST', async () => {
			const s = await queuedChat();
			sim.agentAccepts(s.id);
			const waiting = poll(s, 2);
			await new Promise((r) => setTimeout(r, 20));
			sim.agentEnds(s.id);
			const ended = await waiting;
			expect(ended.body).toEqual({ messages: [{ type: 'ChatEnded', message: { reason: 'agent' } }], sequence: 3 });
			expect((await post('/Chasitor/ChatMessage', s, 2, { text: 'late' })).status).toBe(403);
			// Not yet acknowledged: polled again, it comes again.
			expect((await poll(s, 2)).body.messages[0].type).toBe('ChatEnded');
			expect((await poll(s, 3)).status).toBe(403);
			expect((await poll(s, 3)).status).toBe(403);
			expect(sim.getSession(s.id)).toMatchObject({ state: 'gone', endedBy: 'agent' });
		});

		it('the visitor ends (ChatEnd, reason required): a waiting poll and everything after get 403', async () => {
			const s = await queuedChat();
			sim.agentAccepts(s.id);
			const waiting = poll(s, 2);
			await new Promise((r) => setTimeout(r, 20));
			expect((await post('/Chasitor/ChatEnd', s, 2, {})).status).toBe(400);
			expect((await post('/Chasitor/ChatEnd', s, 2, { reason: 'client' })).text).toBe('OK');
			expect((await waiting).status).toBe(403);
			expect((await poll(s, 2)).status).toBe(403);
			expect(sim.getSession(s.id)).toMatchObject({ state: 'gone', endedBy: 'visitor' });
		});

		it('no agent available: ChatRequestFail, then the session is gone', async () => {
			sim.setAgentsAvailable(false);
			const s = await queuedChat();
			const res = await poll(s, -1);
			expect(res.body).toEqual({
				messages: [{ type: 'ChatRequestFail', message: { reason: 'Unavailable', postChatUrl: '' } }],
				sequence: 1,
			});
			expect((await poll(s, 1)).status).toBe(403);
		});

		it('DELETE System/SessionId/{key} ends the session', async () => {
			const s = await queuedChat();
			const res = await httpRequest(`${sim.endpoint}/System/SessionId/${encodeURIComponent(s.key)}`, {
				method: 'DELETE',
				headers: { ...VERSION, 'X-LIVEAGENT-AFFINITY': s.affinityToken },
			});
			expect(res.text).toBe('OK');
			expect((await poll(s, -1)).status).toBe(403);
			expect(sim.getSession(s.id)).toMatchObject({ state: 'gone', endedBy: 'deleted', queuePosition: null });
		});

		it('a session not polled within its timeout expires', async () => {
			await sim.stop();
			sim = await new SalesforceLiveAgentSimulator({ pollTimeoutMs: 100, sessionTimeoutMs: 150 }).start();
			const s = await queuedChat();
			expect((await poll(s, -1)).status).toBe(200);
			await new Promise((r) => setTimeout(r, 250));
			expect((await poll(s, 1)).status).toBe(403);
			expect(sim.getSession(s.id)?.endedBy).toBe('timeout');
		});

		it('ChasitorInit checks its body', async () => {
			const s = await newSession();
			const refuse = async (body: Record<string, unknown>, text: RegExp) => {
				const res: HttpResult = await post('/Chasitor/ChasitorInit', s, 1, body);
				expect(res.status).toBe(400);
				expect(res.text).toMatch(text);
			};
			await refuse(initBody(s, { sessionId: 'other' }), /sessionId/);
			await refuse(initBody(s, { organizationId: 'x' }), /organizationId/);
			await refuse(initBody(s, { buttonId: undefined }), /buttonId is required/);
			await refuse(initBody(s, { prechatDetails: 'x' }), /prechatDetails must be an array/);
			expect(sim.getSession(s.id)?.state).toBe('new');
		});
	});

	describe('control API over HTTP', () => {
		it('lists its routes and plays the agent', async () => {
			const index = await control('GET', '');
			expect(index.body).toMatchObject({ endpoint: sim.endpoint, buttonId: sim.buttonId, routes: SalesforceLiveAgentSimulator.controlRoutes });
			const s = await queuedChat();
			expect((await control('POST', `/sessions/${s.id}/accept`, { name: 'Zoe', userId: '005Z' })).status).toBe(200);
			expect((await control('POST', `/sessions/${s.id}/agent_says`, { text: 'hi' })).status).toBe(200);
			expect((await control('POST', `/sessions/${s.id}/agent_typing`, { typing: true })).status).toBe(200);
			expect((await control('POST', `/sessions/${s.id}/end`)).status).toBe(200);
			expect((await control('POST', `/sessions/${s.id}/agent_says`, { text: 'too late' })).status).toBe(400);
			expect((await control('GET', '/sessions/nope')).status).toBe(404);
			const session = await control('GET', `/sessions/${s.id}`);
			expect(session.body).toMatchObject({ state: 'ended', agent: { name: 'Zoe' } });
			expect(session.body.messages.map((m: { type: string }) => m.type)).toEqual([
				'ChatRequestSuccess',
				'ChatEstablished',
				'ChatMessage',
				'AgentTyping',
				'ChatEnded',
			]);
			expect((await control('GET', `/sessions/${s.id}/transcript`)).body).toEqual([
				expect.objectContaining({ from: 'agent', text: 'hi' }),
			]);
			expect((await control('PATCH', '/availability', { available: false })).status).toBe(200);
			expect((await control('GET', '')).body.agentsAvailable).toBe(false);
			await control('POST', '/poll_status', { status: 503 });
			expect((await poll(s, -1)).status).toBe(503);
			expect((await control('GET', '/calls')).body.length).toBeGreaterThan(0);
			await control('POST', '/reset');
			expect((await control('GET', '/sessions')).body).toEqual([]);
		});
	});
});

/**
 * The Botpress simulator behaves as /work/shared/reference/botpress-hitl.md (and, where silent, the
 * HITL API integration and the HITL plugin) describes.
 */
import * as http from 'http';

import { BotpressHitlError, BotpressSimulator } from '../../fakes/botpress';
import { close, httpRequest, listen, readBody } from '../../fakes/http';

interface Received {
	path: string;
	headers: http.IncomingHttpHeaders;
	body: any;
}

/** A stand-in for the external service: records what Botpress sends, answers what the test says. */
class StubService {
	received: Received[] = [];
	answers: Record<string, { status: number; body?: unknown }> = {
		ping: { status: 200, body: { ok: true } },
		createRemoteUser: { status: 200, body: { id: 'remote-user-1' } },
		createRemoteConversation: { status: 200, body: { id: 'ticket-1' } },
		botSendsMessage: { status: 200 },
		closeRemoteTicket: { status: 200 },
	};
	private server = http.createServer((req, res) => {
		void readBody(req).then((raw) => {
			const path = (req.url ?? '').split('/').pop() ?? '';
			this.received.push({ path, headers: req.headers, body: raw ? JSON.parse(raw) : undefined });
			const answer = this.answers[path] ?? { status: 404, body: { error: 'Not Found' } };
			const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
			res.writeHead(answer.status, { 'Content-Type': 'application/json' });
			res.end(text);
		});
	});
	private port = 0;

	async start(): Promise<this> {
		this.port = await listen(this.server, 0, '127.0.0.1');
		return this;
	}

	get baseUrl(): string {
		return `http://127.0.0.1:${this.port}/webhook/3b6f`;
	}

	paths(): string[] {
		return this.received.map((r) => r.path);
	}

	async stop(): Promise<void> {
		await close(this.server);
	}
}

describe('BotpressSimulator', () => {
	let sim: BotpressSimulator;
	let service: StubService;

	const agent = (path: string, body: unknown, webhookId = sim.webhookId) =>
		httpRequest(`${sim.baseUrl}/${webhookId}${path}`, { method: 'POST', body });

	beforeEach(async () => {
		service = await new StubService().start();
		sim = await new BotpressSimulator().start();
	});

	afterEach(async () => {
		await sim.stop();
		await service.stop();
	});

	async function handoff(title?: string) {
		await sim.configure(service.baseUrl);
		const conversation = sim.startConversation({ name: 'Ada Lovelace', email: 'ada@example.com' });
		await sim.userSays(conversation.id, 'Hi');
		await sim.botSays(conversation.id, 'Hello! How can I help?');
		const ids = await sim.startHitl(conversation.id, title === undefined ? {} : { title });
		return { conversation, ids };
	}

	describe('calling the service as Botpress does', () => {
		it('pings when the configuration is saved: POST {"type":"ping"}, JSON, no auth header', async () => {
			const call = await sim.configure(`${service.baseUrl}/`);
			expect(call).toMatchObject({ path: 'ping', status: 200, url: `${service.baseUrl}/ping` });
			expect(sim.serviceUrl).toBe(service.baseUrl);
			expect(service.received).toHaveLength(1);
			expect(service.received[0].body).toEqual({ type: 'ping' });
			expect(service.received[0].headers['content-type']).toBe('application/json');
			expect(service.received[0].headers.authorization).toBeUndefined();
		});

		it('refuses to save when /ping does not answer 2xx', async () => {
			service.answers.ping = { status: 404 };
			await expect(sim.configure(service.baseUrl)).rejects.toThrow('Saving the configuration failed: Request failed with status code 404');
			expect(sim.serviceUrl).toBeNull();
			await expect(sim.startHitl(sim.startConversation({ name: 'x' }).id)).rejects.toThrow('not configured');
		});

		it('starts a handoff: createRemoteUser, then createRemoteConversation with the history', async () => {
			const { conversation, ids } = await handoff('Order #1042');
			expect(ids).toEqual({ remoteUserId: 'remote-user-1', remoteConversationId: 'ticket-1', hitlConversationId: expect.stringMatching(/^conv_[0-9A-Z]{26}$/) });
			expect(ids.hitlConversationId).not.toBe(conversation.id);
			expect(service.paths()).toEqual(['ping', 'createRemoteUser', 'createRemoteConversation']);
			expect(service.received[1].body).toEqual({
				type: 'createRemoteUser',
				payload: { role: 'end-user', name: 'Ada Lovelace', email: 'ada@example.com' },
			});
			expect(service.received[2].body).toEqual({
				type: 'createRemoteConversation',
				payload: {
					title: 'Order #1042',
					messages: [
						{ text: 'Hi', author: 'user', timestamp: expect.any(String) },
						{ text: 'Hello! How can I help?', author: 'bot', timestamp: expect.any(String) },
					],
				},
			});
			const view = sim.getConversation(conversation.id)!;
			expect(view).toMatchObject({ hitl: 'active', assigned: false, remoteConversationId: 'ticket-1', sessions: 1 });
			expect(view.user.remoteUserId).toBe('remote-user-1');
			expect(sim.transcript(conversation.id)).toEqual([
				'user: Hi',
				'bot: Hello! How can I help?',
				'bot: I have escalated this conversation to a human agent. They should be with you shortly.',
			]);
		});

		it('fails the handoff like Botpress when an answered ID is not a string', async () => {
			await sim.configure(service.baseUrl);
			const { id } = sim.startConversation({ name: 'Ada' });
			service.answers.createRemoteConversation = { status: 200, body: { id: 1042 } };
			const error = await sim.startHitl(id).catch((e) => e);
			expect(error).toBeInstanceOf(BotpressHitlError);
			expect(error.message).toBe('createRemoteConversation answered {"id":1042}: expected {"id": "<string>"}');
			expect(sim.getConversation(id)).toMatchObject({ hitl: 'none', remoteConversationId: null });
			expect(sim.getServiceCalls().pop()?.error).toContain('expected {"id": "<string>"}');

			service.answers.createRemoteUser = { status: 200, body: {} };
			const other = sim.startConversation({ name: 'Bob' });
			await expect(sim.startHitl(other.id)).rejects.toThrow('createRemoteUser answered {}');
			service.answers.createRemoteUser = { status: 500, body: { error: 'boom' } };
			await expect(sim.startHitl(other.id)).rejects.toThrow('createRemoteUser failed: Request failed with status code 500');
		});

		it('relays user and bot messages during the handoff only; the bot as "BOT"', async () => {
			await sim.configure(service.baseUrl);
			const { id } = sim.startConversation({ name: 'Ada' });
			expect(await sim.userSays(id, 'before')).toBeNull();
			await sim.startHitl(id, { history: false });
			expect(service.received.slice(-1)[0]?.body).toEqual({ type: 'createRemoteConversation', payload: {} });
			await sim.userSays(id, { imageUrl: 'https://x.io/a.png' });
			await sim.botSays(id, { type: 'card', title: 'Plans', actions: [] });
			expect(service.received.slice(-2).map((r) => r.body)).toEqual([
				{ type: 'botSendsMessage', remoteConversationId: 'ticket-1', remoteUserId: 'remote-user-1', payload: { imageUrl: 'https://x.io/a.png' } },
				{ type: 'botSendsMessage', remoteConversationId: 'ticket-1', remoteUserId: 'BOT', payload: { title: 'Plans', actions: [] } },
			]);
		});

		it('reuses the remote user for a second handoff, and gets a new ticket', async () => {
			const { conversation } = await handoff();
			await sim.closeHitl(conversation.id);
			service.answers.createRemoteConversation = { status: 200, body: { id: 'ticket-2' } };
			const again = await sim.startHitl(conversation.id);
			expect(again.remoteConversationId).toBe('ticket-2');
			expect(service.paths().filter((p) => p === 'createRemoteUser')).toHaveLength(1);
			expect(sim.getConversation(conversation.id)?.sessions).toBe(2);
			// Starting again while active does nothing.
			await sim.startHitl(conversation.id);
			expect(service.paths().filter((p) => p === 'createRemoteConversation')).toHaveLength(2);
		});

		it('closes with the HITL-channel conversation ID, never told before', async () => {
			const { conversation, ids } = await handoff();
			const call = await sim.closeHitl(conversation.id);
			expect(call.body).toEqual({ type: 'closeRemoteTicket', payload: { botpressConversationId: ids.hitlConversationId } });
			expect(JSON.stringify(service.received.slice(0, -1))).not.toContain(ids.hitlConversationId);
			expect(sim.getConversation(conversation.id)).toMatchObject({ hitl: 'stopped', endedBy: 'user' });
			await expect(sim.closeHitl(conversation.id)).rejects.toThrow('no active handoff');
		});

		it('with closeWith "userConversation", closes with the user\'s conversation ID', async () => {
			await sim.stop();
			sim = await new BotpressSimulator({ closeWith: 'userConversation' }).start();
			const { conversation } = await handoff(`Ticket for ${'x'}`);
			const call = await sim.closeHitl(conversation.id);
			expect(call.body).toEqual({ type: 'closeRemoteTicket', payload: { botpressConversationId: conversation.id } });
		});
	});

	describe('the close command and a proxy in front of the service', () => {
		it('the close command sends the plugin\'s cancellation line as the bot, then closes', async () => {
			const { conversation, ids } = await handoff();
			const before = service.received.length;
			const call = await sim.userSays(conversation.id, '  /END ');
			expect(call).toMatchObject({ path: 'closeRemoteTicket', status: 200 });
			expect(service.received.slice(before).map((r) => r.body)).toEqual([
				{
					type: 'botSendsMessage',
					remoteConversationId: 'ticket-1',
					remoteUserId: 'BOT',
					payload: { text: '( The user has ended the session. )' },
				},
				{ type: 'closeRemoteTicket', payload: { botpressConversationId: ids.hitlConversationId } },
			]);
			expect(sim.getConversation(conversation.id)).toMatchObject({ hitl: 'stopped', endedBy: 'user' });
			expect(sim.transcript(conversation.id).slice(-2)).toEqual([
				'user:   /END ',
				'bot: You have ended the conversation with the human agent.',
			]);
			// Outside a handoff the command is an ordinary message for the bot.
			expect(await sim.userSays(conversation.id, '/end')).toBeNull();
		});

		it('closeHitl by the bot flow sends no line; the command can be changed or switched off', async () => {
			await sim.stop();
			sim = await new BotpressSimulator({ closeCommand: 'bye agent', closeWith: 'userConversation' }).start();
			const { conversation } = await handoff();
			expect((await sim.userSays(conversation.id, '/end'))?.path).toBe('botSendsMessage');
			expect((await sim.userSays(conversation.id, 'Bye Agent'))?.body).toEqual({
				type: 'closeRemoteTicket',
				payload: { botpressConversationId: conversation.id },
			});
			await sim.startHitl(conversation.id);
			const before = service.received.length;
			await sim.closeHitl(conversation.id);
			expect(service.paths().slice(before)).toEqual(['closeRemoteTicket']);

			await sim.stop();
			sim = await new BotpressSimulator({ closeCommand: '' }).start();
			const second = await handoff();
			expect((await sim.userSays(second.conversation.id, '/end'))?.path).toBe('botSendsMessage');
		});

		it('closes with the user\'s conversation ID when a close says so; serves hosted media', async () => {
			const { conversation } = await handoff();
			const call = await sim.closeHitl(conversation.id, { closeWith: 'userConversation' });
			expect(call.body).toEqual({ type: 'closeRemoteTicket', payload: { botpressConversationId: conversation.id } });
			const url = sim.hostMedia({ name: 'box photo.png', contentType: 'image/png', data: Buffer.from([1, 2, 3]) });
			expect(url).toMatch(new RegExp(`^${sim.baseUrl}/_media/[0-9a-f]{16}/box%20photo.png$`));
			const res = await fetch(url);
			expect(res.status).toBe(200);
			expect(res.headers.get('content-type')).toBe('image/png');
			expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from([1, 2, 3]));
			expect((await fetch(`${sim.baseUrl}/_media/nope/x.png`)).status).toBe(404);
		});

		it('adds the headers a proxy would add to every call to the service', async () => {
			await sim.stop();
			sim = await new BotpressSimulator({ serviceHeaders: { 'X-Handoff-Secret': 's3cret' } }).start();
			await handoff();
			expect(service.received.map((r) => r.headers['x-handoff-secret'])).toEqual(['s3cret', 's3cret', 's3cret']);
			sim.setServiceHeaders({});
			const { id } = sim.startConversation({ name: 'Bob' });
			await sim.startHitl(id);
			expect(service.received.slice(-2).map((r) => r.headers['x-handoff-secret'])).toEqual([undefined, undefined]);
			const res = await httpRequest(`${sim.controlUrl}/service_headers`, { method: 'PUT', body: { headers: { 'X-Other': 1 } } });
			expect(res.body).toEqual({ headers: { 'X-Other': '1' } });
			await sim.userSays(id, 'hello');
			expect(service.received.slice(-1)[0].headers['x-other']).toBe('1');
		});
	});

	describe('the integration\'s webhook', () => {
		it('shows agent messages to the user; the first one assigns the agent', async () => {
			const { conversation } = await handoff();
			const res = await agent('/message-from-agent', {
				remoteConversationId: 'ticket-1',
				remoteUserId: 'agent-7',
				messageType: 'text',
				payload: { text: 'Hi Ada, Sam here' },
			});
			expect(res.status).toBe(200);
			expect(res.text).toBe('');
			await agent('/message-from-agent', {
				remoteConversationId: 'ticket-1',
				remoteUserId: 'agent-7',
				messageType: 'file',
				payload: { fileUrl: 'https://x.io/label.pdf', title: 'label.pdf' },
			});
			const view = sim.getConversation(conversation.id)!;
			expect(view).toMatchObject({ assigned: true, assignedAgentId: 'agent-7' });
			expect(view.messages.slice(-2)).toEqual([
				expect.objectContaining({ role: 'agent', type: 'text', text: 'Hi Ada, Sam here', agentId: 'agent-7', payload: { text: 'Hi Ada, Sam here' } }),
				expect.objectContaining({ role: 'agent', type: 'file', text: '[file] label.pdf https://x.io/label.pdf' }),
			]);
		});

		it('agent-assigned tells the user once; stop-hitl gives the conversation back to the bot', async () => {
			const { conversation } = await handoff();
			expect((await agent('/agent-assigned', { remoteConversationId: 'ticket-1', remoteUserId: 'agent-7' })).status).toBe(200);
			await agent('/agent-assigned', { remoteConversationId: 'ticket-1', remoteUserId: 'agent-8' });
			expect(sim.getConversation(conversation.id)).toMatchObject({ assigned: true, assignedAgentId: 'agent-8' });
			expect((await agent('/stop-hitl', { remoteConversationId: 'ticket-1' })).status).toBe(200);
			expect(sim.getConversation(conversation.id)).toMatchObject({ hitl: 'stopped', endedBy: 'agent' });
			expect(sim.transcript(conversation.id).slice(-2)).toEqual([
				'bot: A human agent has joined the conversation.',
				'bot: The human agent closed the conversation. I will continue assisting you.',
			]);
			// No closeRemoteTicket follows an agent's stop.
			expect(service.paths()).not.toContain('closeRemoteTicket');
			// Messages after the stop are dropped (answered 200 all the same).
			const late = await agent('/message-from-agent', { remoteConversationId: 'ticket-1', remoteUserId: 'agent-8', messageType: 'text', payload: { text: 'late' } });
			expect(late.status).toBe(200);
			expect(sim.transcript(conversation.id)).not.toContain('agent: late');
			expect(sim.getWebhookCalls().slice(-1)[0]?.outcome).toBe('dropped: handoff not active');
		});

		it('an unknown remote conversation is accepted but reaches nobody (an orphan)', async () => {
			await handoff();
			const res = await agent('/message-from-agent', { remoteConversationId: 'nope', remoteUserId: 'a', messageType: 'text', payload: { text: 'x' } });
			expect(res.status).toBe(200);
			expect(sim.getOrphans()).toEqual([{ remoteConversationId: 'nope', path: '/message-from-agent', body: expect.any(Object) }]);
		});

		it('drops message types the HITL plugin does not relay', async () => {
			const { conversation } = await handoff();
			await agent('/message-from-agent', { remoteConversationId: 'ticket-1', remoteUserId: 'a', messageType: 'location', payload: { latitude: 1, longitude: 2 } });
			expect(sim.getConversation(conversation.id)?.messages.some((m) => m.role === 'agent')).toBe(false);
			expect(sim.getWebhookCalls().slice(-1)[0]?.outcome).toBe('dropped: unsupported message type location');
		});

		it.each([
			['/message-from-agent', 'remoteConversationId must be a non-empty string', { remoteUserId: 'a', messageType: 'text', payload: { text: 'x' } }, 400],
			['/message-from-agent', 'payload must be an object', { remoteConversationId: 'c', remoteUserId: 'a', messageType: 'text' }, 400],
			['/message-from-agent', 'payload.imageUrl must be a non-empty string (messageType image)', { remoteConversationId: 'c', remoteUserId: 'a', messageType: 'image', payload: { url: 'x' } }, 400],
			['/agent-assigned', 'remoteUserId must be a non-empty string', { remoteConversationId: 'c' }, 400],
			['/stop-hitl', 'remoteConversationId must be a non-empty string', {}, 400],
			['/close', 'Route not found', { remoteConversationId: 'c' }, 500],
		])('%s with a bad body → %s', async (path, message, body, status) => {
			const res = await agent(path, body);
			expect(res.status).toBe(status);
			expect(res.body).toEqual({ message });
		});

		it('ignores a body-less request before routing (what the credential test relies on); 404 for another webhook ID', async () => {
			const empty = await httpRequest(sim.webhookUrl, { method: 'GET' });
			expect(empty.status).toBe(200);
			expect(sim.getWebhookCalls()[0]).toMatchObject({ method: 'GET', path: '/', outcome: 'ignored: empty body' });
			expect((await httpRequest(`${sim.baseUrl}/other-id`, { method: 'GET' })).status).toBe(404);
			expect((await agent('/stop-hitl', '{not json')).status).toBe(500);
		});
	});

	describe('control routes', () => {
		it('drive a whole handoff over HTTP', async () => {
			const control = (method: string, path: string, body?: unknown) =>
				httpRequest(`${sim.controlUrl}${path}`, { method, body });
			const index = await control('GET', '');
			expect(index.body).toMatchObject({ webhookUrl: sim.webhookUrl, routes: BotpressSimulator.controlRoutes });
			expect((await control('POST', '/configure', { endpointBaseUrl: service.baseUrl })).status).toBe(200);
			const created = await control('POST', '/conversations', { name: 'Ada' });
			expect(created.status).toBe(201);
			const id = created.body.id as string;
			await control('POST', `/conversations/${id}/user_says`, { text: 'help' });
			const started = await control('POST', `/conversations/${id}/start_hitl`, { title: 't' });
			expect(started.body.remoteConversationId).toBe('ticket-1');
			const said = await control('POST', `/conversations/${id}/user_says`, { payload: { fileUrl: 'https://x.io/f.pdf' } });
			expect(said.body.call).toMatchObject({ path: 'botSendsMessage', status: 200 });
			const view = await control('GET', `/conversations/${id}`);
			expect(view.body.transcript).toEqual(['user: help', expect.stringContaining('escalated'), 'user: [file] https://x.io/f.pdf']);
			expect((await control('POST', `/conversations/${id}/close_hitl`)).body.path).toBe('closeRemoteTicket');
			expect((await control('GET', '/service_calls')).body).toHaveLength(5);
			expect((await control('GET', '/conversations/conv_nope')).status).toBe(404);
			service.answers.createRemoteConversation = { status: 200, body: { id: 7 } };
			const failed = await control('POST', `/conversations/${id}/start_hitl`, {});
			expect(failed.status).toBe(409);
			expect(failed.body.error).toContain('expected {"id": "<string>"}');
			expect((await control('POST', '/reset')).status).toBe(200);
			expect(sim.listConversations()).toEqual([]);
			expect((await control('GET', '/nope')).status).toBe(404);
		});
	});
});

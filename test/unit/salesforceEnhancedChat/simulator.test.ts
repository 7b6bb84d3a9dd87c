/**
 * The Salesforce Enhanced Chat (MIAW) simulator behaves as docs/platforms/salesforce-enhanced-chat.md
 * ("the sheet") describes: guest / verified / continuation tokens and their expiry, client-made
 * conversation ids, 202 sends echoed on the stream as EndUser, /entries paged by timestamps, 417
 * once the agent ended the session, Last-Event-Id replay within the retention, dropped streams,
 * file uploads, close. Real HTTP and a real SSE client.
 */
import * as crypto from 'crypto';
import * as http from 'http';

import { httpRequest } from '../../fakes/http';
import type { HttpResult } from '../../fakes/http';
import { SalesforceEnhancedChatSimulator, SseClient } from '../../fakes/salesforceEnhancedChat';
import type { SalesforceEnhancedChatSimulatorOptions } from '../../fakes/salesforceEnhancedChat';

const API = '/iamessage/api/v2';
const ORG = '00D5e000000AbCd';
const DEPLOYMENT = 'Handoff_Web';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwtPayload = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
const identityJwt = (sub: string) => `${b64({ alg: 'RS256' })}.${b64({ sub, iss: 'me' })}.c2ln`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SalesforceEnhancedChatSimulator', () => {
	let sim: SalesforceEnhancedChatSimulator;
	const streams: SseClient[] = [];

	async function startSim(options: SalesforceEnhancedChatSimulatorOptions = {}): Promise<void> {
		sim = await new SalesforceEnhancedChatSimulator({ timeScale: 0.01, orgId: ORG, deploymentName: DEPLOYMENT, ...options }).start();
	}

	beforeEach(async () => startSim());

	afterEach(async () => {
		for (const s of streams.splice(0)) s.close();
		await sim.stop();
	});

	const tokenBody = (extra: Record<string, unknown> = {}) => ({
		orgId: ORG,
		esDeveloperName: DEPLOYMENT,
		capabilitiesVersion: '1',
		platform: 'Web',
		...extra,
	});
	const guest = async (): Promise<any> => {
		const res = await httpRequest(`${sim.baseUrl}${API}/authorization/unauthenticated/access-token`, { method: 'POST', body: tokenBody() });
		expect(res.status).toBe(200);
		return res.body;
	};
	const api = (token: string, method: string, path: string, body?: unknown): Promise<HttpResult> =>
		httpRequest(`${sim.baseUrl}${API}${path}`, { method, headers: { Authorization: `Bearer ${token}` }, body });
	const create = (token: string, conversationId: string, extra: Record<string, unknown> = {}) =>
		api(token, 'POST', '/conversation', { conversationId, esDeveloperName: DEPLOYMENT, ...extra });
	const send = (token: string, conversationId: string, text: string, extra: Record<string, unknown> = {}) =>
		api(token, 'POST', `/conversation/${conversationId}/message`, {
			message: { id: crypto.randomUUID(), messageType: 'StaticContentMessage', staticContent: { formatType: 'Text', text } },
			esDeveloperName: DEPLOYMENT,
			...extra,
		});
	const entries = async (token: string, conversationId: string, query = ''): Promise<any[]> => {
		const res = await api(token, 'GET', `/conversation/${conversationId}/entries${query}`);
		expect(res.status).toBe(200);
		return res.body.conversationEntries;
	};
	const openStream = async (token: string, headers: Record<string, string> = {}): Promise<SseClient> => {
		const client = await SseClient.open(`${sim.baseUrl}/eventrouter/v1/sse`, {
			Accept: 'text/event-stream',
			Authorization: `Bearer ${token}`,
			'X-Org-Id': ORG,
			...headers,
		});
		streams.push(client);
		return client;
	};

	/** A guest with a routed conversation an agent has joined. */
	async function chat(): Promise<{ token: string; id: string }> {
		const { accessToken } = await guest();
		const id = crypto.randomUUID();
		expect((await create(accessToken, id, { routingAttributes: { Topic: 'parcel' } })).status).toBe(201);
		await sim.idle();
		sim.agentAccepts(id, { name: 'Alice Agent' });
		return { token: accessToken, id };
	}

	describe('tokens', () => {
		it('a guest token: a JWT for a new UNAUTH subject, lastEventId 0, a Custom Client deployment', async () => {
			const body = await guest();
			const payload = jwtPayload(body.accessToken);
			expect(payload.sub).toMatch(/^v2\/iamessage\/UNAUTH\/NA\/uid:[0-9a-f-]{36}$/);
			expect(payload.exp).toBeGreaterThan(Date.now() / 1000 + 5 * 3600);
			expect(body).toMatchObject({
				lastEventId: '0',
				context: {
					deviceId: expect.any(String),
					endUser: { subject: payload.sub },
					configuration: { embeddedServiceConfig: { name: DEPLOYMENT, deploymentType: 'api' } },
				},
			});
			expect(jwtPayload((await guest()).accessToken).sub).not.toBe(payload.sub);
		});

		it('refuses a wrong org or deployment (400, JSON with message)', async () => {
			for (const extra of [{ orgId: '00D000000000000' }, { esDeveloperName: 'Other' }, { platform: undefined }]) {
				const res = await httpRequest(`${sim.baseUrl}${API}/authorization/unauthenticated/access-token`, {
					method: 'POST',
					body: tokenBody(extra),
				});
				expect(res.status).toBe(400);
				expect(res.body.message).toEqual(expect.any(String));
			}
		});

		it('verified: a stable /AUTH/ subject per identity-token sub; a malformed token silently yields a guest', async () => {
			const verified = (token: string) =>
				httpRequest(`${sim.baseUrl}${API}/authorization/authenticated/access-token`, {
					method: 'POST',
					body: tokenBody({ authorizationType: 'JWT', customerIdentityToken: token }),
				});
			const a = await verified(identityJwt('user-42'));
			const b = await verified(identityJwt('user-42'));
			expect(a.status).toBe(200);
			expect(a.body.context.endUser.subject).toContain('/AUTH/');
			expect(b.body.context.endUser.subject).toBe(a.body.context.endUser.subject);
			expect((await verified(identityJwt('user-43'))).body.context.endUser.subject).not.toBe(a.body.context.endUser.subject);
			const bad = await verified('not-a-jwt');
			expect(bad.status).toBe(200);
			expect(bad.body.context.endUser.subject).toContain('/UNAUTH/');

			// The verified user rejoins: the same subject sees its conversation, and lastEventId moved on.
			const id = crypto.randomUUID();
			await create(a.body.accessToken, id);
			await sim.idle();
			expect((await api(b.body.accessToken, 'GET', `/conversation/${id}`)).body).toEqual({ conversationId: id, routingStatus: 'NEEDS_ROUTING' });
			expect(Number((await verified(identityJwt('user-42'))).body.lastEventId)).toBeGreaterThan(0);
		});

		it('continuation: a new token, same subject and same exp; revocation → 401', async () => {
			const first = await guest();
			const res = await api(first.accessToken, 'GET', '/authorization/continuation-access-token');
			expect(res.status).toBe(200);
			expect(res.body.accessToken).not.toBe(first.accessToken);
			const [p1, p2] = [jwtPayload(first.accessToken), jwtPayload(res.body.accessToken)];
			expect(p2.sub).toBe(p1.sub);
			expect(p2.exp).toBe(p1.exp);
			expect(p2.clientId).not.toBe(p1.clientId);
			expect((await api(res.body.accessToken, 'DELETE', '/authorization/authenticated/access-token')).status).toBe(204);
			expect((await api(res.body.accessToken, 'GET', '/conversation/list')).status).toBe(401);
			expect((await api(first.accessToken, 'GET', '/conversation/list')).status).toBe(200);
		});

		it('expired or unknown tokens get 401 everywhere, continuation included', async () => {
			sim.configure({ tokenTtlMs: 80 });
			const { accessToken } = await guest();
			expect((await api(accessToken, 'GET', '/conversation/list')).status).toBe(200);
			await sleep(120);
			expect((await api(accessToken, 'GET', '/conversation/list')).status).toBe(401);
			expect((await api(accessToken, 'GET', '/authorization/continuation-access-token')).status).toBe(401);
			expect((await create(accessToken, crypto.randomUUID())).status).toBe(401);
			expect((await openStream(accessToken)).status).toBe(401);
			expect((await api('x.y.z', 'GET', '/conversation/list')).status).toBe(401);
		});

		it('rate-limits token requests per minute (429)', async () => {
			sim.configure({ tokenRequestsPerMinute: 2 });
			await guest();
			await guest();
			const res = await httpRequest(`${sim.baseUrl}${API}/authorization/unauthenticated/access-token`, { method: 'POST', body: tokenBody() });
			expect(res.status).toBe(429);
		});
	});

	describe('conversations and messages', () => {
		it('create: the id must be a lowercase UUID v4 (400), an existing id is a 409, another subject gets 404', async () => {
			const { accessToken } = await guest();
			for (const bad of ['abc', crypto.randomUUID().toUpperCase(), '6ba7b810-9dad-11d1-80b4-00c04fd430c8']) {
				expect((await create(accessToken, bad)).status).toBe(400);
			}
			const id = crypto.randomUUID();
			const res = await create(accessToken, id, { routingAttributes: { Topic: 'parcel' } });
			expect(res.status).toBe(201);
			expect(res.body).toEqual({ conversationId: id });
			expect((await create(accessToken, id)).status).toBe(409);
			expect(sim.conversation(id)).toMatchObject({ routingStatus: 'INITIAL', sessionStatus: 'Active', sessions: 1, routingAttributes: { Topic: 'parcel' } });
			const other = await guest();
			expect((await api(other.accessToken, 'GET', `/conversation/${id}`)).status).toBe(404);
			expect((await send(other.accessToken, id, 'hi')).status).toBe(404);
		});

		it('routing: RoutingResult after the delay (NEEDS_ROUTING), agent accepts (ROUTED); no agents → RoutingError', async () => {
			const { token, id } = await chat();
			expect(sim.conversation(id)).toMatchObject({ routingStatus: 'ROUTED', participants: [{ role: 'EndUser' }, { role: 'Agent', displayName: 'Alice Agent' }] });
			expect(sim.transcript(id).map((l) => l.entryType)).toEqual(['RoutingResult', 'ParticipantChanged']);
			const [joined, routed] = await entries(token, id);
			expect(routed.entryPayload).toMatchObject({ routingType: 'Initial', failureType: 'None', estimatedWaitTime: { estimatedWaitTimeInSeconds: 60 } });
			expect(joined.entryPayload).toEqual({
				entryType: 'ParticipantChanged',
				entries: [{ operation: 'add', participant: expect.objectContaining({ role: 'Agent' }), displayName: 'Alice Agent' }],
			});

			sim.configure({ agentsAvailable: false });
			const id2 = crypto.randomUUID();
			await create(token, id2);
			await sim.idle();
			expect(sim.conversation(id2)?.routingStatus).toBe('NEEDS_ROUTING');
			expect((await entries(token, id2))[0].entryPayload.failureType).toBe('RoutingError');
		});

		it('autoAcceptAgent: an agent joins right after routing', async () => {
			sim.configure({ autoAcceptAgent: { name: 'Bob' } });
			const { accessToken } = await guest();
			const id = crypto.randomUUID();
			await create(accessToken, id);
			await sim.idle();
			expect(sim.conversation(id)).toMatchObject({ routingStatus: 'ROUTED', participants: [{}, { displayName: 'Bob' }] });
		});

		it('send: 202 with the entry id; echoed on the stream as EndUser; the agent on the stream and in /entries', async () => {
			const { token, id } = await chat();
			const stream = await openStream(token);
			expect(stream.status).toBe(200);
			const messageId = crypto.randomUUID();
			const res = await api(token, 'POST', `/conversation/${id}/message`, {
				message: { id: messageId, messageType: 'StaticContentMessage', staticContent: { formatType: 'Text', text: 'Where is my parcel?' } },
				esDeveloperName: DEPLOYMENT,
			});
			expect(res.status).toBe(202);
			expect(res.body).toEqual({ conversationEntries: [{ id: expect.any(String), clientTimestamp: expect.any(Number) }] });
			sim.agentSays(id, 'Let me check.');
			sim.botSays(id, 'Beep.');
			await stream.waitFor((s) => s.entries().length === 3);
			const [echo, agent, bot] = stream.entries();
			expect(echo.event).toBe('CONVERSATION_MESSAGE');
			expect(echo.data).toMatchObject({ channelType: 'embedded_messaging', conversationId: id, conversationEntry: { identifier: res.body.conversationEntries[0].id, sender: { role: 'EndUser' } } });
			expect(typeof echo.data.conversationEntry.entryPayload).toBe('string');
			expect(echo.payload).toMatchObject({ entryType: 'Message', abstractMessage: { id: messageId, staticContent: { formatType: 'Text', text: 'Where is my parcel?' } } });
			expect(agent.data.conversationEntry).toMatchObject({ senderDisplayName: 'Alice Agent', sender: { role: 'Agent' } });
			expect(agent.payload.abstractMessage.staticContent.text).toBe('Let me check.');
			expect(bot.data.conversationEntry.sender.role).toBe('Chatbot');
			expect(Number(agent.id)).toBeGreaterThan(Number(echo.id));
			const listed = await entries(token, id, '?direction=FromStart&entryTypeFilter=Message');
			expect(listed.map((e) => [e.sender.role, e.entryPayload.abstractMessage.staticContent.text])).toEqual([
				['EndUser', 'Where is my parcel?'],
				['Agent', 'Let me check.'],
				['Chatbot', 'Beep.'],
			]);
			expect(sim.transcript(id).filter((l) => l.entryType === 'Message')).toEqual([
				expect.objectContaining({ role: 'EndUser', text: 'Where is my parcel?', clientMessageId: messageId }),
				expect.objectContaining({ role: 'Agent', name: 'Alice Agent', text: 'Let me check.' }),
				expect.objectContaining({ role: 'Chatbot', text: 'Beep.' }),
			]);
		});

		it('the same message id twice is recorded twice by default (dedupe unconfirmed)', async () => {
			const { token, id } = await chat();
			const message = { id: crypto.randomUUID(), messageType: 'StaticContentMessage', staticContent: { formatType: 'Text', text: 'again' } };
			await api(token, 'POST', `/conversation/${id}/message`, { message, esDeveloperName: DEPLOYMENT });
			await api(token, 'POST', `/conversation/${id}/message`, { message, esDeveloperName: DEPLOYMENT });
			expect(sim.transcript(id).filter((l) => l.text === 'again')).toHaveLength(2);
		});

		it('typing and acknowledgements: 202, on the stream, not in /entries', async () => {
			const { token, id } = await chat();
			const stream = await openStream(token);
			expect((await api(token, 'POST', `/conversation/${id}/entry`, { entryType: 'TypingStartedIndicator', id: crypto.randomUUID() })).status).toBe(202);
			expect(sim.conversation(id)?.customerTyping).toBe(true);
			sim.agentTyping(id, true);
			sim.agentSays(id, 'Hi');
			const agentEntry = (await entries(token, id, '?limit=1'))[0];
			const ack = { id: crypto.randomUUID(), entryType: 'Read', conversationEntryId: agentEntry.identifier };
			expect((await api(token, 'POST', `/conversation/${id}/acknowledge-entries`, { acks: [ack] })).status).toBe(202);
			expect((await api(token, 'POST', `/conversation/${id}/acknowledge-entries`, { acks: [{ ...ack, conversationEntryId: 'nope' }] })).status).toBe(400);
			await stream.waitFor((s) => s.entries().length === 4);
			expect(stream.entries().map((e) => [e.event, e.data.conversationEntry.sender.role])).toEqual([
				['CONVERSATION_TYPING_STARTED_INDICATOR', 'EndUser'],
				['CONVERSATION_TYPING_STARTED_INDICATOR', 'Agent'],
				['CONVERSATION_MESSAGE', 'Agent'],
				['CONVERSATION_READ_ACKNOWLEDGEMENT', 'EndUser'],
			]);
			expect((await entries(token, id)).map((e) => e.entryType)).toEqual(['Message', 'ParticipantChanged', 'RoutingResult']);
			expect(sim.conversation(id)?.acks).toEqual([expect.objectContaining({ entryType: 'Read', conversationEntryId: agentEntry.identifier })]);
		});

		it('entries: paged by inclusive ms timestamps both ways, limit ≤ 50, filtered by type, payload as string on request', async () => {
			const { token, id } = await chat();
			for (let i = 1; i <= 5; i++) sim.agentSays(id, `m${i}`);
			const texts = (list: any[]) => list.map((e) => e.entryPayload.abstractMessage.staticContent.text);
			const all = await entries(token, id, '?direction=FromStart&entryTypeFilter=Message');
			expect(texts(all)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
			const stamps = all.map((e) => e.transcriptedTimestamp);
			expect(stamps.every((t, i) => i === 0 || t > stamps[i - 1])).toBe(true);

			const page1 = await entries(token, id, '?direction=FromStart&entryTypeFilter=Message&limit=2');
			expect(texts(page1)).toEqual(['m1', 'm2']);
			const page2 = await entries(token, id, `?direction=FromStart&entryTypeFilter=Message&limit=2&startTimestamp=${page1[1].transcriptedTimestamp}`);
			expect(texts(page2)).toEqual(['m2', 'm3']); // inclusive: the client dedupes on identifier
			const back1 = await entries(token, id, '?direction=FromEnd&entryTypeFilter=Message&limit=2');
			expect(texts(back1)).toEqual(['m5', 'm4']);
			const back2 = await entries(token, id, `?direction=FromEnd&entryTypeFilter=Message&limit=2&endTimestamp=${back1[1].transcriptedTimestamp - 1}`);
			expect(texts(back2)).toEqual(['m3', 'm2']);
			const routing = await entries(token, id, '?entryTypeFilter=RoutingResult,ParticipantChanged');
			expect(routing.map((e) => e.entryType)).toEqual(['ParticipantChanged', 'RoutingResult']);
			expect((await api(token, 'GET', `/conversation/${id}/entries?limit=51`)).status).toBe(400);
			expect((await api(token, 'GET', `/conversation/${id}/entries?direction=Sideways`)).status).toBe(400);

			sim.configure({ entryPayloadAsString: true });
			const [latest] = await entries(token, id, '?limit=1');
			expect(JSON.parse(latest.entryPayload).abstractMessage.staticContent.text).toBe('m5');
		});

		it('417 after the agent ended the session (not recorded); isNewMessagingSession opens a new session', async () => {
			const { token, id } = await chat();
			const stream = await openStream(token);
			sim.agentEndsSession(id);
			await stream.waitFor((s) => s.entries().some((e) => e.event === 'CONVERSATION_SESSION_STATUS_CHANGED'));
			const ended = stream.entries().find((e) => e.event === 'CONVERSATION_SESSION_STATUS_CHANGED');
			expect(ended?.payload).toEqual({ entryType: 'SessionStatusChanged', sessionStatus: 'Ended', sessionEndedByRole: 'Agent' });
			expect(stream.entries()[0].payload.entries[0]).toMatchObject({ operation: 'remove', participant: { role: 'Agent' } });
			expect(sim.conversation(id)).toMatchObject({ sessionStatus: 'Ended', closed: false, participants: [{ role: 'EndUser' }] });

			const refused = await send(token, id, 'Still there?');
			expect(refused.status).toBe(417);
			expect(refused.body.message).toEqual(expect.any(String));
			expect(sim.transcript(id).some((l) => l.text === 'Still there?')).toBe(false);

			const again = await send(token, id, 'Still there?', { isNewMessagingSession: true, routingAttributes: { Topic: 'again' } });
			expect(again.status).toBe(202);
			expect(sim.conversation(id)).toMatchObject({ sessions: 2, sessionStatus: 'Active', routingStatus: 'INITIAL', routingAttributes: { Topic: 'again' } });
			await sim.idle();
			sim.agentAccepts(id, { name: 'Carol' });
			expect(sim.transcript(id).map((l) => l.entryType).slice(-3)).toEqual(['Message', 'RoutingResult', 'ParticipantChanged']);
		});

		it('the end user ends the session (DELETE …/session) or closes the conversation (DELETE …)', async () => {
			const { token, id } = await chat();
			const stream = await openStream(token);
			expect((await api(token, 'DELETE', `/conversation/${id}/session?esDeveloperName=Wrong`)).status).toBe(400);
			expect((await api(token, 'DELETE', `/conversation/${id}/session?esDeveloperName=${DEPLOYMENT}`)).status).toBe(204);
			expect(sim.conversation(id)?.sessionHistory[0].endedByRole).toBe('EndUser');
			expect((await api(token, 'DELETE', `/conversation/${id}?esDeveloperName=${DEPLOYMENT}`)).status).toBe(204);
			await stream.waitFor((s) => s.entries().some((e) => e.event === 'CONVERSATION_CLOSE_CONVERSATION'));
			expect(sim.conversation(id)?.closed).toBe(true);
			expect((await send(token, id, 'hello?', { isNewMessagingSession: true })).status).toBe(400);
			expect((await api(token, 'GET', '/conversation/list')).body).toMatchObject({ openConversationsFound: 0, conversations: [] });
			expect((await api(token, 'GET', '/conversation/list?inclClosedConvs=true')).body.conversations).toEqual([
				expect.objectContaining({ conversationId: id, status: 'Closed' }),
			]);
		});

		it('transfer: the agent leaves, TRANSFER, then a RoutingResult of type Transfer', async () => {
			const { token, id } = await chat();
			sim.transfer(id, { queue: 'Billing' });
			expect(sim.conversation(id)).toMatchObject({ routingStatus: 'TRANSFER', transferQueue: 'Billing' });
			await sim.idle();
			const [routed, left] = await entries(token, id);
			expect(routed.entryPayload).toMatchObject({ routingType: 'Transfer', failureType: 'None' });
			expect(left.entryPayload.entries[0].operation).toBe('remove');
		});

		it('file upload: an Attachments message hosted at /media; over the limit → 413', async () => {
			sim.configure({ maxFileBytes: 1000 });
			const { token, id } = await chat();
			const upload = (data: Buffer) => {
				const boundary = `----b${crypto.randomBytes(6).toString('hex')}`;
				const entry = JSON.stringify({ message: { id: crypto.randomUUID(), fileId: crypto.randomUUID(), text: 'the label' }, esDeveloperName: DEPLOYMENT });
				const body = Buffer.concat([
					Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="messageEntry"\r\nContent-Type: application/json\r\n\r\n${entry}\r\n`),
					Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="fileData"; filename="label.png"\r\nContent-Type: image/png\r\n\r\n`),
					data,
					Buffer.from(`\r\n--${boundary}--\r\n`),
				]);
				return rawPost(`${sim.baseUrl}${API}/conversation/${id}/file`, body, {
					Authorization: `Bearer ${token}`,
					'Content-Type': `multipart/form-data; boundary=${boundary}`,
				});
			};
			const png = crypto.randomBytes(600);
			expect((await upload(png)).status).toBe(202);
			const [message] = await entries(token, id, '?limit=1');
			const content = message.entryPayload.abstractMessage.staticContent;
			expect(content).toMatchObject({ formatType: 'Attachments', text: 'the label', attachments: [{ name: 'label.png', mimeType: 'image/png', url: expect.stringContaining('/media/') }] });
			const file = await rawGet(content.attachments[0].url);
			expect(file.headers['content-type']).toBe('image/png');
			expect(file.body.equals(png)).toBe(true);
			expect((await upload(crypto.randomBytes(1001))).status).toBe(413);
			expect((await upload(crypto.randomBytes(5000))).status).toBe(413);
		});

		it('agent attachments are hosted too', async () => {
			const { token, id } = await chat();
			sim.agentSays(id, { text: 'here', attachments: [{ name: 'a.txt', mimeType: 'text/plain', data: Buffer.from('hello') }] });
			const [message] = await entries(token, id, '?limit=1');
			const url = message.entryPayload.abstractMessage.staticContent.attachments[0].url;
			expect((await rawGet(url)).body.toString()).toBe('hello');
			expect(sim.transcript(id).slice(-1)[0]).toMatchObject({ role: 'Agent', text: 'here', attachments: [{ name: 'a.txt' }] });
		});

		it('failNext: the matching call is refused before anything is stored; calls are recorded', async () => {
			const { token, id } = await chat();
			sim.failNext({ method: 'POST', path: /\/message$/, status: 503 });
			expect((await send(token, id, 'one')).status).toBe(503);
			expect((await send(token, id, 'two')).status).toBe(202);
			expect(sim.transcript(id).filter((l) => l.entryType === 'Message').map((l) => l.text)).toEqual(['two']);
			expect(sim.getCalls().filter((c) => c.path.endsWith('/message')).map((c) => [c.status, c.injected ?? false])).toEqual([
				[503, true],
				[202, false],
			]);
		});
	});

	describe('the event stream', () => {
		it('checks its headers: Accept, X-Org-Id, Bearer', async () => {
			const { accessToken } = await guest();
			expect((await openStream(accessToken, { Accept: 'application/json' })).status).toBe(400);
			expect((await openStream(accessToken, { 'X-Org-Id': '' })).status).toBe(400);
			expect((await openStream(accessToken, { 'X-Org-Id': '00D000000000000' })).status).toBe(401);
			expect((await openStream('nope')).status).toBe(401);
			expect(sim.openStreams()).toBe(0);
		});

		it('one stream per subject carries all its conversations; pings without ids', async () => {
			await sim.stop();
			await startSim({ pingIntervalMs: 3000 }); // 30 ms at timeScale 0.01
			const { token, id } = await chat();
			const other = await chat();
			const stream = await openStream(token);
			const id2 = crypto.randomUUID();
			await create(token, id2);
			sim.agentSays(id, 'first');
			sim.agentSays(other.id, 'not yours');
			await sim.idle();
			await stream.waitFor((s) => s.events.some((e) => e.event === 'ping') && s.entries().length === 2);
			expect(stream.entries().map((e) => e.data.conversationId)).toEqual([id, id2]);
			const ping = stream.events.find((e) => e.event === 'ping');
			expect(ping).toEqual({ event: 'ping', data: '0' });
			expect(sim.openStreams(jwtPayload(token).sub)).toBe(1);
		});

		it('Last-Event-Id replays retained events after it, none beyond the retention', async () => {
			sim.configure({ replayRetention: 3 });
			const { token, id } = await chat(); // events 1, 2: RoutingResult, ParticipantChanged
			for (let i = 1; i <= 4; i++) sim.agentSays(id, `m${i}`); // events 3..6
			const texts = (s: SseClient) => s.entries().map((e) => e.payload.abstractMessage?.staticContent.text ?? e.payload.entryType);

			const recent = await openStream(token, { 'Last-Event-Id': '4' });
			await recent.waitFor((s) => s.entries().length === 2);
			expect(recent.entries().map((e) => e.id)).toEqual(['5', '6']);
			expect(texts(recent)).toEqual(['m3', 'm4']);

			const old = await openStream(token, { 'Last-Event-Id': '0' });
			await old.waitFor((s) => s.entries().length === 3);
			await sleep(30);
			expect(texts(old)).toEqual(['m2', 'm3', 'm4']); // 1..3 are past the retention: /entries has them

			const live = await openStream(token);
			sim.agentSays(id, 'm5');
			await live.waitFor((s) => s.entries().length === 1);
			expect(live.entries()[0].id).toBe('7');
			const fresh = await guest();
			expect(fresh.lastEventId).toBe('0');
		});

		it('dropStreams destroys connections abruptly; streamMaxMs ends them; the client reconnects with Last-Event-Id', async () => {
			const { token, id } = await chat();
			const first = await openStream(token);
			const bystander = await openStream((await guest()).accessToken);
			sim.agentSays(id, 'before');
			await first.waitFor((s) => s.entries().length === 1);
			expect(sim.openStreams()).toBe(2);
			expect(sim.dropStreams(jwtPayload(token).sub)).toBe(1);
			await first.waitFor((s) => s.closed !== null);
			expect(first.closed).toBe('error');
			expect(sim.openStreams()).toBe(1);
			expect(bystander.closed).toBeNull();

			sim.agentSays(id, 'while down');
			const again = await openStream(token, { 'Last-Event-Id': first.entries()[0].id! });
			await again.waitFor((s) => s.entries().length === 1);
			expect(again.entries()[0].payload.abstractMessage.staticContent.text).toBe('while down');

			sim.configure({ streamMaxMs: 3000 }); // 30 ms
			const short = await openStream(token);
			await short.waitFor((s) => s.closed !== null);
			expect(short.closed).toBe('end');
		});
	});

	describe('control routes', () => {
		it('GET /_control lists the routes; agents can be played over HTTP', async () => {
			const list = await httpRequest(sim.controlUrl);
			expect(list.body).toMatchObject({ orgId: ORG, deploymentName: DEPLOYMENT, routes: expect.arrayContaining([expect.stringContaining('/_control/conversations/:id/agent_says')]) });
			const { accessToken } = await guest();
			const id = crypto.randomUUID();
			await create(accessToken, id);
			await sim.idle();
			expect((await httpRequest(`${sim.controlUrl}/conversations/${id}/accept`, { method: 'POST', body: { name: 'Dana' } })).status).toBe(200);
			await httpRequest(`${sim.controlUrl}/conversations/${id}/agent_says`, { method: 'POST', body: { text: 'via HTTP' } });
			const transcript = await httpRequest(`${sim.controlUrl}/conversations/${id}/transcript`);
			expect(transcript.body.slice(-1)[0]).toMatchObject({ role: 'Agent', name: 'Dana', text: 'via HTTP' });
			expect((await httpRequest(`${sim.controlUrl}/conversations/${id}/accept`, { method: 'POST', body: {} })).status).toBe(400);
			await httpRequest(`${sim.controlUrl}/reset`, { method: 'POST' });
			expect(sim.conversations()).toEqual([]);
			expect((await api(accessToken, 'GET', '/conversation/list')).status).toBe(401);
		});
	});
});

function rawPost(url: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
	return new Promise((resolve, reject) => {
		const req = http.request(url, { method: 'POST', headers: { ...headers, 'Content-Length': String(body.length) }, agent: false }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
		});
		req.on('error', reject);
		req.end(body);
	});
}

function rawGet(url: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
	return new Promise((resolve, reject) => {
		http
			.get(url, { agent: false }, (res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
			})
			.on('error', reject);
	});
}

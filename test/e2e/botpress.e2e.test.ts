/**
 * Botpress (Human in the Loop API) ↔ Tiledesk and Botpress ↔ LiveChat, end to end: templates 12 and
 * 13 (two workflows each) imported unchanged into one real n8n with the packed package (only their
 * placeholders filled), published, and driven through the Botpress, Tiledesk and LiveChat
 * simulators. The simulated bot is connected to template 12's trigger for the Tiledesk tests, then
 * re-configured to template 13's for the LiveChat tests, as a bot builder would.
 *
 * The Botpress HITL credential holds a shared secret and the simulator adds it to Botpress's calls,
 * as a proxy in front of n8n would. Assertions read what the Botpress user, the Tiledesk agent and
 * the LiveChat agent see in the simulators.
 */
import * as crypto from 'crypto';

import type { BotpressSimulator, LiveChatEvent, TiledeskMessage } from '../fakes';
import {
	BOTPRESS_NODES,
	BOTPRESS_PLACEHOLDERS,
	BOTPRESS_TEMPLATE_FILES,
	SECRET_HEADER,
	USER_CANCELLED_LINE,
	botpressCredential,
	botpressEndpointBase,
	connectBotpress,
	startBotpress,
} from './lib/botpress';
import {
	LIVECHAT_PLACEHOLDERS,
	type LiveChatSide,
	TINY_PNG,
	carriesLiveChatMarker,
	chatCustomer,
	chatEvents,
	liveChatCredential,
	startLiveChat,
	waitForLiveChatTrigger,
} from './lib/livechat';
import { N8nInstance, packPackage, request } from './lib/n8n';
import {
	type TiledeskSide,
	carriesMarker,
	executionCount,
	isInfoLine,
	requestIdFor,
	sleep,
	startTiledesk,
	tiledeskCredential,
	tiledeskView,
	waitForTiledeskTrigger,
	waitUntil,
} from './lib/relay';
import { type Template, loadTemplate, webhookPath } from './lib/templates';

/** Tiledesk's and LiveChat's webhook retries and chat-engine steps run 20× faster. */
const TIME_SCALE = 0.05;
const ASSIGNED = 'bot: A human agent has joined the conversation.';
const AGENT_STOPPED = 'bot: The human agent closed the conversation. I will continue assisting you.';
const USER_CLOSED = 'bot: You have ended the conversation with the human agent.';

describe('Botpress HITL ↔ Tiledesk and ↔ LiveChat through templates 12 and 13 in a real n8n', () => {
	let td: TiledeskSide;
	let lc: LiveChatSide;
	let bp: BotpressSimulator;
	let n8n: N8nInstance;
	let liveChatBotId: string;
	const secret = crypto.randomBytes(24).toString('hex');
	const t = {} as Record<keyof typeof BOTPRESS_TEMPLATE_FILES, Template>;
	const t0 = Date.now();

	beforeAll(async () => {
		td = await startTiledesk({ timeScale: TIME_SCALE });
		lc = await startLiveChat({ timeScale: TIME_SCALE });
		// The LiveChat bot that writes what the Botpress bot says during a handoff.
		liveChatBotId = lc.livechat.createBot({ name: 'Botpress relay', groupIds: [lc.groupId], clientId: lc.clientId }).id;
		bp = await startBotpress({ serviceHeaders: { [SECRET_HEADER]: secret } });

		t.botpressToTiledesk = loadTemplate(BOTPRESS_TEMPLATE_FILES.botpressToTiledesk);
		t.tiledeskToBotpress = loadTemplate(BOTPRESS_TEMPLATE_FILES.tiledeskToBotpress);
		t.botpressToLiveChat = loadTemplate(BOTPRESS_TEMPLATE_FILES.botpressToLiveChat, {
			[LIVECHAT_PLACEHOLDERS.groupId]: String(lc.groupId),
			[BOTPRESS_PLACEHOLDERS.liveChatBotId]: liveChatBotId,
		});
		t.liveChatToBotpress = loadTemplate(BOTPRESS_TEMPLATE_FILES.liveChatToBotpress);

		n8n = await N8nInstance.start({
			tarball: await packPackage(),
			credentials: [tiledeskCredential(td), liveChatCredential(lc), botpressCredential(bp, secret)],
			workflows: [t.liveChatToBotpress, t.tiledeskToBotpress, t.botpressToTiledesk, t.botpressToLiveChat],
		});
		await Promise.all([
			waitForTiledeskTrigger(n8n, td, webhookPath(t.tiledeskToBotpress, BOTPRESS_NODES.tiledeskTrigger), ['message.create', 'request.close']),
			waitForLiveChatTrigger(n8n, lc, webhookPath(t.liveChatToBotpress, BOTPRESS_NODES.liveChatTrigger), [
				'incoming_event',
				'chat_transferred',
				'chat_deactivated',
			]),
			...[t.botpressToTiledesk, t.botpressToLiveChat].map((w) => n8n.waitForWebhook(`${botpressEndpointBase(n8n, w).split('/').pop()}/ping`)),
		]);
		console.log(`botpress: n8n up with templates 12 and 13 published, triggers live after ${Date.now() - t0} ms`);
	}, 240_000);

	afterAll(async () => {
		await n8n?.stop();
		await Promise.all([bp?.stop(), td?.tiledesk.stop(), lc?.livechat.stop()]);
		console.log(`botpress: whole file ${Date.now() - t0} ms`);
	}, 60_000);

	// ------------------------------------------------------------ Botpress side

	const conversation = (id: string) => bp.getConversation(id)!;
	/** What agents wrote, as the Botpress user reads it. */
	const agentLines = (id: string) => conversation(id).messages.filter((m) => m.role === 'agent').map((m) => m.text);
	const webhookCalls = (path: string, remoteId: string) =>
		bp.getWebhookCalls().filter((c) => c.path === path && (c.body as { remoteConversationId?: string })?.remoteConversationId === remoteId);

	/** A Botpress conversation with some bot history, then the Start HITL card. */
	async function escalate(name: string, history: Array<['user' | 'bot', string]>, ticket: { title?: string; description?: string } = {}) {
		const { id } = bp.startConversation({ name, email: `${name.toLowerCase()}@example.com` });
		for (const [who, text] of history) {
			if (who === 'user') await bp.userSays(id, text);
			else await bp.botSays(id, text);
		}
		const ids = await bp.startHitl(id, ticket);
		return { id, remoteId: ids.remoteConversationId };
	}

	async function waitForAssignment(id: string, agentId: string) {
		await waitUntil(`Botpress to hear that ${agentId} joined`, () => conversation(id).assignedAgentId === agentId, {
			timeoutMs: 30_000,
			describe: () => ({ conversation: conversation(id), calls: bp.getWebhookCalls().slice(-5) }),
		});
	}

	/** Every execution started so far has finished (nothing queued behind the concurrency limit). */
	async function settled() {
		await waitUntil('n8n to finish its executions', async () => {
			const all = await n8n.executions({ includeData: false });
			return all.every((e) => !['new', 'running', 'waiting'].includes(e.status));
		}, { timeoutMs: 30_000, pollMs: 300 });
	}

	// ------------------------------------------------------------ Tiledesk side

	const tdMessages = (remoteId: string) => td.tiledesk.getMessages(requestIdFor(td, remoteId));
	const tdRequest = (remoteId: string) => td.tiledesk.getRequest(requestIdFor(td, remoteId)) as any;
	/** What the Botpress user and bot wrote during the handoff, as the agent sees it (history excluded). */
	const relayedToTiledesk = (remoteId: string) =>
		tdMessages(remoteId).filter((m) => carriesMarker(m) && !isInfoLine(m) && m.attributes?.historyIndex === undefined);
	const tdLine = (m: TiledeskMessage) => `${m.sender.startsWith('bot_') ? 'bot' : 'user'}: ${tiledeskView(m)}`;

	describe('Botpress ↔ Tiledesk (template 12)', () => {
		beforeAll(async () => {
			await connectBotpress(n8n, bp, t.botpressToTiledesk);
		});

		test('escalation with the history first, agent assigned, 10 messages each way once and in order, the agent closes → back to the bot', async () => {
			const started = Date.now();
			const history: Array<['user' | 'bot', string]> = [
				['user', 'Hi, my parcel never arrived'],
				['bot', 'Sorry to hear that! What is your order number?'],
				['user', 'Order 1042'],
				['bot', 'Let me get you a person.'],
			];
			const { id, remoteId } = await escalate('Ada', history, { title: 'Parcel never arrived', description: 'Order 1042, paid by card' });
			expect(remoteId).toMatch(/^bp-[0-9a-f]{24}$/);
			const rid = requestIdFor(td, remoteId);

			// ---- the Tiledesk conversation: opened as the end user, ticket line then history, routed
			await waitForAssignment(id, td.agentId);
			const request = tdRequest(remoteId);
			expect(request.lead.lead_id).toBe(`botpress-${remoteId}`);
			expect(request.subject).toBe('Parcel never arrived');
			expect(request.participants).toEqual([td.agentId]);
			expect(request.status).toBe(200);
			expect(request.attributes.n8nHandoffExternalId).toBe(remoteId);
			const messages = tdMessages(remoteId);
			const visible = messages.filter((m) => !isInfoLine(m));
			expect(visible.map(tdLine)).toEqual(history.map(([who, text]) => `${who}: ${text}`));
			expect(visible.map((m) => m.sender)).toEqual(history.map(([who]) => (who === 'bot' ? 'bot_botpress' : `botpress-${remoteId}`)));
			const ticketLine = messages.findIndex((m) => m.text === 'Handoff from Botpress · Parcel never arrived · Order 1042, paid by card');
			expect(ticketLine).toBeGreaterThanOrEqual(0);
			expect(isInfoLine(messages[ticketLine])).toBe(true);
			expect(ticketLine).toBeLessThan(messages.indexOf(visible[0]));
			expect(messages.findIndex((m) => m.text?.endsWith('\\agent'))).toBeGreaterThan(messages.indexOf(visible[visible.length - 1]));
			// Botpress heard of the assignment once, from Tiledesk's assignment line.
			expect(webhookCalls('/agent-assigned', remoteId).map((c) => [c.body, c.outcome])).toEqual([
				[{ remoteConversationId: remoteId, remoteUserId: td.agentId }, 'assigned'],
			]);
			expect(bp.transcript(id).filter((line) => line === ASSIGNED)).toHaveLength(1);
			const afterStart = Date.now();

			// ---- 10 messages each way, interleaved; a bot message, a user image and an agent image
			const userImage = bp.hostMedia({ name: 'parcel-label.png', contentType: 'image/png', data: TINY_PNG });
			const agentImage = 'https://cdn.example.com/agent/tracking.png';
			const toAgent: string[] = [];
			const toUser: string[] = [];
			for (let i = 1; i <= 10; i++) {
				if (i === 4) {
					await bp.userSays(id, { imageUrl: userImage });
					// The Tiledesk node names an image after its file when there is no caption.
					toAgent.push(`user: image ${userImage} parcel-label.png`);
				} else {
					await bp.userSays(id, `user message ${i}`);
					toAgent.push(`user: user message ${i}`);
				}
				if (i === 5) {
					await bp.botSays(id, 'While you wait: our returns policy is at example.com/returns');
					toAgent.push('bot: While you wait: our returns policy is at example.com/returns');
				}
				await sleep(50);
				if (i === 6) {
					td.tiledesk.agentSays(rid, td.agentId, { type: 'image', text: 'Your tracking page', metadata: { src: agentImage, name: 'tracking.png' } });
					toUser.push(`[image] ${agentImage}`, 'Your tracking page');
				} else {
					td.tiledesk.agentSays(rid, td.agentId, `agent message ${i}`);
					toUser.push(`agent message ${i}`);
				}
				await sleep(50);
			}
			await waitUntil('every message on the other side', () => relayedToTiledesk(remoteId).length >= toAgent.length && agentLines(id).length >= toUser.length, {
				timeoutMs: 60_000,
				describe: () => ({ tiledesk: relayedToTiledesk(remoteId).map(tdLine), botpress: agentLines(id) }),
			});
			const relayed = Date.now();
			await td.tiledesk.idle(30_000);
			await settled();
			await sleep(1_000); // room for a late duplicate

			expect({ toAgent: relayedToTiledesk(remoteId).map(tdLine), toUser: agentLines(id) }).toEqual({ toAgent, toUser });
			expect(relayedToTiledesk(remoteId).find((m) => m.type === 'image')!.metadata).toMatchObject({ src: userImage });
			const agentMessages = conversation(id).messages.filter((m) => m.role === 'agent');
			expect(agentMessages.every((m) => m.agentId === td.agentId)).toBe(true);
			expect(agentMessages.find((m) => m.type === 'image')!.payload).toEqual({ imageUrl: agentImage });
			// Nothing looped: each agent message exists once in Tiledesk, and no relayed message came back.
			for (let i = 1; i <= 10; i++) if (i !== 6) expect(tdMessages(remoteId).filter((m) => m.text === `agent message ${i}`)).toHaveLength(1);
			expect(bp.getOrphans()).toEqual([]);
			expect(bp.getServiceCalls().filter((c) => c.path === 'botSendsMessage' && c.body.remoteConversationId === remoteId)).toHaveLength(11);

			// ---- the agent closes in Tiledesk: Botpress stops the HITL session, the bot takes over
			td.tiledesk.agentCloses(rid, td.agentId);
			await waitUntil('Botpress to stop the handoff', () => conversation(id).hitl === 'stopped', { timeoutMs: 30_000 });
			await settled();
			expect(conversation(id)).toMatchObject({ hitl: 'stopped', endedBy: 'agent' });
			expect(bp.transcript(id).slice(-1)).toEqual([AGENT_STOPPED]);
			expect(webhookCalls('/stop-hitl', remoteId).map((c) => c.outcome)).toEqual(['stopped']);
			// Tiledesk's "Chat closed" line is not shown to the user; the user now talks to the bot again.
			expect(agentLines(id)).toEqual(toUser);
			expect(await bp.userSays(id, 'Thanks!')).toBeNull();
			console.log(
				`tiledesk: escalation → assigned ${afterStart - started} ms, 22 messages relayed in ${relayed - afterStart} ms, close → bot ${Date.now() - relayed} ms (incl. settle waits)`,
			);
		});

		test('the user types the close command: the agent sees the line, the Tiledesk conversation closes, Botpress ignores the stop that follows', async () => {
			const { id, remoteId } = await escalate('Ben', [['user', 'I need a human']], { title: 'Billing' });
			await waitForAssignment(id, td.agentId);
			await bp.userSays(id, 'Actually, I found the invoice');
			const call = await bp.userSays(id, '/end');
			expect(call?.body).toEqual({ type: 'closeRemoteTicket', payload: { botpressConversationId: conversation(id).hitlConversationId } });
			await waitUntil('the Tiledesk conversation to close', () => tdRequest(remoteId)?.status === 1000, { timeoutMs: 30_000 });
			// The close reached Tiledesk, whose request.close came back as Stop HITL: Botpress ignores it.
			await waitUntil('the Stop HITL that follows', () => webhookCalls('/stop-hitl', remoteId).length === 1, { timeoutMs: 30_000 });
			await settled();

			expect(relayedToTiledesk(remoteId).map(tdLine)).toEqual(['user: Actually, I found the invoice', `bot: ${USER_CANCELLED_LINE}`]);
			expect(tdRequest(remoteId).closed_by).not.toBe(td.agentId);
			expect(conversation(id)).toMatchObject({ hitl: 'stopped', endedBy: 'user' });
			expect(webhookCalls('/stop-hitl', remoteId).map((c) => c.outcome)).toEqual(['ignored: handoff not active']);
			expect(bp.transcript(id).slice(-2)).toEqual(['user: /end', USER_CLOSED]);
			expect(bp.transcript(id)).not.toContain(AGENT_STOPPED);
		});

		test('a bot that closes with its own conversation ID in the title closes Tiledesk; the Stop HITL card alone does not (documented)', async () => {
			const first = bp.startConversation({ name: 'Cleo' });
			await bp.userSays(first.id, 'Agent please');
			const ids = await bp.startHitl(first.id, { title: `Question from ${first.id}` });
			await waitForAssignment(first.id, td.agentId);
			await bp.closeHitl(first.id, { closeWith: 'userConversation' });
			await waitUntil('the mapped close to reach Tiledesk', () => tdRequest(ids.remoteConversationId)?.status === 1000, { timeoutMs: 30_000 });

			const second = await escalate('Dan', [['user', 'Agent please']], { title: 'No ID in this title' });
			await waitForAssignment(second.id, td.agentId);
			const executions = await executionCount(n8n);
			await bp.closeHitl(second.id); // the plugin's card: closes with the HITL-channel ID
			await waitUntil('the close call to run', async () => (await executionCount(n8n)) > executions, { timeoutMs: 30_000 });
			await settled();
			expect(tdRequest(second.remoteId).status).toBe(200);
			expect(conversation(second.id).hitl).toBe('stopped');
			// The agent closes it later; Botpress ignores that stop.
			td.tiledesk.agentCloses(requestIdFor(td, second.remoteId), td.agentId);
			await waitUntil('the Stop HITL after the late close', () => webhookCalls('/stop-hitl', second.remoteId).length === 1, { timeoutMs: 30_000 });
			expect(webhookCalls('/stop-hitl', second.remoteId)[0].outcome).toBe('ignored: handoff not active');
		});
	});

	// ------------------------------------------------------------ LiveChat side

	const chatOf = (remoteId: string) =>
		lc.livechat.listChats().find((c: any) => c.properties?.[lc.clientId]?.external_id === remoteId) as any;
	const isActive = (remoteId: string) => chatOf(remoteId)?.threads.slice(-1)[0]?.active === true;
	/** An event as the LiveChat agent sees it, with who wrote it; files by name (their CDN address is new). */
	const lcLine = (remoteId: string, e: LiveChatEvent) => {
		const who = e.author_id === liveChatBotId ? 'bot' : e.author_id === chatCustomer(lc, chatOf(remoteId).id) ? 'user' : String(e.author_id);
		const what = e.type === 'file' ? `${String(e.content_type).startsWith('image/') ? 'image' : 'file'} ${String(e.name)}` : String(e.text);
		return `${who}: ${what}`;
	};
	/** What the Botpress user and bot wrote during the handoff (the history lines, written by the relay's agent, excluded). */
	const relayedToLiveChat = (remoteId: string) =>
		chatOf(remoteId) ? chatEvents(lc, chatOf(remoteId).id).filter((e) => e.author_id !== lc.relayAgent.id && e.type !== 'system_message') : [];

	describe('Botpress ↔ LiveChat (template 13)', () => {
		beforeAll(async () => {
			await connectBotpress(n8n, bp, t.botpressToLiveChat);
		});

		test('escalation with the history first, agent assigned, 10 messages each way once and in order, the agent deactivates → back to the bot', async () => {
			const started = Date.now();
			const history: Array<['user' | 'bot', string]> = [
				['user', 'Hello, can I change my delivery address?'],
				['bot', 'I can help with that. Which order?'],
				['user', 'Order 2077, it already shipped'],
				['bot', 'Then I need a colleague.'],
			];
			const { id, remoteId } = await escalate('Eve', history, { title: 'Change address', description: 'Order 2077 shipped' });
			await waitForAssignment(id, lc.agentId);
			const chat = chatOf(remoteId);
			const chatId = chat.id as string;

			// ---- the chat: ticket line then history (by the relay's agent, marked), our properties, routed
			expect(chat.properties[lc.clientId]).toMatchObject({ external_id: remoteId, external_platform: 'botpress', customer_external_id: `botpress-${remoteId}` });
			const firstThread = chat.threads[0].events as LiveChatEvent[];
			const opening = firstThread.filter((e) => e.type === 'message' && e.author_id === lc.relayAgent.id);
			expect(opening.map((e) => e.text)).toEqual([
				'Handoff from Botpress · Change address · Order 2077 shipped',
				...history.map(([who, text]) => `${who === 'bot' ? 'Bot' : 'Customer'}: ${text}`),
			]);
			expect(opening.every(carriesLiveChatMarker)).toBe(true);
			expect(chat.users.map((u: any) => u.id)).toEqual(expect.arrayContaining([lc.agentId]));
			expect(chatCustomer(lc, chatId)).toBeDefined();
			expect(webhookCalls('/agent-assigned', remoteId).map((c) => [c.body, c.outcome])).toEqual([
				[{ remoteConversationId: remoteId, remoteUserId: lc.agentId }, 'assigned'],
			]);
			expect(bp.transcript(id).filter((line) => line === ASSIGNED)).toHaveLength(1);
			const afterStart = Date.now();

			// ---- 10 messages each way; a bot message, a user image (uploaded to LiveChat), an agent image
			const userImage = bp.hostMedia({ name: 'new-address.png', contentType: 'image/png', data: TINY_PNG });
			const agentImage = lc.livechat.storeFile({ name: 'label.png', contentType: 'image/png', data: TINY_PNG });
			const toAgent: string[] = [];
			const toUser: string[] = [];
			for (let i = 1; i <= 10; i++) {
				if (i === 4) {
					await bp.userSays(id, { imageUrl: userImage });
					toAgent.push('user: image new-address.png');
				} else {
					await bp.userSays(id, `user message ${i}`);
					toAgent.push(`user: user message ${i}`);
				}
				if (i === 5) {
					await bp.botSays(id, 'Tip: addresses can be changed until dispatch');
					toAgent.push('bot: Tip: addresses can be changed until dispatch');
				}
				await sleep(50);
				if (i === 6) {
					lc.livechat.agentSays(chatId, lc.agentId, { file: { url: agentImage, name: 'label.png', content_type: 'image/png' } });
					// A LiveChat file event has no caption (its text is the file name): the image alone.
					toUser.push(`[image] ${agentImage}`);
				} else {
					lc.livechat.agentSays(chatId, lc.agentId, `agent message ${i}`);
					toUser.push(`agent message ${i}`);
				}
				await sleep(50);
			}
			await waitUntil('every message on the other side', () => relayedToLiveChat(remoteId).length >= toAgent.length + 10 && agentLines(id).length >= toUser.length, {
				timeoutMs: 60_000,
				describe: () => ({ livechat: relayedToLiveChat(remoteId).map((e) => lcLine(remoteId, e)), botpress: agentLines(id) }),
			});
			const relayed = Date.now();
			await lc.livechat.idle(30_000);
			await settled();
			await sleep(1_000);

			const fromBotpress = relayedToLiveChat(remoteId).filter((e) => e.author_id !== lc.agentId);
			expect({ toAgent: fromBotpress.map((e) => lcLine(remoteId, e)), toUser: agentLines(id) }).toEqual({ toAgent, toUser });
			expect(fromBotpress.every(carriesLiveChatMarker)).toBe(true);
			const uploaded = fromBotpress.find((e) => e.type === 'file')!;
			expect(uploaded).toMatchObject({ content_type: 'image/png' });
			expect(Buffer.from(await (await fetch(String(uploaded.url))).arrayBuffer())).toEqual(TINY_PNG);
			expect(conversation(id).messages.filter((m) => m.role === 'agent').every((m) => m.agentId === lc.agentId)).toBe(true);
			expect(bp.getOrphans()).toEqual([]);
			expect(bp.getServiceCalls().filter((c) => c.path === 'botSendsMessage' && c.body.remoteConversationId === remoteId)).toHaveLength(11);

			// ---- the agent ends the chat in LiveChat: Botpress stops the HITL session
			lc.livechat.deactivate(chatId, lc.agentId);
			await waitUntil('Botpress to stop the handoff', () => conversation(id).hitl === 'stopped', { timeoutMs: 30_000 });
			await settled();
			expect(conversation(id)).toMatchObject({ hitl: 'stopped', endedBy: 'agent' });
			expect(bp.transcript(id).slice(-1)).toEqual([AGENT_STOPPED]);
			expect(webhookCalls('/stop-hitl', remoteId).map((c) => c.outcome)).toEqual(['stopped']);
			expect(await bp.userSays(id, 'Thanks!')).toBeNull();
			console.log(
				`livechat: escalation → assigned ${afterStart - started} ms, 22 messages relayed in ${relayed - afterStart} ms, close → bot ${Date.now() - relayed} ms (incl. settle waits)`,
			);
		});

		test('the user types the close command: the agent sees the line from the bot, the chat is deactivated, Botpress ignores the stop that follows', async () => {
			const { id, remoteId } = await escalate('Finn', [['user', 'Human please']], { title: 'Returns' });
			await waitForAssignment(id, lc.agentId);
			await bp.userSays(id, 'Never mind');
			await bp.userSays(id, '/END');
			await waitUntil('the chat to be deactivated', () => chatOf(remoteId) && !isActive(remoteId), { timeoutMs: 30_000 });
			await waitUntil('the Stop HITL that follows', () => webhookCalls('/stop-hitl', remoteId).length === 1, { timeoutMs: 30_000 });
			await settled();

			expect(relayedToLiveChat(remoteId).map((e) => lcLine(remoteId, e))).toEqual(['user: Never mind', `bot: ${USER_CANCELLED_LINE}`]);
			expect(conversation(id)).toMatchObject({ hitl: 'stopped', endedBy: 'user' });
			expect(webhookCalls('/stop-hitl', remoteId).map((c) => c.outcome)).toEqual(['ignored: handoff not active']);
			expect(bp.transcript(id)).not.toContain(AGENT_STOPPED);
		});

		test('a bot that closes with its own conversation ID in the title deactivates the chat', async () => {
			const { id } = bp.startConversation({ name: 'Gus' });
			await bp.userSays(id, 'Agent please');
			const { remoteConversationId } = await bp.startHitl(id, { title: `Question from ${id}` });
			await waitForAssignment(id, lc.agentId);
			await bp.closeHitl(id, { closeWith: 'userConversation' });
			await waitUntil('the mapped close to reach LiveChat', () => !isActive(remoteConversationId), { timeoutMs: 30_000 });
			await waitUntil('the Stop HITL that follows', () => webhookCalls('/stop-hitl', remoteConversationId).length === 1, { timeoutMs: 30_000 });
			await settled();
			expect(webhookCalls('/stop-hitl', remoteConversationId).map((c) => c.outcome)).toEqual(['ignored: handoff not active']);
		});
	});

	// ------------------------------------------------------------ both

	test('with a shared secret configured, calls without it get 401 and start no execution', async () => {
		await settled();
		const before = await executionCount(n8n);
		for (const template of [t.botpressToTiledesk, t.botpressToLiveChat]) {
			const base = botpressEndpointBase(n8n, template);
			const forged = [
				['createRemoteConversation', { type: 'createRemoteConversation', payload: { title: 'forged', messages: [{ text: 'x' }] } }],
				['botSendsMessage', { type: 'botSendsMessage', remoteConversationId: 'bp-000000000000000000000000', remoteUserId: 'u', payload: { text: 'forged' } }],
				['closeRemoteTicket', { type: 'closeRemoteTicket', payload: { botpressConversationId: 'conv_FORGED01' } }],
				['ping', { type: 'ping' }],
			] as const;
			for (const [path, body] of forged) {
				for (const headers of [{ [SECRET_HEADER]: 'wrong-secret' }, {}] as Array<Record<string, string>>) {
					const res = await request(`${base}/${path}`, { method: 'POST', headers, body });
					expect([template.name, path, res.status]).toEqual([template.name, path, 401]);
				}
			}
			// The right secret is accepted (ping runs nothing).
			expect((await request(`${base}/ping`, { method: 'POST', headers: { [SECRET_HEADER]: secret }, body: { type: 'ping' } })).status).toBe(200);
		}
		await sleep(1_500);
		expect(await executionCount(n8n)).toBe(before);
		expect(bp.getWebhookCalls().filter((c) => JSON.stringify(c.body).includes('forged'))).toEqual([]);
	});

	test('every execution the relays started succeeded', async () => {
		await settled();
		const executions = await n8n.executions({ includeData: true });
		const failed = executions
			.filter((e) => e.status !== 'success')
			.map((e) => ({ id: e.id, workflowId: e.workflowId, status: e.status, error: e.data?.resultData?.error?.message }));
		expect(failed).toEqual([]);
		console.log(`botpress: ${executions.length} executions, all successful`);
	});
});

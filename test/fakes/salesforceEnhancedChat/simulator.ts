/**
 * Salesforce Enhanced Chat (Messaging for In-App and Web, "MIAW") simulator: the customer side of
 * the Messaging API (`/iamessage/api/v2/...`) and its server-sent-event stream
 * (`/eventrouter/v1/sse`), as docs/platforms/salesforce-enhanced-chat.md ("the sheet") describes
 * them. `baseUrl` plays https://<mydomain>.my.salesforce-scrt.com.
 *
 * - Tokens: guest (`…/authorization/unauthenticated/access-token`), verified
 *   (`…/authenticated/access-token`, a customer identity JWT), continuation (same subject and
 *   expiry), revocation. Every other call needs `Authorization: Bearer`; 401 when it is unknown,
 *   expired or revoked.
 * - Conversations: the client makes the id (lowercase UUID v4). Creating one opens a messaging
 *   session and routes it (RoutingResult after routingDelayMs); an agent accepts (ParticipantChanged),
 *   messages go both ways; the agent ends the session (SessionStatusChanged) and the next customer
 *   message gets 417 until it is resent with isNewMessagingSession.
 * - Every entry is published on the end user's SSE stream (own messages echoed as EndUser); Message,
 *   ParticipantChanged, RoutingResult, SessionStatusChanged and CloseConversation are also listed by
 *   `…/entries` (paged by ms timestamps).
 *
 * Agents, bots and outages are played through the control API: methods on the class and HTTP routes
 * under `/_control` (see `controlRoutes`). Items the sheet does not settle are marked `CHOICE:` (our
 * decision), `UNCONFIRMED:` (plausible, nobody verified) or `INFERRED:` (read from public code);
 * each lives in one place so it is easy to change.
 */
import * as http from 'http';
import * as crypto from 'crypto';

import { clone, close, listen, sendJson, waitFor } from '../http';
import { DEFAULT_AGENT_NAME, DEFAULT_BOT_NAME } from './common';
import type {
	AgentSaysInput,
	Attachment,
	ConversationRecord,
	EnhancedChatApiCall,
	EnhancedChatConversationView,
	EnhancedChatTranscriptLine,
	FailRule,
	SalesforceEnhancedChatSimulatorOptions,
} from './common';
import { CONTROL_ROUTES, handleControlRequest } from './control';
import { EnhancedChatServer } from './server';

export class SalesforceEnhancedChatSimulator extends EnhancedChatServer {
	static readonly controlRoutes = CONTROL_ROUTES;

	constructor(options: SalesforceEnhancedChatSimulatorOptions = {}) {
		super();
		this.options = this.resolveOptions(options);
	}

	async start(): Promise<this> {
		this.server = http.createServer((req, res) => {
			this.handle(req, res).catch((err) => {
				sendJson(res, 500, { message: `Simulator error: ${String(err?.message ?? err)}` });
			});
		});
		this.port = await listen(this.server, this.options.port, this.options.host);
		return this;
	}

	/** Destroys open streams, clears every timer and stops listening. */
	async stop(): Promise<void> {
		this.dropStreams();
		this.timers.clearAll();
		if (this.server) await close(this.server);
		this.server = undefined;
	}

	get baseUrl(): string {
		return `http://${this.options.host}:${this.port}`;
	}

	get controlUrl(): string {
		return `${this.baseUrl}/_control`;
	}

	get orgId(): string {
		return this.options.orgId;
	}

	get deploymentName(): string {
		return this.options.deploymentName;
	}

	// ---------------------------------------------------------------- the agent's side

	private activeConversation(conversationId: string): ConversationRecord {
		const c = this.requireConversation(conversationId);
		if (!this.sessionActive(c)) throw new Error(`conversation ${conversationId} has no active messaging session`);
		return c;
	}

	private agentOf(c: ConversationRecord) {
		const agent = this.participantOf(c, 'Agent');
		if (!agent) throw new Error(`no agent has joined conversation ${c.id} (call agentAccepts first)`);
		return agent;
	}

	/** An agent joins: ParticipantChanged (add, role Agent), routingStatus ROUTED. Routing still pending completes first. */
	agentAccepts(conversationId: string, agent: { name?: string } = {}): void {
		const c = this.activeConversation(conversationId);
		if (this.participantOf(c, 'Agent')) throw new Error(`conversation ${conversationId} already has an agent`);
		if (c.pendingRoutingType) this.completeRouting(c, false);
		// CHOICE: an agent may also pick up a conversation whose routing failed.
		const subject = `005${crypto.randomBytes(6).toString('hex').toUpperCase()}`;
		this.participantChanged(c, { role: 'Agent', subject, displayName: agent.name ?? DEFAULT_AGENT_NAME, appType: 'agent' }, 'add');
		c.routingStatus = 'ROUTED';
		c.transferQueue = null;
	}

	/** A Message entry from the agent (text, or files hosted at GET /media/<id>, no auth). */
	agentSays(conversationId: string, input: AgentSaysInput, options: { name?: string } = {}): void {
		const c = this.activeConversation(conversationId);
		const agent = this.agentOf(c);
		this.staffMessage(c, 'Agent', agent.subject, options.name ?? agent.displayName, input);
	}

	/** A Message entry from a bot (sender role Chatbot; the sheet: a bot or Agentforce is Chatbot). */
	botSays(conversationId: string, text: string, options: { name?: string } = {}): void {
		const c = this.activeConversation(conversationId);
		this.staffMessage(c, 'Chatbot', '0XxBOT0000000001', options.name ?? DEFAULT_BOT_NAME, text);
	}

	private staffMessage(c: ConversationRecord, role: 'Agent' | 'Chatbot', subject: string, name: string, input: AgentSaysInput): void {
		const text = typeof input === 'string' ? input : (input.text ?? '');
		let attachments: Attachment[] | undefined;
		if (typeof input !== 'string') {
			attachments = input.attachments.map((file) => {
				const mediaId = crypto.randomUUID();
				this.media.set(mediaId, { name: file.name, mimeType: file.mimeType, data: Buffer.from(file.data) });
				return { id: crypto.randomUUID(), name: file.name, mimeType: file.mimeType, url: `${this.baseUrl}/media/${mediaId}` };
			});
		}
		const staticContent = attachments ? { formatType: 'Attachments', attachments, text } : { formatType: 'Text', text };
		this.addEntry(c, {
			entryType: 'Message',
			payload: { abstractMessage: { messageType: 'StaticContentMessage', id: crypto.randomUUID(), staticContent } },
			sender: this.sender(role, subject),
			senderDisplayName: name,
			listed: true,
			text,
			...(attachments ? { attachments } : {}),
		});
	}

	/** CONVERSATION_TYPING_STARTED / _STOPPED_INDICATOR from the agent (SSE only). */
	agentTyping(conversationId: string, started: boolean): void {
		const c = this.activeConversation(conversationId);
		const agent = this.agentOf(c);
		const entryType = started ? 'TypingStartedIndicator' : 'TypingStoppedIndicator';
		this.addEntry(c, {
			entryType,
			payload: { entryType, id: crypto.randomUUID() },
			sender: this.sender('Agent', agent.subject),
			senderDisplayName: agent.displayName,
			listed: false,
			text: started ? 'typing' : 'stopped typing',
		});
	}

	/** The agent ends the chat: the agent leaves, SessionStatusChanged {Ended, Agent}; later sends get 417. */
	agentEndsSession(conversationId: string): void {
		this.endSession(this.activeConversation(conversationId), 'Agent');
	}

	/** The agent transfers: the agent leaves, routingStatus TRANSFER, then a RoutingResult (Transfer). */
	transfer(conversationId: string, options: { queue?: string } = {}): void {
		const c = this.activeConversation(conversationId);
		const agent = this.participantOf(c, 'Agent');
		// CHOICE: the transferring agent leaves at once.
		if (agent) this.participantChanged(c, agent, 'remove');
		c.routingStatus = 'TRANSFER';
		c.transferQueue = options.queue ?? null;
		this.startRouting(c, 'Transfer');
	}

	// ---------------------------------------------------------------- control API (methods)

	/** Changes options of a running simulator (not port or host). */
	configure(options: Omit<SalesforceEnhancedChatSimulatorOptions, 'port' | 'host'>): void {
		this.options = this.resolveOptions({ ...this.options, ...options, port: this.options.port, host: this.options.host });
	}

	/** The next `count` (default 1) API calls matching get `status` (and `body`) and do nothing. Not SSE. */
	failNext(rule: FailRule): void {
		this.failRules.push({ ...rule, count: rule.count ?? 1 });
	}

	conversation(conversationId: string): EnhancedChatConversationView | undefined {
		const c = this.records.get(conversationId);
		return c ? this.view(c) : undefined;
	}

	conversations(): EnhancedChatConversationView[] {
		return [...this.records.values()].map((c) => this.view(c));
	}

	/** The listed entries in order, readable (empty for an unknown conversation). */
	transcript(conversationId: string): EnhancedChatTranscriptLine[] {
		const c = this.records.get(conversationId);
		return c ? this.transcriptOf(c) : [];
	}

	getCalls(): EnhancedChatApiCall[] {
		return clone(this.calls);
	}

	/** Resolves once no routing is pending (timers for RoutingResult entries). */
	async idle(timeoutMs = 10_000): Promise<void> {
		await waitFor(() => [...this.records.values()].every((c) => c.routingTimer === null), timeoutMs);
	}

	/** Forgets every token, conversation, stream (destroyed), file, call and injected failure. */
	reset(): void {
		this.dropStreams();
		this.timers.clearAll();
		this.tokens.clear();
		this.subjects.clear();
		this.records.clear();
		this.media.clear();
		this.calls = [];
		this.failRules = [];
		this.tokenRequests = { token: [], renew: [] };
	}

	protected handleControl(method: string, path: string, raw: string, res: http.ServerResponse): void {
		handleControlRequest(this, method, path, raw, res);
	}

	/** For GET /_control. */
	describe(): Record<string, unknown> {
		const { faults, ...options } = this.options;
		return { baseUrl: this.baseUrl, orgId: this.orgId, deploymentName: this.deploymentName, options, faults: faults ?? null };
	}
}

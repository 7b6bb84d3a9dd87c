import * as http from 'http';

import type { FaultInjection } from '../http';

// The Enhanced Chat simulator's records, constants and pure helpers, shared by its files. Facts come
// from docs/platforms/salesforce-enhanced-chat.md ("the sheet").

export interface SalesforceEnhancedChatSimulatorOptions {
	/** 0 (default) = a random free port. */
	port?: number;
	host?: string;
	/** Multiplies the routing delay, the ping interval and streamMaxMs. Default 1. */
	timeScale?: number;
	/** The 15-character organization id (the sheet: orgId and X-Org-Id are the 15-char id). */
	orgId?: string;
	/** The deployment's DeveloperName, sent as `esDeveloperName`. */
	deploymentName?: string;
	/**
	 * UNCONFIRMED: the sheet knows no token lifetime. Default 6 h. Wall-clock, not scaled: it is what
	 * the JWT's `exp` says.
	 */
	tokenTtlMs?: number;
	/** The sheet [RL]: 200 token and 200 renew requests per minute per org (real minutes, not scaled). */
	tokenRequestsPerMinute?: number;
	/** CHOICE: routing a new session (or a transfer) takes this long before its RoutingResult. Default 1000 ms. */
	routingDelayMs?: number;
	/** false: routing fails (CHOICE: failureType RoutingError, routingStatus stays NEEDS_ROUTING). */
	agentsAvailable?: boolean;
	/** Reported in RoutingResult `estimatedWaitTime.estimatedWaitTimeInSeconds`. Default 60. */
	estimatedWaitTimeSeconds?: number;
	/** An agent who accepts every routed session at once (default none: tests call agentAccepts). */
	autoAcceptAgent?: { name: string } | null;
	/** UNCONFIRMED whether Salesforce drops a message id it has seen. Default false: recorded again. */
	dedupeMessageIds?: boolean;
	/** The sheet: entryPayload of /entries is an object (SA) or a string (CW). Default false (object). */
	entryPayloadAsString?: boolean;
	/** `ping` events (data `0`, the sheet: VG) every so often. Default 30 000 ms; 0 = none. */
	pingIntervalMs?: number;
	/** CHOICE / UNCONFIRMED: events per subject kept for Last-Event-Id replay. Default 100. */
	replayRetention?: number;
	/** Streams are ended (cleanly) after this long; 0 (default) = never. Clients must reconnect. */
	streamMaxMs?: number;
	/** The sheet [MC]: 5 MB per file (unconfirmed by Salesforce); larger → 413. */
	maxFileBytes?: number;
	/** Random refusals of API calls (not SSE), before any logic: reliability tests only. */
	faults?: FaultInjection;
}

export type ResolvedOptions = Required<Omit<SalesforceEnhancedChatSimulatorOptions, 'faults'>> &
	Pick<SalesforceEnhancedChatSimulatorOptions, 'faults'>;

export type SenderRole = 'EndUser' | 'Agent' | 'Chatbot' | 'System' | 'Router' | 'Supervisor';
export type RoutingStatus = 'INITIAL' | 'NEEDS_ROUTING' | 'ROUTED' | 'TRANSFER';
export type SessionStatus = 'Active' | 'Ended';

export interface Sender {
	role: SenderRole;
	subject: string;
	appType: string;
	clientIdentifier: string;
}

export interface Attachment {
	id: string;
	name: string;
	mimeType: string;
	url: string;
}

export interface EntryRecord {
	identifier: string;
	entryType: string;
	payload: Record<string, unknown>;
	sender: Sender;
	senderDisplayName: string;
	transcriptedTimestamp: number;
	clientTimestamp: number;
	/** false: SSE only (typing indicators, acknowledgements), not in /entries. */
	listed: boolean;
	/** For transcript(): what a person reads. */
	text: string;
	attachments?: Attachment[];
	clientMessageId?: string;
}

export interface SessionRecord {
	id: string;
	status: SessionStatus;
	endedByRole: SenderRole | null;
	routingAttributes: Record<string, unknown> | null;
	startedAt: number;
	endedAt: number | null;
}

export interface Participant {
	role: SenderRole;
	subject: string;
	displayName: string;
	appType: string;
}

export interface ConversationRecord {
	id: string;
	subject: string;
	esDeveloperName: string;
	createdAt: number;
	routingStatus: RoutingStatus;
	closed: boolean;
	sessions: SessionRecord[];
	participants: Participant[];
	entries: EntryRecord[];
	lastTimestamp: number;
	routingTimer: NodeJS.Timeout | null;
	pendingRoutingType: 'Initial' | 'Transfer' | null;
	transferQueue: string | null;
	customerTyping: boolean;
	language: string | null;
	acks: Array<{ id: string; entryType: 'Delivery' | 'Read'; conversationEntryId: string; at: number }>;
}

export interface TokenRecord {
	token: string;
	subject: string;
	/** INFERRED (SA: continuation gives "the same subjectId but new clientId"). */
	clientId: string;
	verified: boolean;
	deviceId: string;
	issuedAt: number;
	expiresAt: number;
	revoked: boolean;
}

export interface SseEvent {
	id: number;
	event: string;
	data: string;
}

export interface SubjectRecord {
	subject: string;
	verified: boolean;
	lastEventId: number;
	retained: SseEvent[];
}

export interface StreamRecord {
	subject: string;
	res: http.ServerResponse;
	openedAt: number;
	pingTimer: NodeJS.Timeout | null;
	maxTimer: NodeJS.Timeout | null;
}

export interface MediaRecord {
	name: string;
	mimeType: string;
	data: Buffer;
}

export interface EnhancedChatApiCall {
	at: number;
	method: string;
	path: string;
	query: Record<string, string>;
	headers: http.IncomingHttpHeaders;
	/** Parsed JSON; for a file upload `{messageEntry, fileData: {name, mimeType, size}}`. */
	body?: unknown;
	status?: number;
	injected?: boolean;
}

export interface FailRule {
	method?: string;
	path: RegExp | string;
	status: number;
	count?: number;
	body?: unknown;
}

export interface EnhancedChatEntryJson {
	identifier: string;
	entryType: string;
	entryPayload: Record<string, unknown> | string;
	sender: { role: SenderRole; subject: string; appType: string };
	senderDisplayName: string;
	transcriptedTimestamp: number;
	clientTimestamp: number;
}

export interface EnhancedChatConversationView {
	id: string;
	subject: string;
	esDeveloperName: string;
	routingStatus: RoutingStatus;
	/** The latest session's. */
	sessionStatus: SessionStatus;
	closed: boolean;
	/** How many messaging sessions the conversation has had. */
	sessions: number;
	sessionHistory: SessionRecord[];
	/** The latest session's (creation's, or the isNewMessagingSession message's). */
	routingAttributes: Record<string, unknown> | null;
	participants: Array<{ role: SenderRole; subject: string; displayName: string }>;
	transferQueue: string | null;
	customerTyping: boolean;
	language: string | null;
	acks: ConversationRecord['acks'];
	/** As GET …/entries would list them (oldest first, entryPayload an object). */
	entries: EnhancedChatEntryJson[];
}

export interface EnhancedChatTranscriptLine {
	identifier: string;
	entryType: string;
	role: SenderRole;
	name: string;
	text: string;
	attachments?: Attachment[];
	clientMessageId?: string;
	timestamp: number;
}

export interface AgentAttachmentInput {
	name: string;
	mimeType: string;
	data: Buffer;
}

export type AgentSaysInput = string | { text?: string; attachments: AgentAttachmentInput[] };

/** One API request, as the handlers see it. */
export interface Ctx {
	method: string;
	path: string;
	params: Record<string, string>;
	query: Record<string, string>;
	headers: http.IncomingHttpHeaders;
	/** Parsed JSON (undefined for an empty or multipart body). */
	body: any;
	raw: Buffer;
	/** The body was over the read limit (only the file upload gets this far: 413). */
	tooLarge: boolean;
	call: EnhancedChatApiCall;
}

export interface Reply {
	status: number;
	/** JSON; undefined = no body. */
	body?: unknown;
}

export const API = '/iamessage/api/v2';
export const SSE_PATH = '/eventrouter/v1/sse';

/** The sheet's SSE event names, by entryType. */
export const EVENT_NAMES: Record<string, string> = {
	Message: 'CONVERSATION_MESSAGE',
	RoutingResult: 'CONVERSATION_ROUTING_RESULT',
	ParticipantChanged: 'CONVERSATION_PARTICIPANT_CHANGED',
	TypingStartedIndicator: 'CONVERSATION_TYPING_STARTED_INDICATOR',
	TypingStoppedIndicator: 'CONVERSATION_TYPING_STOPPED_INDICATOR',
	DeliveryAcknowledgement: 'CONVERSATION_DELIVERY_ACKNOWLEDGEMENT',
	ReadAcknowledgement: 'CONVERSATION_READ_ACKNOWLEDGEMENT',
	CloseConversation: 'CONVERSATION_CLOSE_CONVERSATION',
	SessionStatusChanged: 'CONVERSATION_SESSION_STATUS_CHANGED',
};

/** CHOICE: the sheet names no appType values. */
export const APP_TYPES: Record<SenderRole, string> = {
	EndUser: 'iamessage',
	Agent: 'agent',
	Chatbot: 'chatbot',
	System: 'system',
	Router: 'router',
	Supervisor: 'agent',
};

export const DEFAULT_AGENT_NAME = 'Alice Agent';
export const DEFAULT_BOT_NAME = 'Bot';
/** UNCONFIRMED: what senderDisplayName an end user's entries carry. */
export const END_USER_NAME = 'Guest';

// CHOICE: error bodies are `{message}` (the sheet: SA reads `.message`; the exact shape is unconfirmed).
export const fail = (status: number, message: string): Reply => ({ status, body: { message } });
export const bad = (message: string): Reply => fail(400, message);
export const unauthorized = (): Reply => fail(401, 'Invalid, expired or revoked access token');
export const notFound = (what = 'Conversation'): Reply => fail(404, `${what} not found`);
// The sheet: 417 = message sent but no messaging session exists.
export const noSession = (): Reply =>
	fail(417, 'No messaging session exists for this conversation; send with isNewMessagingSession: true to start one');
// CHOICE: writes to a closed conversation are a 400.
export const closedConversation = (): Reply => fail(400, 'Conversation is closed');

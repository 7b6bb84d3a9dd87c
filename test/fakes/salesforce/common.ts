import * as http from 'http';

// The Live Agent simulator's records, constants and pure helpers, shared by its files.

export interface SalesforceLiveAgentSimulatorOptions {
	/** 0 (default) = a random free port. */
	port?: number;
	host?: string;
	organizationId?: string;
	deploymentId?: string;
	buttonId?: string;
	/**
	 * How long a Messages request is held without news before the 204. UNCONFIRMED: Salesforce
	 * publishes no number; it has to be below clientPollTimeout. Default 30 000 ms; small in tests.
	 */
	pollTimeoutMs?: number;
	/** Seconds, as SessionId reports it (the sheet: e.g. 40). */
	clientPollTimeout?: number;
	/**
	 * The docs: without a new Messages request the session ends "after a system timeout".
	 * 0 (default) = never. CHOICE: measured from the last request or the end of the last poll.
	 */
	sessionTimeoutMs?: number;
	/** Whether an agent can take chats on the button (Availability, ChasitorInit). Default true. */
	agentsAvailable?: boolean;
	/** Seconds, reported in ChatRequestSuccess / QueueUpdate / Availability. Default 60. */
	estimatedWaitTime?: number;
	/** The lowest X-LIVEAGENT-API-VERSION accepted (the resources exist since 29.0). */
	minApiVersion?: number;
}

export type LiveAgentSessionState = 'new' | 'queued' | 'established' | 'ended' | 'gone';

export interface LiveAgentMessage {
	type: string;
	message: Record<string, unknown>;
}

export interface LiveAgentTranscriptEntry {
	from: 'visitor' | 'agent';
	name: string;
	text: string;
	at: string;
	/** The visitor's X-LIVEAGENT-SEQUENCE. */
	sequence?: number;
	/** A visitor message sent while the chat was still waiting in the queue. */
	beforeEstablished?: boolean;
}

export interface LiveAgentSessionInfo {
	id: string;
	key: string;
	affinityToken: string;
	state: LiveAgentSessionState;
	visitorName: string | null;
	visitorId: string | null;
	queuePosition: number | null;
	agent: { name: string; userId: string } | null;
	/** Highest X-LIVEAGENT-SEQUENCE processed (0: none). */
	lastSequence: number;
	/** Messages queued for the visitor, each with the sequence it was given. */
	messages: Array<LiveAgentMessage & { sequence: number }>;
	transcript: LiveAgentTranscriptEntry[];
	chasitorInit: Record<string, unknown> | null;
	visitorTyping: boolean;
	endedBy: 'agent' | 'visitor' | 'unavailable' | 'timeout' | 'deleted' | null;
	pollPending: boolean;
}

export interface LiveAgentApiCall {
	at: number;
	method: string;
	/** Below /chat/rest, e.g. `/Chasitor/ChatMessage`. */
	path: string;
	query: Record<string, string>;
	headers: http.IncomingHttpHeaders;
	body: unknown;
	status?: number;
	/** A POST whose sequence was already processed: answered OK, not applied again. */
	duplicate?: boolean;
}

export interface PendingPoll {
	res: http.ServerResponse;
	ack: number;
	timer: NodeJS.Timeout;
	call: LiveAgentApiCall;
}

export interface SessionRecord {
	id: string;
	key: string;
	affinityToken: string;
	state: LiveAgentSessionState;
	lastActivity: number;
	lastSequence: number;
	visitorName: string | null;
	visitorId: string | null;
	receiveQueueUpdates: boolean;
	chasitorInit: Record<string, unknown> | null;
	agent: { name: string; userId: string } | null;
	/** Every message for the visitor, oldest first; `sequence` is what `ack` refers to. */
	outbox: Array<LiveAgentMessage & { sequence: number }>;
	lastMessageSequence: number;
	/** A poll with an ack at or past this sequence (ChatEnded / ChatRequestFail) finds the session gone. */
	endSequence: number | null;
	transcript: LiveAgentTranscriptEntry[];
	visitorTyping: boolean;
	endedBy: LiveAgentSessionInfo['endedBy'];
	pending: PendingPoll | null;
}

export interface Reply {
	status: number;
	/** Strings go out as text/plain, anything else as JSON; undefined = no body. */
	body?: unknown;
}

export const HEADER = {
	version: 'x-liveagent-api-version',
	affinity: 'x-liveagent-affinity',
	key: 'x-liveagent-session-key',
	sequence: 'x-liveagent-sequence',
} as const;
export type HeaderName = keyof typeof HEADER;

export const ROOT = '/chat/rest';
export const POST_RESOURCES = ['ChasitorInit', 'ChatMessage', 'ChasitorTyping', 'ChasitorNotTyping', 'ChasitorSneakPeek', 'ChatEnd'];

export const ok = (): Reply => ({ status: 200, body: 'OK' });
// CHOICE: Salesforce's error bodies are not documented; the simulator answers a short text.
export const bad = (text: string): Reply => ({ status: 400, body: text });
export const gone = (): Reply => ({ status: 403, body: 'Session not found or ended' });

export const DEFAULT_AGENT = { name: 'Agent Smith', userId: '0055e000001AgEnT' };

import * as crypto from 'crypto';
import * as http from 'http';

// The Botpress simulator's records, constants and pure helpers, shared by its files.

export interface BotpressSimulatorOptions {
	/** 0 (default) = a random free port. */
	port?: number;
	host?: string;
	/** The integration's webhook ID (default: a random UUID). */
	webhookId?: string;
	/** How long a call to the service may take; Botpress's axios calls set none. CHOICE: 30 s. */
	serviceTimeoutMs?: number;
	/**
	 * Which conversation ID `/closeRemoteTicket` carries. Botpress's HITL plugin calls the
	 * integration's stopHitl with the HITL-channel conversation it created right after
	 * /createRemoteConversation answered ("hitlConversation", default). "userConversation" models a
	 * bot that calls stopHitl itself with the user's conversation ID, the one a bot builder can also
	 * put in the ticket's title or description (the sheet's suggestion).
	 */
	closeWith?: 'hitlConversation' | 'userConversation';
	/**
	 * What the user types to end a handoff (the HITL plugin's userHitlCloseCommand; compared trimmed
	 * and case-insensitively). During a handoff, `userSays` with this text takes the plugin's
	 * close-command path: the cancellation line to the agent, then /closeRemoteTicket. `''` switches
	 * it off. UNCONFIRMED: the plugin's default value (DEFAULT_USER_HITL_CLOSE_COMMAND) is not in the
	 * sources we read; "/end" is our guess.
	 */
	closeCommand?: string;
	/**
	 * Headers added to every call to the service, as a proxy in front of it would (Botpress itself
	 * sends no auth header). Models the Botpress HITL credential's optional shared secret.
	 */
	serviceHeaders?: Record<string, string>;
	/** Texts the HITL plugin shows to the user (its defaults are configurable in Botpress). */
	messages?: Partial<typeof DEFAULT_MESSAGES>;
}

export const DEFAULT_MESSAGES = {
	handoff: 'I have escalated this conversation to a human agent. They should be with you shortly.',
	agentAssigned: 'A human agent has joined the conversation.',
	agentStopped: 'The human agent closed the conversation. I will continue assisting you.',
	userClosed: 'You have ended the conversation with the human agent.',
	/**
	 * What the plugin writes to the agent (as the bot, on the HITL channel) when the user ends the
	 * handoff with the close command or the agent-assignment timeout ends it: onUserHitlCancelledMessage,
	 * default DEFAULT_USER_HITL_CANCELLED_MESSAGE of plugins/hitl/plugin.definition.ts.
	 */
	userCancelled: '( The user has ended the session. )',
};

/** The message types the HITL plugin relays from the agent to the user (plugins/hitl consts.ts). */
export const SUPPORTED_AGENT_TYPES = ['text', 'image', 'video', 'audio', 'file'];

/** The keys each Botpress message type requires (sdk message defaults). */
export const REQUIRED_PAYLOAD_KEYS: Record<string, string[]> = {
	text: ['text'],
	image: ['imageUrl'],
	audio: ['audioUrl'],
	video: ['videoUrl'],
	file: ['fileUrl'],
};

export type ServicePath = 'ping' | 'createRemoteUser' | 'createRemoteConversation' | 'botSendsMessage' | 'closeRemoteTicket';

export interface BotpressUser {
	id: string;
	name: string;
	email?: string;
	pictureUrl?: string;
	/** The ID the service answered to /createRemoteUser (null until the first handoff). */
	remoteUserId: string | null;
}

export interface BotpressVisibleMessage {
	id: string;
	at: string;
	role: 'user' | 'bot' | 'agent';
	/** Botpress message type: text, image, audio, video, file, location, card, choice… */
	type: string;
	payload: Record<string, unknown>;
	/** What the user reads, in one line of text. */
	text: string;
	/** The agent's remoteUserId for agent messages. */
	agentId?: string;
}

export type BotpressHitlState = 'none' | 'active' | 'stopped';

export interface BotpressConversationView {
	id: string;
	userId: string;
	user: BotpressUser;
	messages: BotpressVisibleMessage[];
	hitl: BotpressHitlState;
	/** How the last handoff ended: "agent" (/stop-hitl) or "user" (closeRemoteTicket). */
	endedBy: 'agent' | 'user' | null;
	assigned: boolean;
	assignedAgentId: string | null;
	/** The ID the service answered to /createRemoteConversation for the current (or last) handoff. */
	remoteConversationId: string | null;
	/** The HITL-channel conversation Botpress created for that handoff. */
	hitlConversationId: string | null;
	/** Handoffs started in this conversation. */
	sessions: number;
}

/** One call of the service's endpoints, as Botpress made it. */
export interface BotpressServiceCall {
	at: number;
	path: ServicePath;
	url: string;
	body: Record<string, unknown>;
	status: number | null;
	response: unknown;
	/** Why Botpress treated the call as failed (non-2xx, bad answer, network). */
	error?: string;
}

/** One request to the integration's webhook. */
export interface BotpressWebhookCall {
	at: number;
	method: string;
	path: string;
	headers: http.IncomingHttpHeaders;
	body: unknown;
	status: number;
	/** What became of it: shown, dropped (handoff not active), orphan (unknown conversation)… */
	outcome: string;
}

export class BotpressHitlError extends Error {
	constructor(
		message: string,
		readonly call?: BotpressServiceCall,
	) {
		super(message);
		this.name = 'BotpressHitlError';
	}
}

export interface ConversationRecord {
	id: string;
	userId: string;
	messages: BotpressVisibleMessage[];
	hitl: BotpressHitlState;
	endedBy: 'agent' | 'user' | null;
	assigned: boolean;
	assignedAgentId: string | null;
	remoteConversationId: string | null;
	hitlConversationId: string | null;
	sessions: number;
}

export interface Reply {
	status: number;
	body?: unknown;
}

export const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Botpress Cloud IDs: a prefix and 26 upper-case characters (`conv_01J0Q8…`). */
export function botpressId(prefix: 'conv' | 'user' | 'msg'): string {
	const bytes = crypto.randomBytes(26);
	let id = '';
	for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
	return `${prefix}_${id}`;
}

/** What the user reads for a Botpress message payload. */
export function readable(type: string, payload: Record<string, unknown>): string {
	const s = (key: string) => (typeof payload[key] === 'string' ? (payload[key] as string) : '');
	switch (type) {
		case 'text':
			return s('text');
		case 'markdown':
			return s('markdown');
		case 'image':
			return `[image] ${s('imageUrl')}`;
		case 'audio':
			return `[audio] ${s('audioUrl')}`;
		case 'video':
			return `[video] ${s('videoUrl')}`;
		case 'file':
			return `[file] ${[s('title'), s('fileUrl')].filter(Boolean).join(' ')}`;
		case 'location':
			return `[location] ${payload.latitude}, ${payload.longitude}`;
		default:
			return s('text') || s('title') || `[${type}]`;
	}
}

/** The Botpress message type of a payload the control API receives without one. */
export function inferType(payload: Record<string, unknown>): string {
	if (typeof payload.type === 'string') return payload.type;
	if (Array.isArray(payload.items)) return 'carousel';
	if (Array.isArray(payload.options)) return 'choice';
	if (Array.isArray(payload.actions)) return 'card';
	if (payload.latitude !== undefined && payload.longitude !== undefined) return 'location';
	for (const [key, type] of [
		['imageUrl', 'image'],
		['audioUrl', 'audio'],
		['videoUrl', 'video'],
		['fileUrl', 'file'],
		['markdown', 'markdown'],
	]) {
		if (typeof payload[key] === 'string') return type;
	}
	return 'text';
}

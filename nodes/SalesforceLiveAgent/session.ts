import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { HandoffEvent, HandoffEventName, HandoffPlatform } from '../shared';
import { idToString, ownValue, standInText } from '../shared';

/**
 * Everything a Live Agent call needs besides the credential. It travels in the items (no state
 * outside the execution): each operation takes it and hands back the updated copy.
 */
export interface LiveAgentSession extends IDataObject {
	/** From System/SessionId; ChasitorInit's sessionId. */
	id: string;
	/** X-LIVEAGENT-SESSION-KEY. A secret: whoever has it can read and write the chat. */
	key: string;
	/** X-LIVEAGENT-AFFINITY. */
	affinityToken: string;
	/** X-LIVEAGENT-SEQUENCE of the next POST: starts at 1, +1 after every POST. */
	sequence: number;
	/** The `ack` of the next Messages poll: -1 at first, then the last 200's `sequence`. */
	ack: number;
	/** Seconds; a Messages poll is given up after this (the server answers sooner). */
	clientPollTimeout: number;
	/** An agent has accepted the chat (ChatEstablished seen). */
	established: boolean;
	/** The chat is over (ChatEnded / ChatRequestFail seen, ended by us, or the session is gone). */
	chatEnded: boolean;
	/** The agent in the chat, once established. */
	agent: { name: string | null; userId: string | null } | null;
}

export const PLATFORM_NAME: HandoffPlatform = 'salesforceLiveAgent';

export const DEFAULT_CLIENT_POLL_TIMEOUT = 40;

function integer(value: unknown): number | undefined {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	return typeof number === 'number' && Number.isInteger(number) ? number : undefined;
}

/**
 * Reads the `session` parameter (an object, or its JSON text) and checks it. The session key is
 * never echoed in an error.
 */
export function readSession(context: IExecuteFunctions, itemIndex: number): LiveAgentSession {
	const raw = context.getNodeParameter('session', itemIndex, null) as unknown;
	let value: unknown = raw;
	if (typeof raw === 'string') {
		try {
			value = raw.trim() === '' ? null : JSON.parse(raw);
		} catch {
			value = undefined;
		}
	}
	const fail = (problem: string) =>
		new NodeOperationError(context.getNode(), `"Session" ${problem}`, {
			itemIndex,
			description:
				'Pass the "session" object a Create Session, Start Chat, Send Message or Get Messages output carries, e.g. {{ $json.session }}.',
		});
	if (!value || typeof value !== 'object' || Array.isArray(value)) throw fail('is missing: it must be an object');
	const data = value as IDataObject;
	for (const field of ['id', 'key', 'affinityToken']) {
		if (typeof data[field] !== 'string' || data[field] === '') throw fail(`has no ${field}`);
	}
	const sequence = integer(data.sequence);
	if (sequence === undefined || sequence < 1) throw fail('has no valid sequence (a positive integer)');
	const ack = data.ack === undefined || data.ack === null ? -1 : integer(data.ack);
	if (ack === undefined || ack < -1) throw fail('has no valid ack (-1 or more)');
	const clientPollTimeout = integer(data.clientPollTimeout);
	const agent = data.agent && typeof data.agent === 'object' ? (data.agent as IDataObject) : null;
	return {
		...data,
		id: data.id as string,
		key: data.key as string,
		affinityToken: data.affinityToken as string,
		sequence,
		ack,
		clientPollTimeout: clientPollTimeout && clientPollTimeout > 0 ? clientPollTimeout : DEFAULT_CLIENT_POLL_TIMEOUT,
		established: data.established === true,
		chatEnded: data.chatEnded === true,
		agent: agent ? { name: idToString(agent.name), userId: idToString(agent.userId) } : null,
	};
}

/** The session after a POST: the next one takes the next sequence. */
export function afterPost(session: LiveAgentSession): LiveAgentSession {
	return { ...session, sequence: session.sequence + 1 };
}

/** One Messages entry decoded: the package's event shape plus Salesforce's message type. */
export interface LiveAgentEvent extends HandoffEvent {
	/** Salesforce's message type, e.g. ChatMessage, ChatEstablished. */
	type: string;
}

/**
 * What version 1 of the node emits: the same shape with names of its own (chatEstablished,
 * agentMessage…), outside the package's vocabulary, so it is no HandoffEvent; a message's text may be empty.
 */
export interface LegacyLiveAgentEvent extends Omit<LiveAgentEvent, 'event'> {
	event: string;
}

/** Salesforce's message types → the package's vocabulary (version 2); unknown types are updates. */
const EVENT_NAMES: Record<string, HandoffEventName> = {
	ChatRequestSuccess: 'conversationCreated',
	ChatRequestFail: 'conversationClosed',
	QueueUpdate: 'conversationUpdated',
	ChatEstablished: 'agentAssigned',
	ChatMessage: 'message',
	AgentTyping: 'conversationUpdated',
	AgentNotTyping: 'conversationUpdated',
	AgentDisconnect: 'conversationUpdated',
	ChatTransferred: 'conversationTransferred',
	ChatEnded: 'conversationClosed',
	CustomEvent: 'conversationUpdated',
	ChasitorIdleTimeoutWarningEvent: 'conversationUpdated',
	ChasitorSessionData: 'conversationUpdated',
};

/** The names version 1 emits; other types as their lower-camel-case name. */
const LEGACY_EVENT_NAMES: Record<string, string> = {
	ChatRequestSuccess: 'chatRequested',
	ChatRequestFail: 'chatRequestFailed',
	QueueUpdate: 'queueUpdated',
	ChatEstablished: 'chatEstablished',
	ChatMessage: 'agentMessage',
	AgentTyping: 'agentTyping',
	AgentNotTyping: 'agentNotTyping',
	AgentDisconnect: 'agentDisconnected',
	ChatTransferred: 'chatTransferred',
	ChatEnded: 'chatEnded',
	CustomEvent: 'customEvent',
	ChasitorIdleTimeoutWarningEvent: 'idleTimeoutWarning',
	ChasitorSessionData: 'sessionData',
};

/** The whole difference between the node's versions: version 1's event name and its raw message text. */
function legacyLiveAgentEvent(event: LiveAgentEvent, message: IDataObject): LegacyLiveAgentEvent {
	return {
		...event,
		event: ownValue(LEGACY_EVENT_NAMES, event.type) ?? lowerFirst(event.type),
		message: event.message ? { type: 'text', text: typeof message.text === 'string' ? message.text : '' } : null,
	};
}

const AGENT_TYPES = new Set(['ChatEstablished', 'ChatMessage', 'AgentTyping', 'AgentNotTyping', 'AgentDisconnect', 'ChatTransferred', 'CustomEvent']);

function lowerFirst(text: string): string {
	return text ? text[0].toLowerCase() + text.slice(1) : 'other';
}

export interface DecodedPoll {
	events: Array<LiveAgentEvent | LegacyLiveAgentEvent>;
	session: LiveAgentSession;
	agentMessages: string[];
	queuePosition?: number;
	estimatedWaitTime?: number;
	/** ChatRequestFail's reason, when the request failed. */
	requestFailed?: string;
	/** Why the chat ended when it did in this poll. */
	endReason?: string;
}

/**
 * Decodes a Messages answer in order and folds it into the session: who the agent is, whether the
 * chat is established or over. `session.ack` is left to the caller. `version` is the node's: 1 emits
 * its own event names (LegacyLiveAgentEvent), 2 the package's vocabulary.
 */
export function decodeMessages(entries: unknown[], session: LiveAgentSession, version = 2): DecodedPoll {
	let next: LiveAgentSession = { ...session };
	const result: DecodedPoll = { events: [], session: next, agentMessages: [] };
	for (const entry of entries) {
		if (!entry || typeof entry !== 'object') continue;
		const type = String((entry as IDataObject).type ?? '');
		const message = ((entry as IDataObject).message && typeof (entry as IDataObject).message === 'object'
			? (entry as IDataObject).message
			: {}) as IDataObject;
		switch (type) {
			case 'ChatRequestSuccess':
				if (typeof message.queuePosition === 'number') result.queuePosition = message.queuePosition;
				if (typeof message.estimatedWaitTime === 'number') result.estimatedWaitTime = message.estimatedWaitTime;
				break;
			case 'QueueUpdate':
				if (typeof message.position === 'number') result.queuePosition = message.position;
				if (typeof message.estimatedWaitTime === 'number') result.estimatedWaitTime = message.estimatedWaitTime;
				break;
			case 'ChatEstablished':
			case 'ChatTransferred':
				next = {
					...next,
					established: true,
					agent: { name: idToString(message.name), userId: idToString(message.userId) },
				};
				break;
			case 'ChatMessage':
				if (typeof message.text === 'string') result.agentMessages.push(message.text);
				break;
			case 'ChatRequestFail':
				result.requestFailed = String(message.reason ?? 'unknown');
				result.endReason = `request failed: ${result.requestFailed}`;
				next = { ...next, chatEnded: true };
				break;
			case 'ChatEnded':
				result.endReason = typeof message.reason === 'string' && message.reason ? message.reason : 'chat ended';
				next = { ...next, chatEnded: true };
				break;
		}
		const isAgent = AGENT_TYPES.has(type);
		const agentName = type === 'ChatMessage' && typeof message.name === 'string' ? message.name : next.agent?.name ?? null;
		const text = typeof message.text === 'string' ? message.text : '';
		const event: LiveAgentEvent = {
			type,
			event: ownValue(EVENT_NAMES, type) ?? 'conversationUpdated',
			platform: PLATFORM_NAME,
			conversationId: next.id,
			customerId: null,
			author: isAgent
				? { role: 'agent', id: idToString(message.agentId) ?? next.agent?.userId ?? null, name: agentName }
				: { role: 'system', id: null, name: null },
			message: type === 'ChatMessage' ? { type: 'text', text: text === '' ? standInText('text') : text } : null,
			// Live Agent's messages carry no time: this is when the poll received them.
			timestamp: new Date().toISOString(),
			raw: { type, message },
		};
		result.events.push(version >= 2 ? event : legacyLiveAgentEvent(event, message));
	}
	result.session = next;
	return result;
}

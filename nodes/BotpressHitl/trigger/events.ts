import type { IDataObject } from 'n8n-workflow';

import type { AuthorRole, HandoffEvent, HandoffMessage } from '../../shared';
import { idToString, standInText } from '../../shared';
import type { BotpressCall, HistoryEntry } from './delivery';
import { legacyMessage, normalizeMessage } from './messages';

// The events the trigger emits for Botpress's calls, and what version 1 of the trigger makes of them.

/** `remoteUserId` of messages the bot (not the user) wrote on the HITL channel. */
export const BOT_USER_ID = 'BOT';

/**
 * Botpress conversation IDs look like `conv_01J0Q…`. A bot builder who puts one in the ticket's
 * title or description lets the trigger map the close call back to the ticket.
 */
const BOTPRESS_CONVERSATION_ID = /\bconv_[0-9A-Za-z]{6,}\b/;

export function findBotpressConversationId(...texts: Array<string | null>): string | null {
	for (const text of texts) {
		const match = text ? BOTPRESS_CONVERSATION_ID.exec(text) : null;
		if (match) return match[0];
	}
	return null;
}

export type IdSource = 'generated' | 'workflow';

/** One entry of the bot history, in the item shape the LiveChat and Tiledesk triggers use for a transcript. */
export interface TranscriptEntry extends IDataObject {
	/** Botpress's history entries carry no id. */
	id: null;
	author: { role: AuthorRole; id: null; name: string | null };
	message: HandoffMessage;
	timestamp: string | null;
	/** Never written by n8n: the history is what the Botpress bot and user wrote. */
	own: false;
}

function transcriptEntry(entry: HistoryEntry): TranscriptEntry {
	return {
		id: null,
		author: { role: entry.role, id: null, name: entry.name },
		message: { type: 'text', text: entry.text.trim() === '' ? standInText('text') : entry.text },
		timestamp: entry.timestamp,
		own: false,
	};
}

function baseEvent(event: HandoffEvent['event'], body: IDataObject): Pick<HandoffEvent, 'event' | 'platform' | 'timestamp' | 'raw'> {
	return { event, platform: 'botpress', timestamp: new Date().toISOString(), raw: body };
}

export function userCreatedEvent(
	call: Extract<BotpressCall, { endpoint: 'createRemoteUser' }>,
	body: IDataObject,
	remoteUserId: string,
	idSource: IdSource,
): HandoffEvent {
	const name = idToString(call.user.name);
	return {
		...baseEvent('userCreated', body),
		// A user, no conversation yet.
		conversationId: null,
		customerId: remoteUserId,
		author: { role: 'customer', id: remoteUserId, name },
		message: null,
		remoteUserId,
		idSource,
		user: {
			name,
			email: idToString(call.user.email),
			pictureUrl: idToString(call.user.pictureUrl),
			role: idToString(call.user.role),
		},
	};
}

export function conversationCreatedEvent(
	call: Extract<BotpressCall, { endpoint: 'createRemoteConversation' }>,
	body: IDataObject,
	remoteConversationId: string,
	idSource: IdSource,
	botpressConversationId: string | null,
): HandoffEvent {
	return {
		...baseEvent('conversationCreated', body),
		conversationId: remoteConversationId,
		customerId: null,
		author: { role: 'bot', id: null, name: null },
		message: null,
		remoteConversationId,
		idSource,
		title: call.title,
		description: call.description,
		transcript: call.history.map(transcriptEntry),
		botpressConversationId,
	};
}

export function messageEvent(
	call: Extract<BotpressCall, { endpoint: 'botSendsMessage' }>,
	body: IDataObject,
): HandoffEvent {
	const fromBot = call.remoteUserId === BOT_USER_ID;
	return {
		...baseEvent('message', body),
		conversationId: call.remoteConversationId,
		customerId: fromBot ? null : call.remoteUserId,
		author: { role: fromBot ? 'bot' : 'customer', id: call.remoteUserId, name: null },
		message: normalizeMessage(call.payload),
		remoteConversationId: call.remoteConversationId,
		remoteUserId: call.remoteUserId,
	};
}

export function conversationClosedEvent(
	call: Extract<BotpressCall, { endpoint: 'closeRemoteTicket' }>,
	body: IDataObject,
	remoteConversationId: string | null,
): HandoffEvent {
	return {
		...baseEvent('conversationClosed', body),
		// null: the close named no ticket this trigger knows (mapped = false).
		conversationId: remoteConversationId,
		customerId: null,
		author: { role: 'system', id: null, name: null },
		message: null,
		remoteConversationId,
		botpressConversationId: call.botpressConversationId,
		mapped: remoteConversationId !== null,
	};
}

// ---------------------------------------------------------------- version 1

/** The event names version 1 of the trigger emits; `conversationStarted` is outside the package's vocabulary. */
export type LegacyBotpressEventName = 'userCreated' | 'conversationStarted' | 'message' | 'conversationClosed';

/** What version 1 of the trigger emits: the event shape from before the vocabulary was typed. */
export interface LegacyBotpressEvent extends IDataObject {
	event: LegacyBotpressEventName;
	platform: 'botpress';
	/** '' where version 2 has null. */
	conversationId: string;
	customerId: string | null;
	author: HandoffEvent['author'];
	/** `text` may be empty; a file's name is `name`. */
	message: HandoffMessage | null;
	timestamp: string;
	raw: IDataObject;
}

/**
 * The whole difference between the trigger's versions, in one place: version 1 says
 * `conversationStarted` with `history` (flat entries), '' for no conversation, and messages as
 * legacyMessage reads them.
 */
export function legacyEvent(event: HandoffEvent, call: BotpressCall): LegacyBotpressEvent {
	const legacy: IDataObject = { ...event, conversationId: event.conversationId ?? '' };
	if (call.endpoint === 'createRemoteConversation') {
		legacy.event = 'conversationStarted';
		delete legacy.transcript;
		delete legacy.botpressConversationId;
		// Same keys in the same order as before.
		legacy.history = call.history;
		legacy.botpressConversationId = event.botpressConversationId;
	}
	if (call.endpoint === 'botSendsMessage') legacy.message = legacyMessage(call.payload);
	return legacy as LegacyBotpressEvent;
}

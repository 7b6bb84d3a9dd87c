import type { IDataObject } from 'n8n-workflow';

import type { AuthorRole, HandoffEvent, HandoffMessage } from '../../shared';
import { idToString, isObject, numberOf, standInText, toIsoTimestamp } from '../../shared';

/** The five endpoints Botpress's HITL API integration calls (docs/platforms/botpress-hitl.md). */
export const ENDPOINTS = [
	'ping',
	'createRemoteUser',
	'createRemoteConversation',
	'botSendsMessage',
	'closeRemoteTicket',
] as const;

export type Endpoint = (typeof ENDPOINTS)[number];

/** `remoteUserId` of messages the bot (not the user) wrote on the HITL channel. */
export const BOT_USER_ID = 'BOT';

export interface HistoryEntry extends IDataObject {
	role: AuthorRole;
	name: string | null;
	type: 'text';
	text: string;
	timestamp: string | null;
}

export type BotpressCall =
	| { endpoint: 'ping' }
	| { endpoint: 'createRemoteUser'; user: IDataObject }
	| {
			endpoint: 'createRemoteConversation';
			title: string | null;
			description: string | null;
			history: HistoryEntry[];
			payload: IDataObject;
	  }
	| { endpoint: 'botSendsMessage'; remoteConversationId: string; remoteUserId: string; payload: IDataObject }
	| { endpoint: 'closeRemoteTicket'; botpressConversationId: string };

export type ParsedCall = { call: BotpressCall } | { error: string };

function nonEmptyString(value: unknown): value is string {
	return typeof value === 'string' && value.trim() !== '';
}

/** The endpoint a request path ends with (`/webhook/<webhookId>/ping` → `ping`), if it is one. */
export function endpointFromPath(path: unknown): Endpoint | undefined {
	if (typeof path !== 'string') return undefined;
	const last = path.split('?')[0].split('/').filter(Boolean).pop();
	return (ENDPOINTS as readonly string[]).includes(last ?? '') ? (last as Endpoint) : undefined;
}

const HISTORY_ROLES: Record<string, AuthorRole> = {
	user: 'customer',
	'end-user': 'customer',
	enduser: 'customer',
	end_user: 'customer',
	customer: 'customer',
	visitor: 'customer',
	bot: 'bot',
	assistant: 'bot',
	agent: 'agent',
	human: 'agent',
	operator: 'agent',
	system: 'system',
};

/** Botpress's `{text, author?, timestamp?}` → the package's history entry (role, name, text, ISO time). */
function historyEntry(message: IDataObject): HistoryEntry {
	const author = typeof message.author === 'string' ? message.author.trim() : '';
	const role = HISTORY_ROLES[author.toLowerCase()];
	const at = message.timestamp;
	return {
		role: role ?? 'customer',
		// An author that is not a role word is a person's name.
		name: role === undefined && author !== '' ? author : null,
		type: 'text',
		text: String(message.text),
		timestamp: at === undefined || at === null || at === '' ? null : toIsoTimestamp(at),
	};
}

/**
 * Checks the body against what Botpress sends on `endpoint`; anything else is a 400 with the first
 * problem found. `type` must match the path when present (Botpress always sends it).
 */
export function parseCall(endpoint: Endpoint, body: unknown): ParsedCall {
	if (!isObject(body)) return { error: 'body must be a JSON object' };
	if (body.type !== undefined && body.type !== endpoint) {
		// JSON.stringify, not String(): JSON such as {"toString": 1} makes String() throw.
		return { error: `body.type is ${JSON.stringify(body.type)} but the path is /${endpoint}` };
	}
	switch (endpoint) {
		case 'ping':
			return { call: { endpoint } };
		case 'createRemoteUser': {
			if (!isObject(body.payload)) return { error: 'body.payload must be an object' };
			for (const key of ['name', 'email', 'pictureUrl']) {
				const value = body.payload[key];
				if (value !== undefined && value !== null && typeof value !== 'string') {
					return { error: `body.payload.${key} must be a string` };
				}
			}
			return { call: { endpoint, user: body.payload } };
		}
		case 'createRemoteConversation': {
			const { payload } = body;
			if (!isObject(payload)) return { error: 'body.payload must be an object' };
			for (const key of ['title', 'description']) {
				if (payload[key] !== undefined && payload[key] !== null && typeof payload[key] !== 'string') {
					return { error: `body.payload.${key} must be a string` };
				}
			}
			const messages = payload.messages ?? [];
			if (!Array.isArray(messages)) return { error: 'body.payload.messages must be an array' };
			const history: HistoryEntry[] = [];
			for (const [index, message] of (messages as unknown[]).entries()) {
				if (!isObject(message) || typeof message.text !== 'string') {
					return { error: `body.payload.messages[${index}].text must be a string` };
				}
				history.push(historyEntry(message));
			}
			return {
				call: {
					endpoint,
					title: nonEmptyString(payload.title) ? payload.title : null,
					description: nonEmptyString(payload.description) ? payload.description : null,
					history,
					payload,
				},
			};
		}
		case 'botSendsMessage': {
			if (!nonEmptyString(body.remoteConversationId)) return { error: 'body.remoteConversationId must be a non-empty string' };
			if (!nonEmptyString(body.remoteUserId)) return { error: 'body.remoteUserId must be a non-empty string' };
			if (!isObject(body.payload)) return { error: 'body.payload must be an object' };
			return {
				call: {
					endpoint,
					remoteConversationId: body.remoteConversationId,
					remoteUserId: body.remoteUserId,
					payload: body.payload,
				},
			};
		}
		case 'closeRemoteTicket': {
			const payload = isObject(body.payload) ? body.payload : undefined;
			if (!payload || !nonEmptyString(payload.botpressConversationId)) {
				return { error: 'body.payload.botpressConversationId must be a non-empty string' };
			}
			return { call: { endpoint, botpressConversationId: payload.botpressConversationId } };
		}
	}
}

// ---------------------------------------------------------------- message payloads

function str(payload: IDataObject, key: string): string {
	const value = payload[key];
	return typeof value === 'string' ? value : '';
}

function isCard(value: unknown): value is IDataObject {
	return isObject(value) && (typeof value.title === 'string' || Array.isArray(value.actions));
}

/** A card as lines a human reads: title, subtitle, then one "- label" per button (with its link). */
function cardText(card: IDataObject): string {
	const lines = [str(card, 'title'), str(card, 'subtitle')].filter(Boolean);
	const actions = Array.isArray(card.actions) ? (card.actions as unknown[]).filter(isObject) : [];
	for (const action of actions) {
		const label = str(action, 'label') || str(action, 'value');
		if (!label) continue;
		const value = str(action, 'value');
		lines.push(action.action === 'url' && value && value !== label ? `- ${label} (${value})` : `- ${label}`);
	}
	return lines.join('\n');
}

function optionsText(payload: IDataObject): string {
	const options = Array.isArray(payload.options) ? (payload.options as unknown[]).filter(isObject) : [];
	const lines = [str(payload, 'text')].filter(Boolean);
	for (const option of options) {
		const label = str(option, 'label') || str(option, 'value');
		if (label) lines.push(`- ${label}`);
	}
	return lines.join('\n');
}

/**
 * A Botpress message payload → the message as version 1 of the trigger emits it. Botpress does not
 * send the message type, so it is read from the keys (`{text}`, `{imageUrl}`, `{audioUrl}`,
 * `{videoUrl}`, `{fileUrl, title}`, `{latitude, longitude}`, cards, carousels, choices, blocs);
 * `botpressType` keeps what was found. Audio and video are files in the package's shape; cards and
 * choices become readable text. The text may be empty here and a file's name is `name`.
 */
export function legacyMessage(payload: IDataObject): HandoffMessage {
	const declared = str(payload, 'type');
	const title = str(payload, 'title');

	if (Array.isArray(payload.items)) {
		const items = (payload.items as unknown[]).filter(isObject);
		const isBloc = declared === 'bloc' || items.some((item) => typeof item.type === 'string' && isObject(item.payload));
		if (isBloc) {
			const parts = items
				.filter((item) => isObject(item.payload))
				.map((item) => legacyMessage({ ...(item.payload as IDataObject), type: typeof item.type === 'string' ? item.type : '' }));
			const firstUrl = parts.find((part) => part.url)?.url;
			const message: HandoffMessage = {
				type: 'other',
				text: parts.map((part) => part.text).filter(Boolean).join('\n'),
				botpressType: 'bloc',
			};
			if (firstUrl) message.url = firstUrl;
			return message;
		}
		const cards = items.filter(isCard);
		const message: HandoffMessage = {
			type: 'other',
			text: cards.map(cardText).filter(Boolean).join('\n\n'),
			botpressType: 'carousel',
		};
		const imageUrl = cards.map((card) => str(card, 'imageUrl')).find(Boolean);
		if (imageUrl) message.url = imageUrl;
		return message;
	}
	if (Array.isArray(payload.options)) {
		return {
			type: 'other',
			text: optionsText(payload),
			botpressType: declared === 'dropdown' ? 'dropdown' : 'choice',
		};
	}
	if (Array.isArray(payload.actions) || (declared === 'card' && title)) {
		const message: HandoffMessage = { type: 'other', text: cardText(payload), botpressType: 'card' };
		if (str(payload, 'imageUrl')) message.url = str(payload, 'imageUrl');
		return message;
	}
	const latitude = payload.latitude;
	const longitude = payload.longitude;
	if (latitude !== undefined && longitude !== undefined && Number.isFinite(numberOf(latitude)) && Number.isFinite(numberOf(longitude))) {
		const address = str(payload, 'address');
		const message: HandoffMessage = {
			type: 'location',
			text: [title, address].filter(Boolean).join(', ') || `Location: ${numberOf(latitude)}, ${numberOf(longitude)}`,
			latitude: numberOf(latitude),
			longitude: numberOf(longitude),
			botpressType: 'location',
		};
		if (address) message.address = address;
		if (title) message.title = title;
		return message;
	}
	const media: Array<[key: string, kind: 'image' | 'audio' | 'video' | 'file']> = [
		['imageUrl', 'image'],
		['audioUrl', 'audio'],
		['videoUrl', 'video'],
		['fileUrl', 'file'],
	];
	for (const [key, kind] of media) {
		const url = str(payload, key);
		if (!url) continue;
		const message: HandoffMessage = {
			type: kind === 'image' ? 'image' : 'file',
			text: title || url,
			url,
			botpressType: kind,
		};
		if (title && kind !== 'image') message.name = title;
		return message;
	}
	if (typeof payload.markdown === 'string') {
		return { type: 'text', text: payload.markdown, botpressType: 'markdown' };
	}
	if (typeof payload.text === 'string') {
		return { type: 'text', text: payload.text, botpressType: 'text' };
	}
	return { type: 'other', text: '', botpressType: declared || 'unknown' };
}

/**
 * A Botpress message payload → the package's message (see legacyMessage for how it is read): the
 * file's name is `fileName` and the text is never empty (a stand-in such as "[message]").
 */
export function normalizeMessage(payload: IDataObject): HandoffMessage {
	const { name, ...message } = legacyMessage(payload);
	if (typeof name === 'string' && name !== '') message.fileName = name;
	if (message.text === '') message.text = standInText(message.type, message.fileName);
	return message;
}

// ---------------------------------------------------------------- events

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
		message: { type: 'text', text: entry.text === '' ? standInText('text') : entry.text },
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

import type { IDataObject } from 'n8n-workflow';

/** Who wrote a message, whatever the platform calls them. */
export type AuthorRole = 'customer' | 'agent' | 'bot' | 'system';

export type MessageType = 'text' | 'image' | 'file' | 'location' | 'other';

export interface HandoffMessage extends IDataObject {
	type: MessageType;
	/** Plain text of the message; for non-text messages a caption or a readable stand-in. */
	text: string;
	url?: string;
	/** Images and files: the file's name, when known. */
	fileName?: string;
	/**
	 * The same for every delivery of this message, retries included (set by the relaying triggers;
	 * not by Botpress, whose deliveries carry no id). Send operations store it with what they send.
	 */
	sourceKey?: string;
	/**
	 * True when this n8n cannot rule out that the message was relayed before: a retry of a relay that
	 * failed or was never answered, a delivery sent before the trigger's process started (a crash
	 * between the relay and the platform's answer), or a message read back after an outage. Send
	 * operations that can read the destination (Tiledesk, LiveChat) then skip it if it is there.
	 */
	maybeRelayed?: boolean;
}

/** The platforms whose triggers emit events (`platform`). */
export type HandoffPlatform =
	| 'landbot'
	| 'tiledesk'
	| 'livechat'
	| 'botpress'
	| 'salesforceLiveAgent'
	| 'salesforceEnhancedChat'
	| 'chatwoot'
	| 'crisp';

/**
 * One vocabulary of event names for every platform (`event`):
 * - `message`: someone wrote in the conversation;
 * - `conversationCreated`: a conversation (chat, request, ticket) was opened;
 * - `conversationUpdated`: its state changed (status, department, participants…);
 * - `conversationTransferred`: it was routed to another group, agent or queue;
 * - `agentAssigned`: a human agent took it;
 * - `conversationClosed`: it ended (closed, deactivated, ticket closed);
 * - `handoffInterrupted`: a conversation in a handoff has no agent any more;
 * - `userCreated`: the platform asked for a user of its own (Botpress HITL).
 */
export type HandoffEventName =
	| 'message'
	| 'conversationCreated'
	| 'conversationUpdated'
	| 'conversationTransferred'
	| 'agentAssigned'
	| 'conversationClosed'
	| 'handoffInterrupted'
	| 'userCreated';

export const HANDOFF_EVENT_NAMES: readonly HandoffEventName[] = [
	'message',
	'conversationCreated',
	'conversationUpdated',
	'conversationTransferred',
	'agentAssigned',
	'conversationClosed',
	'handoffInterrupted',
	'userCreated',
];

export const HANDOFF_PLATFORMS: readonly HandoffPlatform[] = [
	'landbot',
	'tiledesk',
	'livechat',
	'botpress',
	'salesforceLiveAgent',
	'salesforceEnhancedChat',
	'chatwoot',
	'crisp',
];

/**
 * The one item shape every trigger of this package emits, so relay flows read the same fields
 * whatever platform the event came from (README, "The event every trigger emits"). The rules:
 * - `conversationId` is the platform's conversation id, a non-empty string, or null when the event
 *   names no conversation (a Botpress user); never ''.
 * - `customerId` is the end user's id on that platform, or null when the platform does not say.
 * - `author` is who caused the event; `id` and `name` are null when the platform does not say.
 * - `message` is set for `message` events (null otherwise); its `text` is never empty: a caption, a
 *   file name or a stand-in such as "[image]" when the message has no words.
 * - `timestamp` is when the event happened by the platform's clock (ISO 8601), or when it was
 *   received where the platform sends no time.
 * - `raw` is the platform's payload. Platform extras sit beside these fields, one name per concept.
 */
export interface HandoffEvent extends IDataObject {
	event: HandoffEventName;
	platform: HandoffPlatform;
	conversationId: string | null;
	customerId: string | null;
	author: { role: AuthorRole; id: string | null; name: string | null };
	message: HandoffMessage | null;
	timestamp: string;
	raw: IDataObject;
}

/** A readable stand-in for a message without words, so `message.text` is never empty. */
export function standInText(type: MessageType, fileName?: string | null): string {
	if (fileName) return fileName;
	return `[${type === 'other' ? 'message' : type}]`;
}

/** The message with a readable text: its own, else its URL, file name or a stand-in. */
export function withReadableText<T extends HandoffMessage>(message: T): T {
	if (typeof message.text === 'string' && message.text.trim() !== '') return message;
	const text = message.url || standInText(message.type, message.fileName);
	return { ...message, text };
}

/**
 * Years 0000–9999: what ISO 8601's basic form holds. A Date reaches ±275760, which toISOString writes
 * as "+275760-…", a form consumers of the event do not expect (and beyond ±8.64e15 ms it throws).
 */
const MIN_ISO_MS = Date.parse('0000-01-01T00:00:00.000Z');
const MAX_ISO_MS = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * Unix seconds (float), milliseconds, or a date string → ISO 8601. Falls back to now, also for a
 * number no date can hold (1e308 is valid JSON, not a time).
 */
export function toIsoTimestamp(value: unknown): string {
	if (typeof value === 'number' && Number.isFinite(value)) {
		// Below 10^11 a number is seconds (that is the year 5138 in ms).
		const ms = Math.abs(value) < 1e11 ? value * 1000 : value;
		if (ms >= MIN_ISO_MS && ms <= MAX_ISO_MS) return new Date(ms).toISOString();
	} else if (typeof value === 'string' && value.trim() !== '') {
		const numeric = Number(value);
		if (Number.isFinite(numeric)) return toIsoTimestamp(numeric);
		const parsed = Date.parse(value);
		if (parsed >= MIN_ISO_MS && parsed <= MAX_ISO_MS) return new Date(parsed).toISOString();
	}
	return new Date().toISOString();
}

/** A number from JSON that someone else wrote: numbers and numeric text; NaN for anything else. */
export function numberOf(value: unknown): number {
	// Number() on JSON like {"valueOf": 1, "toString": 1} throws; only primitives are converted.
	if (typeof value === 'number') return value;
	return typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
}

/** Ids arrive as numbers or strings depending on the platform; events always carry strings. */
export function idToString(value: unknown): string | null {
	if (value === null || value === undefined || value === '') return null;
	if (typeof value === 'string') return value;
	if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
	if (typeof value === 'bigint') return String(value);
	// true/false is no id either (a platform never sends one: it is a broken field).
	// An object is no id; JSON like {"toString": 1} would make String() throw.
	return null;
}

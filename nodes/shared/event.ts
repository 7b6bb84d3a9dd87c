import type { IDataObject } from 'n8n-workflow';

/** Who wrote a message, whatever the platform calls them. */
export type AuthorRole = 'customer' | 'agent' | 'bot' | 'system';

export type MessageType = 'text' | 'image' | 'file' | 'location' | 'other';

export interface HandoffMessage extends IDataObject {
	type: MessageType;
	/** Plain text of the message; for non-text messages a caption or a readable stand-in. */
	text: string;
	url?: string;
}

/**
 * The one item shape every trigger of this package emits, so relay flows read the same fields
 * whatever platform the event came from (README, "The event every trigger emits").
 */
export interface HandoffEvent extends IDataObject {
	event: string;
	platform: string;
	conversationId: string;
	customerId: string | null;
	author: { role: AuthorRole; id: string | null; name: string | null };
	message: HandoffMessage | null;
	timestamp: string;
	raw: IDataObject;
}

/** The largest distance from 1970 a JavaScript Date can hold, in ms (beyond it toISOString throws). */
const MAX_DATE_MS = 8.64e15;

/**
 * Unix seconds (float), milliseconds, or a date string → ISO 8601. Falls back to now, also for a
 * number no date can hold (1e308 is valid JSON, not a time).
 */
export function toIsoTimestamp(value: unknown): string {
	if (typeof value === 'number' && Number.isFinite(value)) {
		// Below 10^11 a number is seconds (that is the year 5138 in ms).
		const ms = Math.abs(value) < 1e11 ? value * 1000 : value;
		if (Math.abs(ms) <= MAX_DATE_MS) return new Date(ms).toISOString();
	} else if (typeof value === 'string' && value.trim() !== '') {
		const numeric = Number(value);
		if (Number.isFinite(numeric)) return toIsoTimestamp(numeric);
		const parsed = Date.parse(value);
		if (!Number.isNaN(parsed)) return new Date(parsed).toISOString();
	}
	return new Date().toISOString();
}

/** Ids arrive as numbers or strings depending on the platform; events always carry strings. */
export function idToString(value: unknown): string | null {
	if (value === null || value === undefined || value === '') return null;
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
	// An object is no id; JSON like {"toString": 1} would make String() throw.
	return null;
}

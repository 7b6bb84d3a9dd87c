import type { IDataObject } from 'n8n-workflow';

/**
 * The one piece of state the Botpress HITL Trigger keeps: Botpress conversation ID → the remote
 * conversation ID the trigger answered, so that `/closeRemoteTicket` (which carries only Botpress's
 * own conversation ID) can name the ticket it closes.
 *
 * Botpress never sends its conversation ID before the close; an entry exists only when the bot
 * builder put it in the ticket's title or description. Kept in the node's static data (saved by n8n
 * after each webhook call, shared by every n8n process; concurrent writers are last-write-wins),
 * bounded in count and age, and removed when the ticket closes.
 */
export const TICKETS_KEY = 'tickets';

export interface TicketOptions {
	/** Open tickets remembered at most; the oldest are forgotten first. */
	max?: number;
	/** A ticket older than this is forgotten (a HITL session does not last for weeks). */
	ttlMs?: number;
	now?: number;
}

type TicketEntry = [botpressConversationId: string, remoteConversationId: string, at: number];

const DEFAULTS = { max: 1000, ttlMs: 30 * 24 * 60 * 60 * 1000 };

function liveEntries(store: IDataObject, ttlMs: number, now: number): TicketEntry[] {
	const stored = Array.isArray(store[TICKETS_KEY]) ? (store[TICKETS_KEY] as unknown as TicketEntry[]) : [];
	return stored.filter(
		(entry) =>
			Array.isArray(entry) &&
			typeof entry[0] === 'string' &&
			typeof entry[1] === 'string' &&
			typeof entry[2] === 'number' &&
			now - entry[2] <= ttlMs,
	);
}

/** Remembers (or replaces) the remote conversation of a Botpress conversation. */
export function rememberTicket(
	store: IDataObject,
	botpressConversationId: string,
	remoteConversationId: string,
	{ max = DEFAULTS.max, ttlMs = DEFAULTS.ttlMs, now = Date.now() }: TicketOptions = {},
): void {
	// An array, oldest first: object keys that look like integers would not keep insertion order.
	const entries = liveEntries(store, ttlMs, now).filter(([id]) => id !== botpressConversationId);
	entries.push([botpressConversationId, remoteConversationId, now]);
	store[TICKETS_KEY] = entries.slice(-max) as unknown as IDataObject[];
}

/** The remote conversation of a Botpress conversation, forgotten as it is returned; null if unknown. */
export function takeTicket(
	store: IDataObject,
	botpressConversationId: string,
	{ ttlMs = DEFAULTS.ttlMs, now = Date.now() }: TicketOptions = {},
): string | null {
	const entries = liveEntries(store, ttlMs, now);
	const found = entries.find(([id]) => id === botpressConversationId);
	store[TICKETS_KEY] = entries.filter(([id]) => id !== botpressConversationId) as unknown as IDataObject[];
	return found ? found[1] : null;
}

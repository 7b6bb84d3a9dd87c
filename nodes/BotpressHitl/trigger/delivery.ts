import type { IDataObject } from 'n8n-workflow';

import type { AuthorRole } from '../../shared';
import { isObject, ownValue, toIsoTimestamp } from '../../shared';

// The calls Botpress makes and how their bodies are checked. What their message payloads hold is
// read in messages.ts, the events built from the calls in events.ts; the trigger takes all of it
// from here.
export * from './messages';
export * from './events';

/** The five endpoints Botpress's HITL API integration calls (docs/platforms/botpress-hitl.md). */
export const ENDPOINTS = [
	'ping',
	'createRemoteUser',
	'createRemoteConversation',
	'botSendsMessage',
	'closeRemoteTicket',
] as const;

export type Endpoint = (typeof ENDPOINTS)[number];

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
	// ownValue: an author named "constructor" or "__proto__" is a name, not a role.
	const role = ownValue(HISTORY_ROLES, author.toLowerCase());
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

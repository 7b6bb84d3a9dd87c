import { createHash, randomUUID } from 'crypto';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { AccessToken } from './transport';

/**
 * What every call after Start Conversation needs, as it travels in the items (and in the bot
 * platform's fields between executions). The access token is a secret: keep it out of logs.
 */
export interface EnhancedConversation extends IDataObject {
	id: string;
	accessToken: string;
	subject: string;
	/** The last event id of this token's stream the relay knows (where a new stream starts). */
	lastEventId: string;
	expiresAt: string | null;
	/** What the relay needs on the other side (e.g. the bot's customer ID): the trigger's events carry it. */
	context?: IDataObject;
}

export const conversationField: INodeProperties = {
	displayName: 'Conversation',
	name: 'conversation',
	type: 'json',
	required: true,
	default: '={{ $json.conversation }}',
	description:
		'The "conversation" object Start Conversation output (ID, access token, subject). It holds the access token, a secret: keep it in the items or a bot field, do not log it.',
};

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function isConversationId(value: string): boolean {
	return UUID_V4.test(value);
}

/** Salesforce wants the client to choose ids, as lowercase UUID v4. */
export function newId(): string {
	return randomUUID();
}

/**
 * The same UUID v4 for the same key: a retried Start Conversation opens the same conversation, and a
 * relayed message keeps its id on every retry, so the relay can find it in the conversation.
 */
export function idFromKey(key: string): string {
	const hex = createHash('sha256').update(`n8n-handoff:${key}`).digest('hex');
	const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function conversationOf(id: string, token: AccessToken, context?: IDataObject): EnhancedConversation {
	return {
		id,
		accessToken: token.accessToken,
		subject: token.subject,
		lastEventId: token.lastEventId,
		expiresAt: token.expiresAt,
		...(context && Object.keys(context).length ? { context } : {}),
	};
}

/** The conversation parameter, an object or JSON text, checked enough to give a clear error. */
export function readConversation(context: IExecuteFunctions, itemIndex: number): EnhancedConversation {
	let raw = context.getNodeParameter('conversation', itemIndex, {}) as unknown;
	if (typeof raw === 'string') {
		try {
			raw = JSON.parse(raw);
		} catch {
			raw = undefined;
		}
	}
	const data = (raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as IDataObject;
	const id = typeof data.id === 'string' ? data.id.trim() : '';
	const accessToken = typeof data.accessToken === 'string' ? data.accessToken.trim() : '';
	if (!isConversationId(id) || !accessToken) {
		throw new NodeOperationError(
			context.getNode(),
			'"Conversation" must be the conversation object of Start Conversation: {id (a lowercase UUID), accessToken, …}',
			{ itemIndex, description: 'Usually {{ $json.conversation }}, or the bot field it was saved in.' },
		);
	}
	return {
		id,
		accessToken,
		subject: typeof data.subject === 'string' ? data.subject : '',
		lastEventId: data.lastEventId === undefined || data.lastEventId === null ? '' : String(data.lastEventId),
		expiresAt: typeof data.expiresAt === 'string' ? data.expiresAt : null,
		...(data.context && typeof data.context === 'object' && !Array.isArray(data.context) ? { context: data.context as IDataObject } : {}),
	};
}

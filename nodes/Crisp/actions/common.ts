import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { LocatorSpec } from '../../shared';
import { idLocator, isObject, locatorId, numberOf, textOf } from '../../shared';
import { fingerprintFor, ORIGIN_URN, rememberOwnMessage } from '../marker';
import { crispRequest, crispWebsiteId, dataOf, segment } from '../transport';

export { jsonArrayParameter, jsonObjectParameter } from '../../shared';

/** Crisp's conversation ids: `session_` and a UUID. */
const SESSION_ID = /^session_[0-9a-zA-Z-]+$/;

export const websiteIdField: INodeProperties = {
	displayName: 'Website ID',
	name: 'websiteId',
	type: 'string',
	default: '',
	placeholder: '8c842203-7ed8-4e29-a608-7cf78a7d2fcc',
	description: "Empty: the credential's. A plugin token serves every website that installed the plugin, e.g. a Crisp Trigger event's websiteId.",
};

export async function websiteIdOf(this: IExecuteFunctions, itemIndex: number): Promise<string> {
	return await crispWebsiteId(this, textOf(this.getNodeParameter('websiteId', itemIndex, '')), itemIndex);
}

export const sessionIdField: INodeProperties = {
	displayName: 'Session ID',
	name: 'sessionId',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'session_700c65e1-85e2-465a-b9ac-ecb5ec2c9881',
	description: "The conversation's session_id, e.g. conversationId of a Crisp Trigger event or of Get or Create",
};

export function checkedSessionId(this: IExecuteFunctions, value: string, label: string, itemIndex: number): string {
	if (value === '') throw new NodeOperationError(this.getNode(), `"${label}" is empty`, { itemIndex });
	if (!SESSION_ID.test(value)) {
		throw new NodeOperationError(this.getNode(), `"${label}" must be a Crisp session ID (session_…), got "${value}"`, { itemIndex });
	}
	return value;
}

export function sessionIdOf(this: IExecuteFunctions, itemIndex: number): string {
	return checkedSessionId.call(this, textOf(this.getNodeParameter('sessionId', itemIndex, '')).trim(), 'Session ID', itemIndex);
}

const UUID_PATTERN = { regex: '^[0-9a-fA-F-]{8,}$', errorMessage: 'A Crisp ID is a UUID' };

export function operatorLocator(spec: Partial<LocatorSpec> = {}): INodeProperties {
	return idLocator({ displayName: 'Operator', name: 'operatorId', searchListMethod: 'searchOperators', idPlaceholder: 'aa0b6a3c-8d6a-4b9c-9a5e-2c5e5b2b7f11', idPattern: UUID_PATTERN, required: true, ...spec });
}

export function inboxLocator(spec: Partial<LocatorSpec> = {}): INodeProperties {
	return idLocator({ displayName: 'Inbox', name: 'inboxId', searchListMethod: 'searchInboxes', idPlaceholder: '4d6f2c3e-5b1a-4f0e-8c7d-9e2a1b3c4d5e', idPattern: UUID_PATTERN, ...spec });
}

/** A resource locator's id, checked when `required`; the error names the parameter. */
export function locatorUuid(this: IExecuteFunctions, name: string, label: string, itemIndex: number, required: boolean): string {
	const value = locatorId.call(this, name, itemIndex).trim();
	if (value === '') {
		if (required) throw new NodeOperationError(this.getNode(), `"${label}" is empty`, { itemIndex });
		return '';
	}
	if (!new RegExp(UUID_PATTERN.regex).test(value)) {
		throw new NodeOperationError(this.getNode(), `"${label}" must be a Crisp ID (a UUID), got "${value}"`, { itemIndex });
	}
	return value;
}

/** Who a message is written as: the customer (`from: user`), an operator or bot (`from: operator`), or a private note. */
export type SendAs = 'customer' | 'operator' | 'note';

export const SEND_AS_OPTIONS = [
	{ name: 'Customer', value: 'customer', description: 'The visitor of the conversation (from: user), e.g. to mirror what they wrote to the bot' },
	{ name: 'Operator or Bot', value: 'operator', description: 'From an operator (from: operator); the customer sees it' },
	{ name: 'Private Note', value: 'note', description: 'Seen by operators only (type: note)' },
];

/** What Crisp's message body carries: a text, or a file by URL (`{name, url, type}`; files are URLs you host). */
export type MessageContent = string | { name: string; url: string; type: string };

export interface OutgoingMessage {
	content: MessageContent;
	as: SendAs;
	/** The trigger event's source key of a relayed message: it decides the fingerprint. */
	sourceKey?: string;
	/** Shown as the sender (operator messages). */
	nickname?: string;
}

/**
 * `POST …/conversation/{sid}/message`. Every message carries our origin URN and a fingerprint of
 * ours (marker.ts), remembered here so the trigger drops its echo.
 */
export async function postMessage(this: IExecuteFunctions, websiteId: string, sessionId: string, message: OutgoingMessage, itemIndex: number): Promise<IDataObject> {
	const fingerprint = fingerprintFor(websiteId, sessionId, message.sourceKey);
	const isFile = typeof message.content !== 'string';
	const body: IDataObject = {
		type: message.as === 'note' ? 'note' : isFile ? 'file' : 'text',
		from: message.as === 'customer' ? 'user' : 'operator',
		origin: ORIGIN_URN,
		content: typeof message.content === 'string' ? message.content : { ...message.content },
		fingerprint,
	};
	if (message.nickname && message.as !== 'customer') body.user = { nickname: message.nickname };
	rememberOwnMessage(websiteId, fingerprint);
	const response = await crispRequest.call(this, {
		call: 'send message',
		method: 'POST',
		path: `conversation/${segment(sessionId)}/message`,
		websiteId,
		body,
		itemIndex,
		acceptStatuses: message.sourceKey ? [409] : undefined,
	});
	// UNCONFIRMED (marker.ts): a fingerprint already used refused as a conflict. Ours for a relayed
	// event is derived from its source key: the conflict says that message is there already.
	if (response.statusCode === 409) return { fingerprint, alreadySent: true };
	const answer = dataOf(response.body);
	const data = isObject(answer) ? answer : {};
	// UNCONFIRMED answer (marker.ts): should Crisp name another fingerprint, that one is the message's.
	const answered = numberOf(data.fingerprint);
	if (Number.isSafeInteger(answered) && answered !== fingerprint) rememberOwnMessage(websiteId, answered);
	return { ...data, fingerprint: Number.isSafeInteger(answered) ? answered : fingerprint };
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { DownloadedFile, LocatorSpec, MultipartPart } from '../../shared';
import { idLocator, isObject, locatorId, multipartBody, platformApiError, textOf } from '../../shared';
import { markerAttributes, RELAYED_ATTRIBUTE, rememberOwnMessage } from '../marker';
import { chatwootAccount, chatwootApi, chatwootErrorText, chatwootRequest, payloadOf, segment } from '../transport';

export { mergeCustomAttributes } from '../transport';

export { jsonArrayParameter, jsonObjectParameter } from '../../shared';

/** Chatwoot ids are integers; a path or body never carries anything else. */
const INTEGER_ID = /^\d+$/;

/** A required id parameter (string or number), checked; the error names the parameter. */
export function idParameter(this: IExecuteFunctions, name: string, label: string, itemIndex: number): string {
	const value = textOf(this.getNodeParameter(name, itemIndex, '')).trim();
	return checkedId.call(this, value, label, itemIndex);
}

export function checkedId(this: IExecuteFunctions, value: string, label: string, itemIndex: number): string {
	if (value === '') throw new NodeOperationError(this.getNode(), `"${label}" is empty`, { itemIndex });
	if (!INTEGER_ID.test(value)) {
		throw new NodeOperationError(this.getNode(), `"${label}" must be a Chatwoot ID (a whole number), got "${value}"`, { itemIndex });
	}
	return value;
}

/** A resource locator's id, '' when none is chosen; a chosen one is checked. */
export function optionalLocatorId(this: IExecuteFunctions, name: string, label: string, itemIndex: number): string {
	const value = locatorId.call(this, name, itemIndex);
	return value === '' ? '' : checkedId.call(this, value, label, itemIndex);
}

export function requiredLocatorId(this: IExecuteFunctions, name: string, label: string, itemIndex: number): string {
	return checkedId.call(this, locatorId.call(this, name, itemIndex), label, itemIndex);
}

const ID_PATTERN = { regex: '^\\d+$', errorMessage: 'A Chatwoot ID is a whole number' };

export function inboxLocator(spec: Partial<LocatorSpec> = {}): INodeProperties {
	return idLocator({ displayName: 'Inbox', name: 'inboxId', searchListMethod: 'searchInboxes', idPlaceholder: '3', idPattern: ID_PATTERN, required: true, ...spec });
}

export function teamLocator(spec: Partial<LocatorSpec> = {}): INodeProperties {
	return idLocator({ displayName: 'Team', name: 'teamId', searchListMethod: 'searchTeams', idPlaceholder: '2', idPattern: ID_PATTERN, ...spec });
}

export function agentLocator(spec: Partial<LocatorSpec> = {}): INodeProperties {
	return idLocator({ displayName: 'Agent', name: 'agentId', searchListMethod: 'searchAgents', idPlaceholder: '7', idPattern: ID_PATTERN, ...spec });
}

export const conversationIdField: INodeProperties = {
	displayName: 'Conversation ID',
	name: 'conversationId',
	type: 'string',
	required: true,
	default: '',
	placeholder: '42',
	description: 'The number Chatwoot shows for the conversation (its display ID), e.g. conversationId of a Chatwoot Trigger event',
};

export function conversationIdOf(this: IExecuteFunctions, itemIndex: number): string {
	return idParameter.call(this, 'conversationId', 'Conversation ID', itemIndex);
}

/** `POST …/toggle_status`: Chatwoot answers `{payload: {success, current_status}}`. */
export async function setStatus(this: IExecuteFunctions, conversationId: string, status: string, itemIndex: number): Promise<IDataObject> {
	const body = await chatwootApi.call(this, {
		call: `set the conversation ${status}`,
		method: 'POST',
		path: `conversations/${segment(conversationId)}/toggle_status`,
		body: { status },
		itemIndex,
	});
	return payloadOf(body);
}

/** `POST …/assignments`: `{assignee_id}` (null unassigns) or `{team_id}`. */
export async function assign(this: IExecuteFunctions, conversationId: string, body: IDataObject, itemIndex: number): Promise<IDataObject | null> {
	const response = await chatwootRequest.call(this, {
		call: 'team_id' in body ? 'assign a team' : body.assignee_id === null ? 'unassign the agent' : 'assign an agent',
		method: 'POST',
		path: `conversations/${segment(conversationId)}/assignments`,
		body,
		itemIndex,
	});
	return isObject(response.body) ? response.body : null;
}

/** Who a message is written as: the customer (incoming), the token's user or bot (outgoing), or a private note. */
export type SendAs = 'customer' | 'agent' | 'note';

export const SEND_AS_OPTIONS = [
	{
		name: 'Customer (Incoming)',
		value: 'customer',
		description: "The conversation's contact, e.g. to mirror what they wrote to the bot. API-channel inboxes only: Chatwoot refuses it in website, email or other inboxes.",
	},
	{
		name: 'Agent or Bot (Outgoing)',
		value: 'agent',
		description: "The credential's user or agent bot; the customer sees it",
	},
	{ name: 'Private Note', value: 'note', description: 'Seen by agents only' },
];

export interface OutgoingMessage {
	content: string;
	as: SendAs;
	file?: DownloadedFile;
	/** The trigger event's source key of a relayed message. */
	sourceKey?: string;
}

function isIncomingRefusal(text: string): boolean {
	return /incoming/i.test(text) && /api/i.test(text);
}

/**
 * `POST …/conversations/{id}/messages`, as JSON or, with a file, as multipart `attachments[]`. Every
 * message carries the echo marker, and its id is remembered (marker.ts). `sendAsLabel` is the
 * parameter named when Chatwoot refuses an incoming message outside an API inbox.
 */
export async function postMessage(
	this: IExecuteFunctions,
	conversationId: string,
	message: OutgoingMessage,
	itemIndex: number,
	sendAsLabel = 'Send As',
): Promise<IDataObject> {
	const fields: IDataObject = {
		content: message.content,
		message_type: message.as === 'customer' ? 'incoming' : 'outgoing',
		private: message.as === 'note',
		content_attributes: markerAttributes(message.sourceKey),
	};
	const path = `conversations/${segment(conversationId)}/messages`;
	let body: IDataObject = fields;
	let headers: IDataObject | undefined;
	if (message.file) {
		// Multipart carries text: content_attributes as JSON text, which Chatwoot parses (UNCONFIRMED, marker.ts).
		const parts: MultipartPart[] = Object.entries(fields)
			.filter(([name, value]) => !(name === 'content' && value === ''))
			.map(([name, value]) => ({ name, data: typeof value === 'object' ? JSON.stringify(value) : String(value) }));
		parts.push({ name: 'attachments[]', data: message.file.data, fileName: message.file.fileName, contentType: message.file.contentType });
		const multipart = multipartBody(parts);
		body = multipart.body as unknown as IDataObject;
		headers = { 'Content-Type': multipart.contentType };
	}
	const response = await chatwootRequest.call(this, {
		call: 'send message',
		method: 'POST',
		path,
		body,
		headers,
		itemIndex,
		acceptStatuses: message.as === 'customer' ? [400, 403, 422] : undefined,
	});
	if (response.statusCode >= 400) {
		const text = chatwootErrorText(response.body);
		if (isIncomingRefusal(text)) {
			throw new NodeOperationError(this.getNode(), `Chatwoot takes messages written as the customer only in API-channel inboxes: "${sendAsLabel}" is Customer, and conversation ${conversationId} is in another kind of inbox`, {
				itemIndex,
				description: `Chatwoot said: ${text}. Send it as Agent or Bot, or as a Private Note, or hand the conversation over in an API-channel inbox.`,
			});
		}
		throw platformApiError(this.getNode(), { platform: 'Chatwoot', call: 'send message', method: 'POST', path: `/${path}`, status: response.statusCode, platformMessage: text, body: response.body, itemIndex });
	}
	const sent = isObject(response.body) ? response.body : {};
	const account = await chatwootAccount(this);
	rememberOwnMessage(account.baseUrl, account.accountId, sent.id);
	return sent;
}

/** The custom attributes a conversation this package opens starts with: nothing relayed back yet. */
export function openingAttributes(custom: IDataObject): IDataObject {
	return { ...custom, [RELAYED_ATTRIBUTE]: '' };
}

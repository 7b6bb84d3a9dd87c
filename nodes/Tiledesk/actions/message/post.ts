import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ApiResponse } from '../../../shared';
import { isObject, platformApiError } from '../../../shared';
import type { EndUser } from '../../transport';
import { registerEndUser, segment, tiledeskErrorText, tiledeskRequest } from '../../transport';
import { SOURCE_ATTRIBUTE } from '../../marker';
import { botParticipantId } from '../common';

/**
 * Fields Tiledesk reads from the message that opens a conversation (and ignores afterwards).
 * `customerId`/`customerName` are this node's: the end user who opens it when the message
 * itself comes from a bot or from the credential's user.
 */
export const newConversationField: INodeProperties = {
	displayName: 'New Conversation',
	name: 'newConversation',
	type: 'collection',
	placeholder: 'Add Field',
	default: {},
	description: 'Used when this message opens the conversation; Tiledesk ignores them afterwards',
	options: [
		{
			displayName: 'Agent Names or IDs',
			name: 'agentIds',
			type: 'multiOptions',
			typeOptions: { loadOptionsMethod: 'getAgents' },
			default: [],
			description:
				'Participants to start with, instead of Tiledesk\'s routing. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		},
		{
			displayName: 'Bot IDs',
			name: 'botIds',
			type: 'string',
			default: '',
			placeholder: '65c5f4a89faf2d04cd7da5b1',
			description: 'Comma-separated Tiledesk bot IDs to add as participants (sent as bot_&lt;ID&gt;)',
		},
		{
			displayName: 'Customer Full Name',
			name: 'customerName',
			type: 'string',
			default: '',
		},
		{
			displayName: 'Customer ID',
			name: 'customerId',
			type: 'string',
			default: '',
			description:
				'When the message is sent as a bot or as the credential\'s user and the conversation does not exist yet, it is first opened by this end user with a hidden info line, so the end user is the conversation\'s requester',
		},
		{
			displayName: 'Department Name or ID',
			name: 'departmentId',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getDepartments' },
			default: '',
			description:
				'Department that routes the conversation (default department when empty). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		},
		{
			displayName: 'Priority',
			name: 'priority',
			type: 'options',
			options: [
				{ name: 'Low', value: 'low' },
				{ name: 'Medium', value: 'medium' },
				{ name: 'High', value: 'high' },
				{ name: 'Urgent', value: 'urgent' },
			],
			default: 'medium',
		},
		{
			displayName: 'Source Page',
			name: 'sourcePage',
			type: 'string',
			default: '',
			description: 'URL of the page the conversation started on',
		},
		{
			displayName: 'Subject',
			name: 'subject',
			type: 'string',
			default: '',
		},
	],
};

export interface NewConversation {
	fields: IDataObject;
	opener: EndUser | null;
}

export function readNewConversation(this: IExecuteFunctions, itemIndex: number): NewConversation {
	const raw = this.getNodeParameter('newConversation', itemIndex, {}) as IDataObject;
	const fields: IDataObject = {};
	const participants = [
		...((raw.agentIds as string[] | undefined) ?? []).map((id) => String(id).trim()),
		...String(raw.botIds ?? '')
			.split(',')
			.filter((id) => id.trim() !== '')
			.map(botParticipantId),
	].filter((id) => id !== '');
	if (participants.length > 0) fields.participants = participants;
	if (raw.departmentId) fields.departmentid = String(raw.departmentId);
	if (raw.subject) fields.subject = String(raw.subject);
	if (raw.priority) fields.priority = String(raw.priority);
	if (raw.sourcePage) fields.sourcePage = String(raw.sourcePage);
	const customerId = String(raw.customerId ?? '').trim();
	const opener = customerId ? { id: customerId, name: String(raw.customerName ?? '').trim() } : null;
	return { fields, opener };
}

function isUnknownSender(response: ApiResponse): boolean {
	return response.statusCode === 403 && /project_user not found/i.test(tiledeskErrorText(response.body));
}

async function send(
	this: IExecuteFunctions,
	requestId: string,
	body: IDataObject,
	itemIndex: number,
	acceptUnknownSender: boolean,
): Promise<ApiResponse> {
	const path = `requests/${segment(requestId)}/messages`;
	const response = await tiledeskRequest.call(this, {
		call: 'send message',
		method: 'POST',
		path,
		body,
		itemIndex,
		acceptStatuses: acceptUnknownSender ? [403] : undefined,
	});
	if (response.statusCode === 403 && !isUnknownSender(response)) {
		// Accepted only to look at it: any other refusal is the user's to see.
		throw platformApiError(this.getNode(), {
			platform: 'Tiledesk',
			call: 'send message',
			method: 'POST',
			path: `/${path}`,
			status: 403,
			platformMessage: tiledeskErrorText(response.body),
			body: response.body,
			itemIndex,
		});
	}
	return response;
}

/** Posts a message; a refusal (unknown sender of a new conversation included) is an error. */
export async function postMessage(
	this: IExecuteFunctions,
	requestId: string,
	body: IDataObject,
	itemIndex: number,
): Promise<IDataObject> {
	const response = await send.call(this, requestId, body, itemIndex, true);
	if (isUnknownSender(response)) {
		throw new NodeOperationError(
			this.getNode(),
			`Conversation "${requestId}" does not exist yet, and Tiledesk opens a conversation only with a message from a user it knows`,
			{
				itemIndex,
				description:
					'Send the first message as the end user, or set "Customer ID" under "New Conversation" so the node opens the conversation as the end user first.',
			},
		);
	}
	return (response.body ?? {}) as IDataObject;
}

/**
 * Posts a message written by `user`. When Tiledesk refuses it because the conversation is new and
 * it does not know the user, registers the user (needs the project's shared secret) and posts again.
 * The refusal created nothing, so the second post is not a duplicate.
 */
export async function postAsEndUser(
	this: IExecuteFunctions,
	requestId: string,
	body: IDataObject,
	user: EndUser,
	itemIndex: number,
): Promise<IDataObject> {
	const first = await send.call(this, requestId, body, itemIndex, true);
	if (!isUnknownSender(first)) return (first.body ?? {}) as IDataObject;
	if (!(await registerEndUser.call(this, user, itemIndex))) {
		throw new NodeOperationError(
			this.getNode(),
			`Tiledesk does not know the end user "${user.id}" yet and opens conversation "${requestId}" only with a message from a user it knows`,
			{
				itemIndex,
				description:
					'Add the project\'s shared secret to the Tiledesk credential (Dashboard → Project Settings → Visitor Authentication): the node then registers new end users itself.',
			},
		);
	}
	const second = await send.call(this, requestId, body, itemIndex, false);
	return (second.body ?? {}) as IDataObject;
}

/**
 * The message of this conversation relayed from `sourceKey`, if there is one: a message the trigger
 * flagged `maybeRelayed` (a retry after a failure or a crash) may be there already.
 */
export async function alreadySent(
	this: IExecuteFunctions,
	requestId: string,
	sourceKey: string,
	itemIndex: number,
): Promise<IDataObject | undefined> {
	const response = await tiledeskRequest.call(this, {
		call: 'look for a message relayed before',
		method: 'GET',
		path: `requests/${segment(requestId)}/messages`,
		itemIndex,
		acceptStatuses: [404],
	});
	if (response.statusCode === 404 || !Array.isArray(response.body)) return undefined;
	return (response.body as unknown[])
		.filter(isObject)
		.find((message) => isObject(message.attributes) && message.attributes[SOURCE_ATTRIBUTE] === sourceKey);
}

export async function conversationExists(
	this: IExecuteFunctions,
	requestId: string,
	itemIndex: number,
): Promise<boolean> {
	const response = await tiledeskRequest.call(this, {
		call: 'get conversation',
		method: 'GET',
		path: `requests/${segment(requestId)}`,
		itemIndex,
		acceptStatuses: [404],
	});
	return response.statusCode !== 404;
}

/**
 * Opens a conversation as `opener` with a hidden info line when it does not exist yet, so that
 * the end user is its requester (Tiledesk makes the first sender the requester).
 * Returns true when it opened the conversation.
 */
export async function openConversationIfNew(
	this: IExecuteFunctions,
	requestId: string,
	opener: EndUser,
	openingBody: IDataObject,
	itemIndex: number,
): Promise<boolean> {
	if (await conversationExists.call(this, requestId, itemIndex)) return false;
	await postAsEndUser.call(this, requestId, openingBody, opener, itemIndex);
	return true;
}

/** The hidden first line an end user opens a conversation with, carrying the new-conversation fields. */
export function openingLine(opener: EndUser, attributes: IDataObject, fields: IDataObject): IDataObject {
	const body: IDataObject = {
		type: 'text',
		text: String(fields.subject || `Conversation with ${opener.name || opener.id}`),
		sender: opener.id,
		attributes: { ...attributes, subtype: 'info' },
		...fields,
	};
	if (opener.name) body.senderFullname = opener.name;
	return body;
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { versionedId } from '../../shared';

import { PROPERTY_EXTERNAL_ID } from '../marker';
import { liveChatApi, liveChatConfig } from '../transport';

export const chatFields: INodeProperties[] = [
	{
		displayName: 'Chat',
		name: 'chatBy',
		type: 'options',
		options: [
			{
				name: 'By ID',
				value: 'chatId',
				description: 'A LiveChat chat ID, e.g. conversationId of a LiveChat Trigger event',
			},
			{
				name: 'By External ID',
				value: 'externalId',
				description:
					'The newest chat that carries this ID of the other system (set by "Start"); no mapping table needed',
			},
		],
		default: 'chatId',
	},
	{
		displayName: 'Chat ID',
		name: 'chatId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'PJ0MRSHTDG',
		displayOptions: { show: { chatBy: ['chatId'] } },
	},
	{
		displayName: 'External ID',
		name: 'externalId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '473548616',
		displayOptions: { show: { chatBy: ['externalId'] } },
		description:
			'The other system\'s conversation ID given to "Start". The chat is found through its chat property (list_chats), active chats first.',
	},
];

export interface ResolvedChat {
	chatId: string;
	/** Set when the chat was found by external id. */
	externalId: string | null;
}

function stringParameter(context: IExecuteFunctions, name: string, itemIndex: number): string {
	const raw = context.getNodeParameter(name, itemIndex, '') as unknown;
	return typeof raw === 'number' ? String(raw) : String(raw ?? '').trim();
}

/** `{<namespace>: {<name>: {values: [value]}}}`, the list_chats property filter. */
export function propertyFilter(namespace: string, name: string, value: string): IDataObject {
	return { [namespace]: { [name]: { values: [value] } } };
}

/** The chat summaries of list_chats whose property `name` equals `value`, newest first. */
export async function findChatsByProperty(
	this: IExecuteFunctions,
	name: string,
	value: string,
	itemIndex: number,
	active?: boolean,
): Promise<IDataObject[]> {
	const { clientId } = await liveChatConfig(this);
	const filters: IDataObject = { properties: propertyFilter(clientId, name, value) };
	if (active !== undefined) filters.active = active;
	const body = await liveChatApi.call(this, {
		api: 'agent',
		action: 'list_chats',
		call: 'find chat',
		body: { filters, limit: 10, sort_order: 'desc' },
		itemIndex,
	});
	return Array.isArray(body.chats_summary) ? (body.chats_summary as IDataObject[]) : [];
}

export async function resolveChat(this: IExecuteFunctions, itemIndex: number): Promise<ResolvedChat> {
	const by = this.getNodeParameter('chatBy', itemIndex, 'chatId') as string;
	if (by === 'externalId') {
		const externalId = stringParameter(this, 'externalId', itemIndex);
		if (externalId === '') {
			throw new NodeOperationError(this.getNode(), '"External ID" is empty', {
				itemIndex,
				description: 'Set it to the other system\'s conversation ID given to "Start".',
			});
		}
		let chats = await findChatsByProperty.call(this, PROPERTY_EXTERNAL_ID, externalId, itemIndex, true);
		if (chats.length === 0) chats = await findChatsByProperty.call(this, PROPERTY_EXTERNAL_ID, externalId, itemIndex);
		const chatId = chats.find((chat) => typeof chat.id === 'string')?.id;
		if (typeof chatId !== 'string') {
			throw new NodeOperationError(this.getNode(), `No LiveChat chat carries the external ID "${externalId}"`, {
				itemIndex,
				description: 'Start the chat first with "Start" and this External ID.',
			});
		}
		return { chatId, externalId };
	}
	const chatId = stringParameter(this, 'chatId', itemIndex);
	if (chatId === '') {
		throw new NodeOperationError(this.getNode(), '"Chat ID" is empty', {
			itemIndex,
			description: 'Set it, e.g. with {{ $json.conversationId }} from a LiveChat Trigger.',
		});
	}
	return { chatId, externalId: null };
}

/** Group IDs are integers (0 is the "General" group, so never test them for truthiness). */
export function groupIdValue(this: IExecuteFunctions, value: unknown, label: string, itemIndex: number): number {
	const text = String(value ?? '').trim();
	const id = Number(text);
	if (text === '' || !Number.isInteger(id) || id < 0) {
		throw new NodeOperationError(this.getNode(), `"${label}" must be a LiveChat group ID (an integer), got "${text}"`, {
			itemIndex,
		});
	}
	return id;
}

/** The customer among a chat's (or chat summary's) users. */
export function chatCustomerId(chat: IDataObject): string | null {
	const users = Array.isArray(chat.users) ? (chat.users as IDataObject[]) : [];
	const customer = users.find((user) => user && user.type === 'customer' && typeof user.id === 'string');
	return customer ? String(customer.id) : null;
}

const groupDropdown: INodeProperties = {
	displayName: 'Group Name or ID',
	name: 'groupId',
	type: 'options',
	typeOptions: { loadOptionsMethod: 'getGroups' },
	required: true,
	default: '',
	description:
		'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
};

/** The group to route to: a dropdown in version 1, a resource locator from 1.1 on. */
export function groupFields(overrides: Partial<INodeProperties> = {}): INodeProperties[] {
	return versionedId(
		{ ...groupDropdown, ...overrides },
		{
			displayName: 'Group',
			searchListMethod: 'searchGroups',
			idPlaceholder: '0',
			idPattern: { regex: '^\\d+$', errorMessage: 'A LiveChat group ID is an integer (0 is General)' },
			description: overrides.description === undefined ? undefined : String(overrides.description).replace(/ Choose from the list.*$/, ''),
		},
	);
}

export { jsonArrayParameter, jsonObjectParameter, requireHttpUrl } from '../../shared';

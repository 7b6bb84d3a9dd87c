import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { chosenLimit, returnAllOrLimit } from '../../../shared';
import { PROPERTY_CUSTOMER_EXTERNAL_ID, PROPERTY_EXTERNAL_ID } from '../../marker';
import { liveChatApi, liveChatConfig } from '../../transport';

const properties: INodeProperties[] = [
	...returnAllOrLimit,
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'External Customer ID',
				name: 'customerExternalId',
				type: 'string',
				default: '',
				description: 'Chats started for this customer of the other system',
			},
			{
				displayName: 'External ID',
				name: 'externalId',
				type: 'string',
				default: '',
				description: 'Chats that carry this conversation ID of the other system',
			},
			{
				displayName: 'Group Names or IDs',
				name: 'groupIds',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'getGroups' },
				default: [],
				description:
					'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			},
			{
				displayName: 'State',
				name: 'active',
				type: 'options',
				options: [
					{ name: 'Active or Inactive', value: 'any' },
					{ name: 'Active', value: 'active' },
					{ name: 'Inactive', value: 'inactive' },
				],
				default: 'any',
			},
		],
	},
	{
		displayName: 'Sort',
		name: 'sortOrder',
		type: 'options',
		options: [
			{ name: 'Newest First', value: 'desc' },
			{ name: 'Oldest First', value: 'asc' },
		],
		default: 'desc',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['chat'], operation: ['getMany'] } }, properties);

/** list_chats pages with page_id (at most 100 a page); later pages take the page_id alone. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const limit = chosenLimit(this, itemIndex);
	const raw = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const filters: IDataObject = {};
	if (raw.active === 'active') filters.active = true;
	if (raw.active === 'inactive') filters.active = false;
	const groupIds = ((raw.groupIds as Array<string | number> | undefined) ?? [])
		.map((id) => Number(id))
		.filter((id) => Number.isInteger(id) && id >= 0);
	if (groupIds.length > 0) filters.group_ids = groupIds;
	const propertyFilters: IDataObject = {};
	for (const [field, property] of [
		['externalId', PROPERTY_EXTERNAL_ID],
		['customerExternalId', PROPERTY_CUSTOMER_EXTERNAL_ID],
	]) {
		const value = String(raw[field] ?? '').trim();
		if (value) propertyFilters[property] = { values: [value] };
	}
	if (Object.keys(propertyFilters).length > 0) {
		filters.properties = { [(await liveChatConfig(this)).clientId]: propertyFilters };
	}

	const pageSize = Math.min(100, limit ?? 100);
	const results: IDataObject[] = [];
	let body: IDataObject = {
		filters,
		limit: pageSize,
		sort_order: this.getNodeParameter('sortOrder', itemIndex, 'desc') as string,
	};
	for (;;) {
		const page = await liveChatApi.call(this, { api: 'agent', action: 'list_chats', call: 'get many chats', body, itemIndex });
		const chats = Array.isArray(page.chats_summary) ? (page.chats_summary as IDataObject[]) : [];
		results.push(...chats);
		const next = typeof page.next_page_id === 'string' && page.next_page_id ? page.next_page_id : undefined;
		if (!next || chats.length === 0 || (limit !== undefined && results.length >= limit)) {
			return limit === undefined ? results : results.slice(0, limit);
		}
		body = { page_id: next };
	}
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { chosenLimit, returnAllOrLimit, textOf } from '../../../shared';
import { crispList } from '../../transport';
import { websiteIdField, websiteIdOf } from '../common';

const properties: INodeProperties[] = [
	websiteIdField,
	{
		displayName: 'Search',
		name: 'search',
		type: 'string',
		default: '',
		description: 'Text to look for (search_type text); empty: every conversation, latest first',
	},
	{
		displayName: 'State',
		name: 'state',
		type: 'options',
		options: [
			{ name: 'Any', value: 'any' },
			{ name: 'Resolved', value: 'resolved' },
			{ name: 'Not Resolved', value: 'notResolved', description: 'Pending or unresolved' },
		],
		default: 'any',
	},
	...returnAllOrLimit,
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['getMany'] } }, properties);

/** A bound on the pages read for Return All. */
const MAX_PAGES = 50;

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const websiteId = await websiteIdOf.call(this, itemIndex);
	const search = textOf(this.getNodeParameter('search', itemIndex, '')).trim();
	const state = this.getNodeParameter('state', itemIndex, 'any') as string;
	const limit = chosenLimit(this, itemIndex);
	const qs: IDataObject = search ? { search_type: 'text', search_query: search } : {};
	if (state === 'resolved') qs.filter_resolved = 1;
	// UNCONFIRMED name: node-crisp-api's list options (filter_not_resolved beside filter_resolved).
	if (state === 'notResolved') qs.filter_not_resolved = 1;
	const conversations: IDataObject[] = [];
	// Page size unconfirmed: pages are read until one comes back empty.
	for (let page = 1; page <= MAX_PAGES; page++) {
		const listed = await crispList.call(this, { call: 'list conversations', method: 'GET', path: `conversations/${page}`, qs, websiteId, itemIndex });
		conversations.push(...listed);
		if (listed.length === 0 || (limit !== undefined && conversations.length >= limit)) break;
	}
	return limit === undefined ? conversations : conversations.slice(0, limit);
}

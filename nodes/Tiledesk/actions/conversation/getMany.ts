import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { chosenLimit, returnAllOrLimit } from '../../../shared';
import { tiledeskRequestList } from '../../transport';

export const REQUEST_STATUSES = [
	{ name: 'Temporary (50)', value: 50 },
	{ name: 'Unassigned (100)', value: 100 },
	{ name: 'Abandoned (150)', value: 150 },
	{ name: 'Assigned (200)', value: 200 },
	{ name: 'Served (300)', value: 300 },
	{ name: 'Closed (1000)', value: 1000 },
];

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
				displayName: 'Department Name or ID',
				name: 'dept_id',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getDepartments' },
				default: '',
				description:
					'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			},
			{
				displayName: 'Requester Email',
				name: 'requester_email',
				type: 'string',
				placeholder: 'name@email.com',
				default: '',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'multiOptions',
				options: REQUEST_STATUSES,
				default: [],
				description:
					'Conversations in these statuses. When none is chosen, Tiledesk returns the open ones (unassigned, assigned, served).',
			},
			{
				displayName: 'Text',
				name: 'full_text',
				type: 'string',
				default: '',
				description: 'Full-text search in the conversations',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['getMany'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const limit = chosenLimit(this, itemIndex);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const qs: IDataObject = {};
	const statuses = (filters.status as number[] | undefined) ?? [];
	if (statuses.length > 0) qs.status = statuses.join(',');
	for (const key of ['dept_id', 'requester_email', 'full_text']) {
		const value = filters[key];
		if (value !== undefined && value !== null && String(value).trim() !== '') qs[key] = String(value).trim();
	}
	return await tiledeskRequestList.call(
		this,
		{ call: 'get many conversations', method: 'GET', path: 'requests', qs, itemIndex },
		limit,
	);
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { chosenLimit, returnAllOrLimit } from '../../../shared';
import { landbotList } from '../../transport';

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
				displayName: 'Agent ID',
				name: 'agent_id',
				type: 'string',
				default: '',
				description: 'Only customers assigned to this agent',
			},
			{
				displayName: 'Archived',
				name: 'archived',
				type: 'boolean',
				default: false,
				description: 'Whether to list archived customers instead of active ones',
			},
			{
				displayName: 'Channel Name or ID',
				name: 'channel_id',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getChannels' },
				default: '',
				description:
					'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			},
			{
				displayName: 'Opted In',
				name: 'opt_in',
				type: 'boolean',
				default: true,
				description: 'Whether to list only customers who opted in (WhatsApp)',
			},
			{
				displayName: 'Search',
				name: 'search',
				type: 'string',
				default: '',
				description: 'Text to look for in the field chosen in "Search By"',
			},
			{
				displayName: 'Search By',
				name: 'search_by',
				type: 'options',
				options: [
					{ name: 'Email', value: 'email' },
					{ name: 'Name', value: 'name' },
					{ name: 'Phone', value: 'phone' },
				],
				default: 'name',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['customer'], operation: ['getMany'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const limit = chosenLimit(this, itemIndex);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const qs: IDataObject = {};
	for (const [key, value] of Object.entries(filters)) {
		if (value !== '' && value !== undefined && value !== null) qs[key] = value;
	}
	// "Search By" alone filters nothing; Landbot wants both or neither.
	if (qs.search === undefined) delete qs.search_by;
	return await landbotList.call(
		this,
		{ call: 'get many customers', method: 'GET', path: 'customers/', qs, itemIndex },
		'customers',
		limit,
	);
}

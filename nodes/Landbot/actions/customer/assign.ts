import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { landbotApi } from '../../transport';
import { customerIdField, requireNumericId } from '../common';

const properties: INodeProperties[] = [
	customerIdField,
	{
		displayName: 'Assign To',
		name: 'assignTo',
		type: 'options',
		options: [
			{
				name: "The Credential's Agent",
				value: 'me',
				description: 'The agent who owns the API token',
			},
			{ name: 'Another Agent', value: 'agent', description: 'An agent chosen by ID' },
		],
		default: 'me',
	},
	{
		displayName: 'Agent ID',
		name: 'agentId',
		type: 'string',
		required: true,
		default: '',
		displayOptions: { show: { assignTo: ['agent'] } },
		description: 'Numeric ID of the Landbot agent',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['customer'], operation: ['assign'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const customerId = requireNumericId.call(this, 'customerId', 'Customer ID', itemIndex);
	const assignTo = this.getNodeParameter('assignTo', itemIndex) as 'me' | 'agent';
	const agentId =
		assignTo === 'agent' ? requireNumericId.call(this, 'agentId', 'Agent ID', itemIndex) : undefined;
	// Landbot answers 412 when another agent owns the customer; the transport reports its text.
	const response = await landbotApi.call(this, {
		call: 'assign customer',
		method: 'PUT',
		path: agentId ? `customers/${customerId}/assign/${agentId}/` : `customers/${customerId}/assign/`,
		itemIndex,
	});
	return { customerId, assignedTo: agentId ?? 'credential agent', ...response };
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { segment, tiledeskApi } from '../../transport';
import { locatorId } from '../../../shared';
import { conversationFields, departmentFields, resolveConversation } from '../common';

const properties: INodeProperties[] = [
	...conversationFields,
	...departmentFields,
	{
		displayName: 'Skip Department Bot',
		name: 'nobot',
		type: 'boolean',
		default: true,
		description:
			'Whether to route straight to the department\'s agents, without the bot the department may have',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['moveToDepartment'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const conversation = await resolveConversation.call(this, itemIndex);
	const departmentid = locatorId.call(this, 'departmentId', itemIndex);
	if (departmentid === '') {
		throw new NodeOperationError(this.getNode(), '"Department" is empty', { itemIndex });
	}
	const nobot = this.getNodeParameter('nobot', itemIndex, true) as boolean;
	return await tiledeskApi.call(this, {
		call: 'move to department',
		method: 'PUT',
		path: `requests/${segment(conversation.requestId)}/departments`,
		body: { departmentid, nobot },
		itemIndex,
	});
}

import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { landbotApi } from '../../transport';
import { channelIdFields, requireNumericId } from '../common';

const properties: INodeProperties[] = [
	...channelIdFields,
	{
		displayName: 'Hook ID',
		name: 'hookId',
		type: 'string',
		required: true,
		default: '',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['messageHook'], operation: ['delete'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const channelId = requireNumericId.call(this, 'channelId', 'Channel', itemIndex);
	const hookId = String(this.getNodeParameter('hookId', itemIndex, '')).trim();
	if (!/^[A-Za-z0-9_-]+$/.test(hookId)) {
		throw new NodeOperationError(this.getNode(), `"Hook ID" is missing or malformed: "${hookId}"`, { itemIndex });
	}
	await landbotApi.call(this, {
		call: 'delete message hook',
		method: 'DELETE',
		path: `channels/${channelId}/message_hooks/${hookId}/`,
		itemIndex,
	});
	return { channelId, hookId, deleted: true };
}

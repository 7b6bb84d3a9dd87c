import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { landbotApi } from '../../transport';
import { channelIdFields, requireNumericId } from '../common';

const properties: INodeProperties[] = [...channelIdFields];

export const description = updateDisplayOptions(
	{ show: { resource: ['messageHook'], operation: ['getMany'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const channelId = requireNumericId.call(this, 'channelId', 'Channel', itemIndex);
	const response = await landbotApi.call(this, {
		call: 'get many message hooks',
		method: 'GET',
		path: `channels/${channelId}/message_hooks/`,
		itemIndex,
	});
	return (response.hooks as IDataObject[] | undefined) ?? [];
}

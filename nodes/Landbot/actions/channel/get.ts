import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { landbotApi } from '../../transport';
import { channelIdFields, requireNumericId } from '../common';

const properties: INodeProperties[] = [...channelIdFields];

export const description = updateDisplayOptions(
	{ show: { resource: ['channel'], operation: ['get'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const channelId = requireNumericId.call(this, 'channelId', 'Channel', itemIndex);
	const response = await landbotApi.call(this, {
		call: 'get channel',
		method: 'GET',
		path: `channels/${channelId}/`,
		itemIndex,
	});
	return (response.channel as IDataObject | undefined) ?? response;
}

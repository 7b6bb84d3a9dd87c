import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { landbotList } from '../transport';

export async function getChannels(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const channels = await landbotList.call(this, { call: 'list channels', method: 'GET', path: 'channels/' }, 'channels');
	return channels
		.map((channel) => ({
			name: `${String(channel.name ?? channel.id)} (${String(channel.type ?? 'unknown type')})`,
			value: String(channel.id),
			description: channel.active === false ? 'Inactive' : undefined,
		}))
		.sort((a, b) => a.name.localeCompare(b.name));
}

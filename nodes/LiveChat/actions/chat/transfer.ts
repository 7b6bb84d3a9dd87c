import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { idDropdown, locatorId, versionedId } from '../../../shared';
import { liveChatApi } from '../../transport';
import { chatFields, groupFields, groupIdValue, resolveChat } from '../common';

const properties: INodeProperties[] = [
	...chatFields,
	{
		displayName: 'Transfer To',
		name: 'targetType',
		type: 'options',
		options: [
			{ name: 'Group', value: 'group', description: 'LiveChat\'s routing picks an available agent of the group' },
			{ name: 'Agent', value: 'agent', description: 'One agent, who must have access to the chat' },
		],
		default: 'group',
	},
	...groupFields({ displayOptions: { show: { targetType: ['group'] } } }),
	...versionedId(
		idDropdown('Agent Name or ID', 'agentId', 'getAgents', {
			displayOptions: { show: { targetType: ['agent'] } },
			hint: "A LiveChat agent's ID is their email address",
		}),
		{ displayName: 'Agent', searchListMethod: 'searchAgents', idPlaceholder: 'agent@example.com', hint: "A LiveChat agent's ID is their email address" },
	),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Allow Queue',
				name: 'allowQueue',
				type: 'boolean',
				default: false,
				description:
					'Whether to queue the chat when no agent is available right now, instead of failing (LiveChat: ignore_agents_availability)',
			},
			{
				displayName: 'Require the Credential\'s Agent in the Chat',
				name: 'requirePresence',
				type: 'boolean',
				default: false,
				description:
					'Whether to fail when the credential\'s agent is not in the chat. Off (LiveChat: ignore_requester_presence) suits relays, whose agent rarely is.',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['chat'], operation: ['transfer'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const { chatId, externalId } = await resolveChat.call(this, itemIndex);
	const targetType = this.getNodeParameter('targetType', itemIndex) as 'group' | 'agent';
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	let ids: Array<string | number>;
	if (targetType === 'group') {
		ids = [groupIdValue.call(this, locatorId.call(this, 'groupId', itemIndex), 'Group', itemIndex)];
	} else {
		const agentId = locatorId.call(this, 'agentId', itemIndex);
		if (!agentId) throw new NodeOperationError(this.getNode(), '"Agent" is empty', { itemIndex });
		ids = [agentId];
	}
	const target = { type: targetType, ids };
	await liveChatApi.call(this, {
		api: 'agent',
		action: 'transfer_chat',
		call: 'transfer chat',
		body: {
			id: chatId,
			target,
			ignore_agents_availability: options.allowQueue === true,
			ignore_requester_presence: options.requirePresence !== true,
		},
		itemIndex,
	});
	return { chatId, externalId, transferred: true, target };
}

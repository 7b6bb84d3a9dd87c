import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { assign, conversationIdField, conversationIdOf, setStatus } from '../common';

const properties: INodeProperties[] = [
	{
		displayName: "Sets the conversation pending: the bot's again, as an agent does in Chatwoot to hand it back",
		name: 'backToBotNotice',
		type: 'notice',
		default: '',
	},
	conversationIdField,
	{
		displayName: 'Unassign the Agent',
		name: 'unassign',
		type: 'boolean',
		default: true,
		description: 'Whether to remove the assigned agent too, so the conversation is nobody\'s when it comes back to humans',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['conversation'], operation: ['backToBot'] } }, properties);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const conversationId = conversationIdOf.call(this, itemIndex);
	const unassign = this.getNodeParameter('unassign', itemIndex, true) as boolean;
	if (unassign) await assign.call(this, conversationId, { assignee_id: null }, itemIndex);
	const status = await setStatus.call(this, conversationId, 'pending', itemIndex);
	return { conversationId, status: status.current_status ?? 'pending', unassigned: unassign };
}

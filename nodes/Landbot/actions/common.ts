import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

export const customerIdField: INodeProperties = {
	displayName: 'Customer ID',
	name: 'customerId',
	type: 'string',
	required: true,
	default: '',
	placeholder: '473548616',
	description: "The Landbot customer: the bot's customer ID variable, or conversationId of a Landbot Trigger event",
};

export const channelIdField: INodeProperties = {
	displayName: 'Channel Name or ID',
	name: 'channelId',
	type: 'options',
	typeOptions: { loadOptionsMethod: 'getChannels' },
	required: true,
	default: '',
	description:
		'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
};

/** Landbot ids are positive integers; anything else would only earn a 404 later. */
export function requireNumericId(
	this: IExecuteFunctions,
	parameter: string,
	label: string,
	itemIndex: number,
): string {
	const value = String(this.getNodeParameter(parameter, itemIndex, '') ?? '').trim();
	if (!/^\d+$/.test(value)) {
		throw new NodeOperationError(
			this.getNode(),
			`"${label}" must be a Landbot numeric ID, got "${value}"`,
			{ itemIndex, description: `Set the "${label}" parameter, e.g. with {{ $json.conversationId }}.` },
		);
	}
	return value;
}

export { requireHttpUrlParameter } from '../../shared';

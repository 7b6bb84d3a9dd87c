import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { locatorId, versionedId } from '../../shared';

export const customerIdField: INodeProperties = {
	displayName: 'Customer ID',
	name: 'customerId',
	type: 'string',
	required: true,
	default: '',
	placeholder: '473548616',
	description: "The Landbot customer: the bot's customer ID variable, or conversationId of a Landbot Trigger event",
};

export const channelDropdown: INodeProperties = {
	displayName: 'Channel Name or ID',
	name: 'channelId',
	type: 'options',
	typeOptions: { loadOptionsMethod: 'getChannels' },
	required: true,
	default: '',
	description:
		'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
};

/** The channel: a dropdown in version 1, a resource locator from 1.1 on. */
export const channelLocator = {
	displayName: 'Channel',
	searchListMethod: 'searchChannels',
	idPlaceholder: '1872204',
	idPattern: { regex: '^\\d+$', errorMessage: 'A Landbot channel ID is a number' },
};

export const channelIdFields: INodeProperties[] = versionedId(channelDropdown, channelLocator);

/** Landbot ids are positive integers; anything else would only earn a 404 later. */
export function requireNumericId(
	this: IExecuteFunctions,
	parameter: string,
	label: string,
	itemIndex: number,
): string {
	const value = locatorId.call(this, parameter, itemIndex);
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

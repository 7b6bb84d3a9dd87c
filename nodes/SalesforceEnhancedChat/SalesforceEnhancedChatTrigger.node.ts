import type { IDataObject, INodeType, INodeTypeDescription, ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { onFollow } from './follow';
import { Followers } from './trigger/followers';
import { EVENT_NAMES, followSettings, triggerProperties } from './trigger/properties';
import { deploymentKey, enhancedChatConfig } from './transport';

export class SalesforceEnhancedChatTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Salesforce Enhanced Chat Trigger',
		name: 'salesforceEnhancedChatTrigger',
		icon: { light: 'file:salesforceEnhancedChat.svg', dark: 'file:salesforceEnhancedChat.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: `={{ $parameter["events"].map((event) => (${JSON.stringify(EVENT_NAMES)})[event] || event).join(", ") }}`,
		description:
			'Starts the workflow when a Salesforce agent writes in, joins, transfers or ends an Enhanced Chat conversation this n8n started.',
		documentationUrl: 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#salesforce-enhanced-chat-trigger',
		defaults: { name: 'Salesforce Enhanced Chat Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'salesforceEnhancedChatApi', required: true }],
		properties: triggerProperties,
	};

	/**
	 * Salesforce pushes the agent's side over one server-sent event stream per access token, and the
	 * tokens are the action node's: it tells this trigger which conversations to follow (follow.ts).
	 */
	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const config = await enhancedChatConfig(this);
		const staticData = this.getWorkflowStaticData('node');
		if (!staticData.followed || typeof staticData.followed !== 'object') staticData.followed = {};
		const followers = new Followers(this, config, followSettings(this), staticData.followed as IDataObject);
		followers.resume();
		const stopHearing = onFollow(deploymentKey(config), (conversation, active) => followers.follow(conversation, active));
		return {
			closeFunction: async () => {
				stopHearing();
				await followers.stopAll();
			},
		};
	}
}

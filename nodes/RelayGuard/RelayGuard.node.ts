import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { description, endTurn, waitForTurn } from './actions';

/**
 * Order and exactly-once for relays started by triggers that are not this package's (n8n's Slack
 * and Microsoft Teams Triggers answer the platform at once and run every event, copies included, in
 * parallel): Wait for Turn after the trigger, End Turn after the message went out.
 */
export class RelayGuard implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Relay Guard',
		name: 'relayGuard',
		icon: { light: 'file:relayGuard.svg', dark: 'file:relayGuard.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ {"waitForTurn": "Wait for Turn", "endTurn": "End Turn"}[$parameter["operation"]] }}',
		description: 'Relay the messages of each conversation one at a time, in order, and drop their copies.',
		documentationUrl: 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#relay-guard',
		defaults: { name: 'Relay Guard' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: `={{ $parameter["operation"] === "endTurn" ? ["main"] : [{ "type": "main", "displayName": "Its Turn" }, { "type": "main", "displayName": "Duplicate" }] }}`,
		properties: description,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0) as string;
		return operation === 'endTurn' ? await endTurn.execute.call(this) : await waitForTurn.execute.call(this);
	}
}

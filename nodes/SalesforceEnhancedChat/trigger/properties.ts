import type { IDataObject, INodeProperties, ITriggerFunctions } from 'n8n-workflow';

import type { AuthorRole, HandoffEventName } from '../../shared';
import type { FollowSettings } from './follower';

export const EVENT_NAMES: Record<string, string> = {
	agentAssigned: 'Agent Assigned',
	conversationClosed: 'Conversation Closed',
	conversationTransferred: 'Conversation Transferred',
	conversationUpdated: 'Conversation Updated',
	handoffInterrupted: 'No Agent (Routing Failed)',
	message: 'Message',
};

export const triggerProperties: INodeProperties[] = [
	{
		displayName:
			'Follows the conversations the Salesforce Enhanced Chat node starts or writes to in this n8n (one event stream per conversation, opened again after a restart). Run it in the same n8n process as those nodes: in queue mode the workers run the nodes and the main process runs this trigger, so it hears of no conversation.',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		options: [
			{ name: EVENT_NAMES.agentAssigned, value: 'agentAssigned', description: 'An agent joined the conversation (with their name)' },
			{
				name: EVENT_NAMES.conversationClosed,
				value: 'conversationClosed',
				description: 'The agent ended the messaging session, or the conversation was closed: the handoff is over',
			},
			{ name: EVENT_NAMES.conversationTransferred, value: 'conversationTransferred', description: 'Routed to another queue or agent' },
			{
				name: EVENT_NAMES.conversationUpdated,
				value: 'conversationUpdated',
				description: 'Routed to a queue (with the estimated wait), or an agent left',
			},
			{
				name: EVENT_NAMES.handoffInterrupted,
				value: 'handoffInterrupted',
				description: 'Salesforce could not route the conversation to an agent',
			},
			{ name: EVENT_NAMES.message, value: 'message', description: 'An agent, a bot or Salesforce wrote a message' },
		],
		default: ['message', 'conversationClosed', 'handoffInterrupted'],
		required: true,
	},
	{
		displayName: 'Messages By',
		name: 'senders',
		type: 'multiOptions',
		options: [
			{ name: 'Agent', value: 'agent', description: 'A human agent or supervisor' },
			{ name: 'Bot', value: 'bot', description: 'A Salesforce bot or Agentforce agent' },
			{ name: 'System', value: 'system', description: 'Automated messages from Salesforce' },
		],
		default: ['agent', 'bot'],
		displayOptions: { show: { events: ['message'] } },
		description: "Whose messages start the workflow; the customer's own (what this relay sent) never do",
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Silent Stream Timeout (Seconds)',
				name: 'silentSeconds',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 90,
				description: 'A stream that sends nothing, not even a ping, for this long is opened again',
			},
			{
				displayName: 'Max Reconnect Delay (Seconds)',
				name: 'maxReconnectSeconds',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 30,
				description: 'The longest wait between two tries to open a dropped stream again (from 1 s, ×1.5 each time)',
			},
			{
				displayName: 'Executions per Event',
				name: 'deliveryTries',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 5,
				description:
					'How often an event is tried when its execution fails (2 s, 4 s, 8 s… apart) before it is given up as a failed execution naming the conversation',
			},
		],
	},
];

export function followSettings(context: ITriggerFunctions): FollowSettings {
	const options = context.getNodeParameter('options', {}) as IDataObject;
	const events = context.getNodeParameter('events', []) as HandoffEventName[];
	const senders = events.includes('message') ? (context.getNodeParameter('senders', ['agent', 'bot']) as AuthorRole[]) : [];
	const seconds = (value: unknown, fallback: number) => Math.max(1, Number(value ?? fallback) || fallback) * 1000;
	return {
		events: new Set(events),
		senders: new Set(senders),
		silentMs: seconds(options.silentSeconds, 90),
		maxReconnectMs: seconds(options.maxReconnectSeconds, 30),
		deliveryTries: Math.max(1, Math.floor(Number(options.deliveryTries ?? 5)) || 5),
	};
}

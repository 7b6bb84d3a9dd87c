import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { chatwootRequest, listOf } from '../transport';

async function list(context: ILoadOptionsFunctions, path: string, call: string): Promise<IDataObject[]> {
	return listOf((await chatwootRequest.call(context, { call, method: 'GET', path })).body);
}

const hasId = (entry: IDataObject) => typeof entry.id === 'number' || (typeof entry.id === 'string' && entry.id !== '');

/** Inboxes, with their channel: only API-channel inboxes take messages written as the customer. */
export async function getInboxes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return (await list(this, 'inboxes', 'list inboxes'))
		.filter(hasId)
		.map((inbox) => ({
			name: `${String(inbox.name ?? `Inbox ${String(inbox.id)}`)} (${String(inbox.id)})`,
			value: String(inbox.id),
			description: typeof inbox.channel_type === 'string' ? inbox.channel_type.replace(/^Channel::/, '') : undefined,
		}))
		.sort((a, b) => a.name.localeCompare(b.name));
}

export async function getTeams(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return (await list(this, 'teams', 'list teams'))
		.filter(hasId)
		.map((team) => ({ name: `${String(team.name ?? `Team ${String(team.id)}`)} (${String(team.id)})`, value: String(team.id) }))
		.sort((a, b) => a.name.localeCompare(b.name));
}

export async function getAgents(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return (await list(this, 'agents', 'list agents'))
		.filter(hasId)
		.map((agent) => ({
			name: `${String(agent.available_name || agent.name || agent.email || agent.id)} (${String(agent.id)})`,
			value: String(agent.id),
			description: [agent.role, agent.availability_status, agent.email].filter((part) => typeof part === 'string' && part).join(' · ') || undefined,
		}))
		.sort((a, b) => a.name.localeCompare(b.name));
}

export async function getAgentBots(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return (await list(this, 'agent_bots', 'list agent bots'))
		.filter(hasId)
		.map((bot) => ({
			name: `${String(bot.name ?? `Bot ${String(bot.id)}`)} (${String(bot.id)})`,
			value: String(bot.id),
			description: typeof bot.outgoing_url === 'string' && bot.outgoing_url ? `Webhook: ${bot.outgoing_url}` : undefined,
		}))
		.sort((a, b) => a.name.localeCompare(b.name));
}

import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { liveChatApi } from '../transport';

/** Configuration API list methods answer a bare JSON array. */
async function list(context: ILoadOptionsFunctions, action: string, call: string, body: IDataObject = {}) {
	const answer = (await liveChatApi.call(context, { api: 'configuration', action, call, body })) as unknown;
	return Array.isArray(answer) ? (answer as IDataObject[]) : [];
}

export async function getGroups(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const groups = await list(this, 'list_groups', 'list groups', { fields: ['routing_status'] });
	return groups
		.filter((group) => typeof group.id === 'number')
		.map((group) => ({
			name: `${String(group.name ?? `Group ${String(group.id)}`)} (${String(group.id)})`,
			// Group IDs are integers; 0 is "General". Kept as strings in the editor.
			value: String(group.id),
			description: typeof group.routing_status === 'string' ? `Routing: ${group.routing_status}` : undefined,
		}))
		.sort((a, b) => Number(a.value) - Number(b.value));
}

export async function getAgents(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const agents = await list(this, 'list_agents', 'list agents');
	return agents
		.filter((agent) => typeof agent.id === 'string' && agent.suspended !== true)
		.map((agent) => ({
			name: `${String(agent.name ?? agent.id)} (${String(agent.id)})`,
			value: String(agent.id),
			description: [agent.role, agent.login_status].filter((part) => typeof part === 'string' && part).join(' · ') || undefined,
		}))
		.sort((a, b) => a.name.localeCompare(b.name));
}

export async function getBots(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const bots = await list(this, 'list_bots', 'list bots', { all: true });
	return bots
		.filter((bot) => typeof bot.id === 'string')
		.map((bot) => ({ name: String(bot.name ?? bot.id), value: String(bot.id) }))
		.sort((a, b) => a.name.localeCompare(b.name));
}

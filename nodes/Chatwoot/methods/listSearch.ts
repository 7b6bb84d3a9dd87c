import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { searchResults } from '../../shared';
import { getAgentBots, getAgents, getInboxes, getTeams } from './loadOptions';

/** The lists behind the nodes' resource locators, filterable by name or id. */
export const listSearch = {
	async searchInboxes(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		return searchResults(await getInboxes.call(this), filter);
	},
	async searchTeams(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		return searchResults(await getTeams.call(this), filter);
	},
	async searchAgents(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		return searchResults(await getAgents.call(this), filter);
	},
	async searchAgentBots(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		return searchResults(await getAgentBots.call(this), filter);
	},
};

import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { searchResults } from '../../shared';
import { getAgents, getBots, getGroups } from './loadOptions';

/** The lists behind the node's resource locators: the same listings as its dropdowns, filterable. */
export const listSearch = {
	async searchAgents(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		return searchResults(await getAgents.call(this), filter);
	},
	async searchBots(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		return searchResults(await getBots.call(this), filter);
	},
	async searchGroups(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
		return searchResults(await getGroups.call(this), filter);
	},
};

import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { RequestContext } from '../../shared';
import { HANDOFF_PROPERTIES } from '../marker';
import { liveChatApi, liveChatConfig, liveChatRequest } from './request';

// The chat properties this package keeps its IDs in: registered and published once per Client ID.

/**
 * Client IDs whose chat properties this process found registered and published: a pure cache like
 * the customer tokens (not in static data, for the same reason). A process without it checks once
 * with `list_properties`, which costs one call per Client ID and process instead of one per Start.
 */
const propertiesReady = new Set<string>();
const PROPERTIES_READY_MAX = 100;

/** For tests (clearLiveChatCaches): forgets the Client IDs checked in this process. */
export function clearCheckedProperties(): void {
	propertiesReady.clear();
}

/**
 * Registers this package's chat properties in the namespace of the credential's Client ID when
 * they are missing, and publishes them (read, write) so that a personal access token, which acts
 * for no Client ID, may write them. Checked once per Client ID in each process.
 * LiveChat applies configuration changes within 2 minutes ("Propagation delay").
 */
export async function ensureChatProperties(this: RequestContext, itemIndex?: number): Promise<string[]> {
	const config = await liveChatConfig(this);
	if (!config.clientId) {
		throw new NodeOperationError(this.getNode(), 'The LiveChat credential has no Client ID: it names the chat properties namespace', {
			itemIndex,
		});
	}
	if (propertiesReady.has(config.clientId)) return [];
	const listed = await liveChatApi.call(this, {
		api: 'configuration',
		action: 'list_properties',
		call: 'list chat properties',
		body: { owner_client_id: config.clientId },
		itemIndex,
	});
	const registered: string[] = [];
	for (const property of HANDOFF_PROPERTIES) {
		const existing = listed[property.name] as IDataObject | undefined;
		if (!existing) {
			// 409: another workflow registered it a moment ago, which is just as good.
			const answer = await liveChatRequest.call(this, {
				api: 'configuration',
				action: 'register_property',
				call: `register chat property ${property.name}`,
				body: {
					name: property.name,
					owner_client_id: config.clientId,
					type: 'string',
					access: { chat: property.access },
					description: property.description,
				},
				itemIndex,
				acceptStatuses: [409],
			});
			if (answer.statusCode !== 409) registered.push(property.name);
		}
		const publicAccess = Array.isArray(existing?.public_access) ? (existing?.public_access as string[]) : [];
		if (!publicAccess.includes('write')) {
			await liveChatApi.call(this, {
				api: 'configuration',
				action: 'publish_property',
				call: `publish chat property ${property.name}`,
				body: { name: property.name, owner_client_id: config.clientId, access_type: ['read', 'write'] },
				itemIndex,
			});
		}
	}
	if (propertiesReady.size >= PROPERTIES_READY_MAX) propertiesReady.clear();
	propertiesReady.add(config.clientId);
	return registered;
}

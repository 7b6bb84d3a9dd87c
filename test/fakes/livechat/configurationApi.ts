import { clone, isObject } from '../http';
import { WEBHOOKS_PER_ACTION, WEBHOOK_ACTIONS, fail, lowerId, ok } from './common';
import type { Ctx, LiveChatWebhook, Reply } from './common';
import { LiveChatCustomerApi } from './customerApi';

/** The Configuration API's actions: webhooks, chat properties, bots, groups, agents. */
export abstract class LiveChatConfigurationApi extends LiveChatCustomerApi {
	private ownedClient(body: any): string | Reply {
		if (typeof body.owner_client_id !== 'string' || body.owner_client_id === '') return fail('validation', 'owner_client_id is required');
		if (!this.clients.has(body.owner_client_id)) {
			return fail('validation', 'owner_client_id must be owned by your organization');
		}
		return body.owner_client_id;
	}

	protected configurationAction(action: string, ctx: Ctx): Reply {
		const { body } = ctx;
		switch (action) {
			case 'list_groups':
				return ok(
					[...this.groups.values()]
						.sort((a, b) => a.id - b.id)
						.map((g) => ({
							...g,
							// CHOICE: accepting_chats when one of its agents accepts chats, else offline.
							routing_status: this.agentsInGroup(g.id).some((a) => a.accepting) ? 'accepting_chats' : 'offline',
						})),
				);
			case 'list_agents':
				return ok(
					[...this.agents.values()].map((a) => ({
						id: a.id,
						account_id: a.account_id,
						name: a.name,
						role: a.role,
						login_status: a.accepting ? 'accepting chats' : 'not accepting chats',
						...(Array.isArray(body.fields) && body.fields.includes('groups')
							? { groups: a.group_ids.map((id) => ({ id, priority: 'normal' })) }
							: {}),
					})),
				);
			case 'list_bots':
				return ok([...this.bots.values()].map((b) => ({ id: b.id, name: b.name })));
			case 'register_webhook': {
				const owner = this.ownedClient(body);
				if (typeof owner !== 'string') return owner;
				if (!WEBHOOK_ACTIONS.includes(body.action)) return fail('validation', `action "${String(body.action)}" is not supported`);
				if (typeof body.secret_key !== 'string' || body.secret_key === '') return fail('validation', 'secret_key is required');
				if (typeof body.url !== 'string' || !/^https?:\/\//.test(body.url) || body.url.length > 500) {
					return fail('validation', 'url must be an http(s) URL of up to 500 characters');
				}
				if (!['license', 'bot'].includes(body.type)) return fail('validation', 'type must be license or bot');
				if (body.filters !== undefined && !isObject(body.filters)) return fail('validation', 'filters must be an object');
				if (body.filters?.author_type !== undefined) {
					if (!['customer', 'agent'].includes(body.filters.author_type)) return fail('validation', 'filters.author_type must be customer or agent');
					if (!['incoming_event', 'event_updated'].includes(body.action)) {
						return fail('validation', 'filters.author_type is allowed only for incoming_event and event_updated');
					}
				}
				if (body.additional_data !== undefined) {
					if (!Array.isArray(body.additional_data) || body.additional_data.some((d: unknown) => !['chat_properties', 'chat_presence_user_ids'].includes(d as string))) {
						return fail('validation', 'additional_data values: chat_properties, chat_presence_user_ids');
					}
				}
				if (this.webhooks.filter((w) => w.owner_client_id === owner && w.action === body.action).length >= WEBHOOKS_PER_ACTION) {
					return fail('limit_reached', `Limit of ${WEBHOOKS_PER_ACTION} webhooks for action ${String(body.action)} reached`);
				}
				const webhook: LiveChatWebhook = {
					id: lowerId(),
					action: body.action,
					secret_key: body.secret_key,
					url: body.url,
					type: body.type,
					owner_client_id: owner,
				};
				if (typeof body.description === 'string') webhook.description = body.description;
				if (body.filters) webhook.filters = clone(body.filters);
				if (body.additional_data) webhook.additional_data = [...body.additional_data];
				this.webhooks.push(webhook);
				this.issuedSecrets.add(webhook.secret_key);
				return ok({ id: webhook.id });
			}
			case 'list_webhooks': {
				const owner = this.ownedClient(body);
				if (typeof owner !== 'string') return owner;
				return ok(
					this.webhooks
						.filter((w) => w.owner_client_id === owner)
						.map(({ secret_key: _secret, ...rest }) => clone(rest)),
				);
			}
			case 'unregister_webhook': {
				const owner = this.ownedClient(body);
				if (typeof owner !== 'string') return owner;
				const index = this.webhooks.findIndex((w) => w.id === body.id && w.owner_client_id === owner);
				if (index === -1) return fail('not_found', 'Webhook not found');
				this.webhooks.splice(index, 1);
				return ok({});
			}
			case 'enable_license_webhooks':
			case 'disable_license_webhooks': {
				const owner = this.ownedClient(body);
				if (typeof owner !== 'string') return owner;
				// UNCONFIRMED: enabling for an app that is not installed answers 200 and changes nothing
				// until it is installed (docs: "use this method only if you disabled the webhooks").
				this.clients.get(owner)!.webhooksDisabled = action === 'disable_license_webhooks';
				return ok({});
			}
			case 'get_license_webhooks_state': {
				const owner = this.ownedClient(body);
				if (typeof owner !== 'string') return owner;
				return ok({ license_webhooks_enabled: this.licenseWebhooksEnabled(owner) });
			}
			case 'register_property': {
				const owner = this.ownedClient(body);
				if (typeof owner !== 'string') return owner;
				if (typeof body.name !== 'string' || body.name === '') return fail('validation', 'name is required');
				if (!['int', 'string', 'bool', 'tokenized_string'].includes(body.type)) {
					return fail('validation', 'type must be int, string, bool or tokenized_string');
				}
				if (!isObject(body.access) || Object.keys(body.access).length === 0) return fail('validation', 'access is required');
				for (const location of Object.keys(body.access)) {
					if (!['chat', 'thread', 'event', 'license', 'group'].includes(location)) return fail('validation', `Unknown location ${location}`);
				}
				const key = this.propertyKey(owner, body.name);
				if (this.properties.has(key)) return fail('already_exists', `Property ${body.name} already exists`);
				this.properties.set(key, {
					name: body.name,
					owner_client_id: owner,
					type: body.type,
					access: clone(body.access),
					description: typeof body.description === 'string' ? body.description : '',
				});
				return ok({});
			}
			case 'publish_property': {
				const owner = this.ownedClient(body);
				if (typeof owner !== 'string') return owner;
				const property = this.properties.get(this.propertyKey(owner, String(body.name)));
				if (!property) return fail('not_found', 'Property not found');
				if (!Array.isArray(body.access_type) || body.access_type.some((a: unknown) => a !== 'read' && a !== 'write')) {
					return fail('validation', 'access_type must be a list of read, write');
				}
				property.public_access = [...body.access_type];
				return ok({});
			}
			case 'list_properties': {
				const owner = this.ownedClient(body);
				if (typeof owner !== 'string') return owner;
				const out: Record<string, unknown> = {};
				for (const property of this.properties.values()) {
					if (property.owner_client_id !== owner) continue;
					out[property.name] = {
						type: property.type,
						description: property.description,
						access: clone(property.access),
						...(property.public_access ? { public_access: [...property.public_access] } : {}),
					};
				}
				return ok(out);
			}
			default:
				return fail('validation', `Unknown action ${action}`);
		}
	}
}

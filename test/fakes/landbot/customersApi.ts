import * as crypto from 'crypto';

import { clone } from '../http';
import {
	FIELD_NAME,
	FIELD_TYPES,
	OWNED_BY_ANOTHER_AGENT,
	badRequest,
	coerceField,
	notFound,
	ok,
	parseBool,
	parseId,
} from './common';
import type {
	ApiContext,
	BotSaysInput,
	CustomerRecord,
	LandbotField,
	LandbotFieldType,
	LandbotMessage,
	Reply,
} from './common';
import { LandbotServer } from './server';

/** The API's customer routes (`/v1/customers/...`): customers, their messages and fields. */
export abstract class LandbotCustomersApi extends LandbotServer {
	/** Routes: customers. */
	protected registerCustomerRoutes(): void {
		this.api('GET', '/customers/', (ctx) => {
			const paging = this.paging(ctx.query);
			if ('status' in paging) return paging;
			const q = ctx.query;
			let list = [...this.customers.values()];
			if (q.channel_id !== undefined) list = list.filter((c) => String(c.channel_id) === q.channel_id);
			if (q.agent_id !== undefined) list = list.filter((c) => String(c.agent_id) === q.agent_id);
			if (q.archived !== undefined) {
				const archived = parseBool(q.archived);
				if (archived === undefined) return badRequest('archived', 'Must be a valid boolean.');
				list = list.filter((c) => c.archived === archived);
			}
			if (q.opt_in !== undefined) {
				const optIn = parseBool(q.opt_in);
				if (optIn === undefined) return badRequest('opt_in', 'Must be a valid boolean.');
				list = list.filter((c) => c.opt_in === optIn);
			}
			if (q.search !== undefined && q.search !== '') {
				const by = q.search_by ?? 'name';
				if (!['name', 'email', 'phone'].includes(by)) {
					return badRequest('search_by', `"${by}" is not a valid choice.`);
				}
				const needle = q.search.toLowerCase();
				list = list.filter((c) => String(c[by as 'name' | 'email' | 'phone'] ?? '').toLowerCase().includes(needle));
			}
			list.sort((a, b) => a.id - b.id);
			return ok({
				success: true,
				total: list.length,
				customers: list.slice(paging.offset, paging.offset + paging.limit).map((c) => this.customerView(c)),
			});
		});

		this.api(
			'GET',
			'/customers/:customer_id/',
			this.withCustomer((_ctx, c) => ok({ success: true, customer: this.customerView(c) })),
		);

		this.api(
			'POST',
			'/customers/:customer_id/send_text/',
			this.withCustomer((ctx, c) => {
				const text = ctx.body?.message;
				if (typeof text !== 'string' || text === '') return badRequest('message', 'This field is required.');
				return this.sendAsAgent(ctx, c, (sender) => this.buildMessage(c, 'agent', sender, text));
			}),
		);

		this.api(
			'POST',
			'/customers/:customer_id/send_image/',
			this.withCustomer((ctx, c) => {
				const imageUrl = ctx.body?.url;
				if (typeof imageUrl !== 'string' || imageUrl === '') return badRequest('url', 'This field is required.');
				if (!/^https?:\/\/\S+$/.test(imageUrl)) return badRequest('url', 'Enter a valid URL.');
				const caption = typeof ctx.body?.caption === 'string' ? ctx.body.caption : undefined;
				return this.sendAsAgent(ctx, c, (sender) =>
					this.buildMessage(c, 'agent', sender, { image: imageUrl, caption }),
				);
			}),
		);

		this.api(
			'POST',
			'/customers/:customer_id/send_location/',
			this.withCustomer((ctx, c) => {
				const latitude = Number(ctx.body?.latitude);
				const longitude = Number(ctx.body?.longitude);
				if (ctx.body?.latitude === undefined || Number.isNaN(latitude) || Math.abs(latitude) > 90) {
					return badRequest('latitude', 'A valid number between -90 and 90 is required.');
				}
				if (ctx.body?.longitude === undefined || Number.isNaN(longitude) || Math.abs(longitude) > 180) {
					return badRequest('longitude', 'A valid number between -180 and 180 is required.');
				}
				return this.sendAsAgent(ctx, c, (sender) =>
					this.buildMessage(c, 'agent', sender, { latitude, longitude }),
				);
			}),
		);

		// Sheet: assign without an agent id assigns to the token's owner; 412 if another agent owns it.
		this.api(
			'PUT',
			'/customers/:customer_id/assign/',
			this.withCustomer((ctx, c) => {
				if (c.agent_id != null && c.agent_id !== ctx.agent.id) return OWNED_BY_ANOTHER_AGENT;
				this.assignTo(c, ctx.agent.id, ctx.agent.id);
				return ok();
			}),
		);

		this.api(
			'PUT',
			'/customers/:customer_id/assign/:agent_id/',
			this.withCustomer((ctx, c) => {
				const agentId = parseId(ctx.params.agent_id);
				if (agentId === undefined || !this.agents.has(agentId)) return notFound('agent');
				// CHOICE: the 412 rule of "assign to me" also applies here, unless the target already owns it.
				if (c.agent_id != null && c.agent_id !== ctx.agent.id && c.agent_id !== agentId) {
					return OWNED_BY_ANOTHER_AGENT;
				}
				this.assignTo(c, agentId, ctx.agent.id);
				return ok();
			}),
		);

		this.api(
			'PUT',
			'/customers/:customer_id/unassign/',
			this.withCustomer((ctx, c) => {
				if (c.agent_id != null && c.agent_id !== ctx.agent.id) return OWNED_BY_ANOTHER_AGENT;
				if (c.agent_id != null) this.unassign(c, 'unassign', ctx.agent.id);
				return ok();
			}),
		);

		// Sheet: `{"launch": true, "node": "<node id>"}`; no node → the bot's start.
		this.api(
			'PUT',
			'/customers/:customer_id/assign_bot/:bot_id/',
			this.withCustomer((ctx, c) => {
				const botId = parseId(ctx.params.bot_id);
				if (botId === undefined) return notFound('bot');
				const node = ctx.body?.node;
				if (node !== undefined && node !== null && (typeof node !== 'string' || node === '')) {
					return badRequest('node', 'Not a valid string.');
				}
				const launch = ctx.body?.launch === true || ctx.body?.launch === 'true';
				// CHOICE: giving the conversation to a bot ends any agent assignment.
				if (c.agent_id != null) this.unassign(c, 'unassign', ctx.agent.id);
				c.bot = { id: botId, node: node ?? null, active: true, launched: launch };
				c.events.push({ at: Date.now(), type: 'assign_bot', bot_id: botId, node: node ?? null, by: ctx.agent.id });
				if (launch && this.options.botLaunchMessage) {
					this.botSays(c.id, this.options.botLaunchMessage(botId, node ?? null));
				}
				return ok();
			}),
		);

		for (const action of ['archive', 'unarchive', 'block', 'unblock'] as const) {
			this.api(
				'PUT',
				`/customers/:customer_id/${action}/`,
				this.withCustomer((_ctx, c) => {
					if (action === 'archive' || action === 'unarchive') c.archived = action === 'archive';
					else c.blocked = action === 'block';
					return ok();
				}),
			);
		}

		// Sheet: whole conversation, unpaginated, order not guaranteed.
		this.api(
			'GET',
			'/customers/:customer_id/messages/',
			this.withCustomer((_ctx, c) =>
				ok({ success: true, messages: this.unsorted(c.messages).map((m) => this.transcriptMessage(m)) }),
			),
		);
	}

	/** Routes: customer fields (sheet: types string|integer|float|boolean|date|datetime|object). */
	protected registerCustomerFieldRoutes(): void {
		const fieldRoute = '/customers/:customer_id/fields/:field_name/';
		const withField = (handler: (ctx: ApiContext, c: CustomerRecord, name: string) => Reply) =>
			this.withCustomer((ctx, c) => {
				const name = ctx.params.field_name;
				if (!FIELD_NAME.test(name)) {
					return badRequest('name', 'Field names may only contain lowercase letters, numbers and underscores.');
				}
				return handler(ctx, c, name);
			});
		const fieldView = (name: string, f: LandbotField) => ({
			name,
			type: f.type,
			value: clone(f.value),
			...(f.extra === undefined ? {} : { extra: clone(f.extra) }),
		});
		const writeField = (ctx: ApiContext, c: CustomerRecord, name: string, existing?: LandbotField): Reply => {
			const type = (ctx.body?.type ?? existing?.type) as LandbotFieldType | undefined;
			if (type === undefined) return badRequest('type', 'This field is required.');
			if (!FIELD_TYPES.includes(type)) return badRequest('type', `"${String(type)}" is not a valid choice.`);
			if (!('value' in (ctx.body ?? {}))) return badRequest('value', 'This field is required.');
			const coerced = coerceField(type, ctx.body.value);
			if ('error' in coerced) return badRequest('value', coerced.error);
			const field: LandbotField = { type, value: coerced.value };
			if (ctx.body.extra !== undefined) field.extra = ctx.body.extra;
			c.fields.set(name, field);
			return { status: existing ? 200 : 201, body: { success: true, field: fieldView(name, field) } };
		};
		this.api(
			'GET',
			fieldRoute,
			withField((_ctx, c, name) => {
				const field = c.fields.get(name);
				return field ? ok({ success: true, field: fieldView(name, field) }) : notFound('field');
			}),
		);
		this.api(
			'POST',
			fieldRoute,
			withField((ctx, c, name) =>
				// UNCONFIRMED: creating a field that exists is refused (use PUT to change it).
				c.fields.has(name) ? badRequest('name', 'A field with this name already exists.') : writeField(ctx, c, name),
			),
		);
		this.api(
			'PUT',
			fieldRoute,
			withField((ctx, c, name) => {
				const existing = c.fields.get(name);
				return existing ? writeField(ctx, c, name, existing) : notFound('field');
			}),
		);
		this.api(
			'DELETE',
			fieldRoute,
			withField((_ctx, c, name) => {
				if (!c.fields.delete(name)) return notFound('field');
				return { status: 204 };
			}),
		);
	}

	/** A copy of `messages` in an order that is never chronological when there are two or more. */
	private unsorted(messages: LandbotMessage[]): LandbotMessage[] {
		const copy = [...messages];
		for (let i = copy.length - 1; i > 0; i--) {
			const j = crypto.randomInt(0, i + 1);
			[copy[i], copy[j]] = [copy[j], copy[i]];
		}
		const sorted = copy.every((m, i) => i === 0 || copy[i - 1].timestamp <= m.timestamp);
		if (sorted && copy.length > 1) [copy[0], copy[copy.length - 1]] = [copy[copy.length - 1], copy[0]];
		return copy;
	}

	// A public method of LandbotSimulator (simulator.ts).
	abstract botSays(customerId: number, input: BotSaysInput): LandbotMessage;
}

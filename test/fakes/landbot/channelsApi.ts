import {
	CHANNEL_TYPES,
	HOOK_CHANNEL_TYPES,
	HOOK_UNSUPPORTED_CHANNEL,
	badRequest,
	notFound,
	ok,
	parseBool,
	parseId,
} from './common';
import type { LandbotChannelType, LandbotHook } from './common';
import { LandbotCustomersApi } from './customersApi';

/** The API's channel, MessageHook and agent routes. */
export abstract class LandbotChannelsApi extends LandbotCustomersApi {
	/** Routes: channels. */
	protected registerChannelRoutes(): void {
		this.api('GET', '/channels/', (ctx) => {
			const paging = this.paging(ctx.query);
			if ('status' in paging) return paging;
			let list = [...this.channels.values()];
			if (ctx.query.type !== undefined) {
				if (!CHANNEL_TYPES.includes(ctx.query.type as LandbotChannelType)) {
					return badRequest('type', `"${ctx.query.type}" is not a valid choice.`);
				}
				list = list.filter((ch) => ch.type === ctx.query.type);
			}
			if (ctx.query.active !== undefined) {
				const active = parseBool(ctx.query.active);
				if (active === undefined) return badRequest('active', 'Must be a valid boolean.');
				list = list.filter((ch) => ch.active === active);
			}
			list.sort((a, b) => a.id - b.id);
			return ok({
				success: true,
				total: list.length,
				channels: list.slice(paging.offset, paging.offset + paging.limit).map((ch) => ({ ...ch })),
			});
		});

		this.api(
			'GET',
			'/channels/:channel_id/',
			this.withChannel((_ctx, ch) => ok({ success: true, channel: { ...ch } })),
		);
	}

	/** Routes: message hooks. */
	protected registerHookRoutes(): void {
		this.api(
			'POST',
			'/channels/:channel_id/message_hooks/',
			this.withChannel((ctx, ch) => {
				if (!HOOK_CHANNEL_TYPES.includes(ch.type)) return HOOK_UNSUPPORTED_CHANNEL;
				const hookUrl = ctx.body?.url;
				if (typeof hookUrl !== 'string' || hookUrl === '') return badRequest('url', 'This field is required.');
				if (!/^https?:\/\/[^\s/]+\S*$/.test(hookUrl)) return badRequest('url', 'Enter a valid URL.');
				const token = ctx.body?.token;
				if (token !== undefined && token !== null && typeof token !== 'string') {
					return badRequest('token', 'Not a valid string.');
				}
				const now = Math.floor(Date.now() / 1000);
				const hook: LandbotHook = {
					id: this.nextId('hook'),
					channel_id: ch.id,
					url: hookUrl,
					token: token || null,
					name: typeof ctx.body?.name === 'string' ? ctx.body.name : '',
					created_at: now,
					updated_at: now,
				};
				this.hooks.set(hook.id, hook);
				if (hook.token) this.hookTokens.add(hook.token);
				return { status: 201, body: { success: true, hook: { ...hook } } };
			}),
		);

		this.api(
			'GET',
			'/channels/:channel_id/message_hooks/',
			this.withChannel((_ctx, ch) =>
				ok({ success: true, hooks: [...this.hooks.values()].filter((h) => h.channel_id === ch.id).map((h) => ({ ...h })) }),
			),
		);

		this.api(
			'DELETE',
			'/channels/:channel_id/message_hooks/:hook_id/',
			this.withChannel((ctx, ch) => {
				const id = parseId(ctx.params.hook_id);
				const hook = id === undefined ? undefined : this.hooks.get(id);
				if (!hook || hook.channel_id !== ch.id) return notFound('hook');
				this.hooks.delete(hook.id);
				return { status: 204 };
			}),
		);
	}

	/** Routes: agents (sheet: *unconfirmed*, not in the current OpenAPI). */
	protected registerAgentRoutes(): void {
		this.api('GET', '/agents/', () =>
			ok({
				success: true,
				agents: [...this.agents.values()].map((a) => ({ id: a.id, name: a.name, email: a.email })),
			}),
		);
	}
}

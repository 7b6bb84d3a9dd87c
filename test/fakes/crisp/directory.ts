import * as crypto from 'crypto';

import { isObject } from '../http';
import { CrispConversations } from './conversations';
import { NOT_FOUND, fail, invalidData, ok } from './state';
import type { PeopleRecord } from './state';

const W = '/v1/website/:website_id';

/**
 * The website itself, its operators and inboxes (dropdowns), people profiles, and the plugin's
 * connect routes (node-crisp-api Website.ts, WebsiteOperator.ts, WebsitePeople.ts, PluginConnect.ts).
 * Answer shapes beyond the names in the sheet are UNCONFIRMED.
 */
export abstract class CrispDirectory extends CrispConversations {
	protected registerDirectoryRoutes(): void {
		this.add('GET', W, 'website', (ctx) => ok({ website_id: ctx.website!.websiteId, name: ctx.website!.name, domain: ctx.website!.domain }));
		this.add('GET', `${W}/operators/list`, 'website', (ctx) => ok(ctx.website!.operators.map((o) => this.operatorJson(o))));
		// node-crisp-api WebsiteInbox.ts getInbox: GET /website/{id}/inbox/{inbox_id} → the inbox (`operators`: user IDs).
		this.add('GET', `${W}/inbox/:inbox_id`, 'website', (ctx) => {
			const inbox = ctx.website!.inboxes.find((i) => i.inboxId === ctx.params.inbox_id);
			return inbox ? ok(this.inboxJson(inbox)) : NOT_FOUND;
		});
		// node-crisp-api WebsiteAvailability.ts: the website's status (online when an operator is, away
		// when one is away; CHOICE, as the Crisp app shows it) and each operator's.
		this.add('GET', `${W}/availability/status`, 'website', (ctx) => {
			const all = ctx.website!.operators.map((o) => o.availability);
			const status = all.includes('online') ? 'online' : all.includes('away') ? 'away' : 'offline';
			return ok({ status, since: Date.now() });
		});
		this.add('GET', `${W}/availability/operators`, 'website', (ctx) =>
			// UNCONFIRMED: the `time` fields' meaning; `for` 0 here.
			ok(ctx.website!.operators.map((o) => ({ user_id: o.userId, type: o.availability, time: { for: 0, since: Date.now() } }))),
		);
		this.add('GET', `${W}/inboxes/list/:page`, 'website', (ctx) => {
			const page = Number(ctx.params.page);
			if (!Number.isInteger(page) || page < 1) return invalidData('page starts at 1');
			return ok(ctx.website!.inboxes.slice((page - 1) * 20, page * 20).map((i) => this.inboxJson(i)));
		});
		this.add('POST', `${W}/people/profile`, 'website', (ctx) => {
			const b = ctx.body;
			if (typeof b.email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(b.email)) return invalidData('email is required');
			const websiteId = ctx.website!.websiteId;
			// UNCONFIRMED: a second profile with the same e-mail is refused with 409 people_exists.
			if (this.findPeople(websiteId, b.email)) return fail(409, 'people_exists');
			const p: PeopleRecord = {
				peopleId: crypto.randomUUID(),
				websiteId,
				email: b.email.toLowerCase(),
				nickname: isObject(b.person) && typeof b.person.nickname === 'string' ? b.person.nickname : b.email.split('@')[0],
				segments: Array.isArray(b.segments) ? b.segments.map(String) : [],
				createdAt: this.now(),
			};
			this.people.set(p.peopleId, p);
			if (this.options.echoRestWrites) this.emit(websiteId, 'people:profile:created', { website_id: websiteId, people_id: p.peopleId, email: p.email });
			return ok({ people_id: p.peopleId }, 'added');
		});
		this.add('GET', `${W}/people/profile/:people_id`, 'website', (ctx) => {
			const p = this.findPeople(ctx.website!.websiteId, ctx.params.people_id);
			return p ? ok(this.peopleJson(p)) : NOT_FOUND;
		});
		this.add('GET', `${W}/people/profiles/:page`, 'website', (ctx) => {
			const page = Number(ctx.params.page);
			if (!Number.isInteger(page) || page < 1) return invalidData('page starts at 1');
			const needle = (ctx.query.search_text ?? '').toLowerCase();
			const list = [...this.people.values()]
				.filter((p) => p.websiteId === ctx.website!.websiteId)
				.filter((p) => needle === '' || p.email.includes(needle) || p.nickname.toLowerCase().includes(needle));
			return ok(list.slice((page - 1) * 20, page * 20).map((p) => this.peopleJson(p)));
		});
		// Plugin tier only: the websites that installed the plugin.
		this.add('GET', '/v1/plugin/connect/account', 'plugin', (ctx) => ok({ plugin_id: ctx.token.pluginId }));
		this.add('GET', '/v1/plugin/connect/websites/all/:page', 'plugin', (ctx) => {
			const page = Number(ctx.params.page);
			if (!Number.isInteger(page) || page < 1) return invalidData('page starts at 1');
			const plugin = this.plugins.get(ctx.token.pluginId!)!;
			const list = [...plugin.installs].map((id) => ({ website_id: id, settings: {} }));
			return ok(list.slice((page - 1) * 20, page * 20));
		});
	}

	/** By people_id or e-mail (both are accepted in the path). */
	protected findPeople(websiteId: string, idOrEmail: string): PeopleRecord | undefined {
		const key = idOrEmail.toLowerCase();
		return [...this.people.values()].find((p) => p.websiteId === websiteId && (p.peopleId === idOrEmail || p.email === key));
	}
}

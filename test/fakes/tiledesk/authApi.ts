import * as crypto from 'crypto';

import { objectId } from '../http';
import {
	CUSTOM_TOKEN_AGENT_ROLES,
	ROLE_INCLUDES,
	UNAUTHORIZED,
	audienceOf,
	isEmail,
	nowIso,
	ok,
	signJwt,
} from './common';
import type { Ctx, GuestRecord, Reply, TiledeskRole, TiledeskUser } from './common';
import { TiledeskServer } from './server';

/**
 * The auth routes (`/auth/...`): sign-in with a password, anonymously, or with a custom (visitor)
 * token.
 */
export abstract class TiledeskAuthApi extends TiledeskServer {
	/**
	 * routes/auth.js POST /signinWithCustomToken: a JWT signed by the customer (usually with the
	 * project's shared secret, `sub: userexternal`, `aud: https://tiledesk.com/projects/{id}`) makes
	 * its `_id` a project user (role `user`, or the token's `role`); answered with the same token.
	 */
	private signinWithCustomToken(ctx: Ctx): Reply {
		const header = typeof ctx.headers.authorization === 'string' ? ctx.headers.authorization.trim() : '';
		const match = /^jwt\s+(\S+)$/i.exec(header);
		const payload = match ? this.verifyAnyJwt(match[1]) : undefined;
		// passport-jwt: a bad signature, an expired token or no _id is a plain 401.
		if (!payload || (typeof payload._id !== 'string' && typeof payload._id !== 'number')) return UNAUTHORIZED;
		this.knownSecrets.add(match![1]);
		const userId = String(payload._id);
		const user = { ...payload, _id: userId, id: userId };
		if (!payload.aud) return { status: 400, body: { success: false, msg: 'JWT Aud field is required' } };
		const [type, audienceId] = audienceOf(payload.aud) ?? [undefined, undefined];
		let projectId: string | undefined;
		if (type === 'subscriptions') {
			if (!audienceId) {
				return { status: 400, body: { success: false, msg: 'JWT Aud.AudienceId field is required for AudienceType subscriptions' } };
			}
			projectId = this.subscriptions.find((s) => s._id === audienceId)?.id_project;
		} else if (type === 'projects') {
			if (!audienceId) {
				return { status: 400, body: { success: false, msg: 'JWT Aud.AudienceId field is required for AudienceType projects' } };
			}
			projectId = audienceId;
		} else if (typeof ctx.body?.id_project === 'string' && ctx.body.id_project !== '') {
			projectId = ctx.body.id_project;
		} else {
			return ok({ success: true, token: header, user });
		}
		// Upstream answers success even when it cannot save the project user.
		if (!projectId || !this.projects.has(projectId)) return ok({ success: true, token: header, user });

		const role = (typeof payload.role === 'string' && payload.role in ROLE_INCLUDES ? payload.role : 'user') as TiledeskRole;
		const agentLike = CUSTOM_TOKEN_AGENT_ROLES.includes(role);
		const existing = this.projectUsers.find((pu) => pu.id_project === projectId && pu.uuid_user === userId);
		if (existing && existing.status !== 'active') {
			return { status: 401, body: { success: false, msg: 'Authentication failed. Project_user not active.' } };
		}
		if (agentLike) {
			// A real user is made (or found) by e-mail and gets a token of the server's own.
			if (!isEmail(payload.email)) return { status: 401, body: { success: false, msg: 'User not found.' } };
			const realUser = this.createUser({
				email: String(payload.email),
				password: crypto.randomUUID(),
				firstname: payload.firstname,
				lastname: payload.lastname,
			});
			const member = this.projectUsers.some((p) => p.id_project === projectId && p.id_user === realUser._id);
			if (!existing && !member) {
				const now = nowIso();
				this.projectUsers.push({
					_id: objectId(),
					id_project: projectId,
					id_user: realUser._id,
					uuid_user: userId,
					role,
					roleType: 1,
					user_available: true,
					status: 'active',
					createdAt: now,
					updatedAt: now,
				});
			}
			const token = signJwt({ ...realUser }, this.options.jwtSecret, {
				iss: 'https://tiledesk.com',
				sub: 'user',
				aud: 'https://tiledesk.com',
				jti: crypto.randomUUID(),
			});
			this.knownSecrets.add(token);
			return ok({ success: true, token: `JWT ${token}`, user: realUser });
		}
		if (!existing) {
			const now = nowIso();
			this.projectUsers.push({
				_id: objectId(),
				id_project: projectId,
				uuid_user: userId,
				role,
				roleType: ['user', 'guest'].includes(role) ? 2 : 1,
				user_available: true,
				status: 'active',
				createdAt: now,
				updatedAt: now,
			});
		}
		return ok({ success: true, token: header, user });
	}

	/** Routes: auth (routes/auth.js). */
	protected registerAuthRoutes(): void {
		this.add('POST', '/auth/signin', 'public', (ctx) => {
			const errors = [];
			if (!isEmail(ctx.body?.email)) errors.push({ value: ctx.body?.email, msg: 'Invalid value', param: 'email', location: 'body' });
			if (!ctx.body?.password) errors.push({ value: ctx.body?.password, msg: 'Invalid value', param: 'password', location: 'body' });
			if (errors.length > 0) return { status: 422, body: { errors } };
			const email = String(ctx.body.email).toLowerCase();
			const user = [...this.users.values()].find((u) => u.email === email);
			if (!user) return { status: 401, body: { success: false, msg: 'Authentication failed. User not found.' } };
			if (user.password !== ctx.body.password) {
				return { status: 401, body: { success: false, msg: 'Authentication failed. Wrong password.' } };
			}
			const userJson = this.userJson(user);
			// No expiry (sheet); iss/sub/aud as upstream signs them.
			const token = signJwt({ ...userJson }, this.options.jwtSecret, {
				iss: 'https://tiledesk.com',
				sub: 'user',
				aud: 'https://tiledesk.com',
				jti: crypto.randomUUID(),
			});
			this.knownSecrets.add(token);
			return ok({ success: true, token: `JWT ${token}`, user: userJson });
		});

		// noentitycheck + passport 'jwt': the token is checked in the handler (public here).
		this.add('POST', '/auth/signinWithCustomToken', 'public', (ctx) => this.signinWithCustomToken(ctx));

		this.add('POST', '/auth/signinAnonymously', 'public', (ctx) => {
			const projectId = ctx.body?.id_project;
			if (!projectId) {
				return { status: 422, body: { errors: [{ msg: 'Invalid value', param: 'id_project', location: 'body' }] } };
			}
			if (!this.projects.has(projectId)) return { status: 500, body: { success: false, msg: 'Error saving object.' } };
			const id = crypto.randomUUID();
			const guest: GuestRecord = {
				_id: id,
				firstname: ctx.body.firstname || `guest#${id.slice(0, 5)}`,
				lastname: ctx.body.lastname,
				email: ctx.body.email,
				attributes: ctx.body.attributes,
			};
			this.guests.set(id, guest);
			const now = nowIso();
			this.projectUsers.push({
				_id: objectId(),
				id_project: projectId,
				uuid_user: id,
				role: 'guest',
				roleType: 2,
				user_available: true,
				status: 'active',
				createdAt: now,
				updatedAt: now,
			});
			const token = signJwt({ ...guest }, this.options.jwtSecret, {
				iss: 'https://tiledesk.com',
				sub: 'guest',
				aud: 'https://tiledesk.com',
				jti: crypto.randomUUID(),
			});
			this.knownSecrets.add(token);
			return ok({ success: true, token: `JWT ${token}`, user: guest });
		});
	}

	// A public method of TiledeskSimulator (simulator.ts).
	abstract createUser(input: { email: string; password: string; firstname?: string; lastname?: string }): TiledeskUser;
}
